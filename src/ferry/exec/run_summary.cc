#include "ferry/exec/run_summary.h"

#include <fmt/format.h>

#include <cmath>
#include <ctime>
#include <nlohmann/json.hpp>

#include "ferry/common/log.h"
#include "ferry/common/strings.h"

namespace ferry {
namespace {

using ojson = nlohmann::ordered_json;
using SysClock = std::chrono::system_clock;

std::string IsoUtc(SysClock::time_point t) {
  std::time_t tt = SysClock::to_time_t(t);
  std::tm tm;
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

ojson NullOr(const std::string& text) { return text.empty() ? ojson(nullptr) : ojson(text); }

ojson HostsJson(const std::vector<HostSummary>& hosts) {
  ojson out = ojson::array();
  for (const HostSummary& h : hosts) {
    out.push_back({{"host", h.host},
                   {"rank", h.rank},
                   {"channels", h.channels},
                   {"splits", h.splits},
                   {"records_read", h.records_read},
                   {"records_written", h.records_written},
                   {"bytes_read", h.bytes_read},
                   {"seconds", h.seconds},
                   {"peak_rss_bytes", h.peak_rss_bytes}});
  }
  return out;
}

ojson CoordinationJson(const CoordinationSummary& c) {
  return {{"messages", c.messages},
          {"bytes", c.bytes},
          {"messages_per_split", c.messages_per_split},
          {"bytes_per_split", c.bytes_per_split}};
}

}  // namespace

void RunSummary::Fail(const Status& status) {
  succeeded = false;
  error = MaskSecrets(status.message());
}

RunSummary SummarizeRun(const std::string& job_file, const Metrics& metrics, const Status& status,
                        SysClock::time_point started, SysClock::time_point finished,
                        const std::string& run_dir, const std::string& dirty_path) {
  RunSummary s;
  s.succeeded = status.ok();
  s.job = job_file;
  s.started_at = started;
  s.finished_at = finished;
  s.elapsed_seconds =
      std::round(std::chrono::duration<double>(finished - started).count() * 1000) / 1000;
  s.records_read = metrics.records_read.load();
  s.records_written = metrics.records_written.load();
  s.dirty_records = metrics.dirty_records.load();
  s.bytes_read = metrics.bytes_read.load();
  s.splits_total = metrics.splits_total.load();
  s.splits_done = metrics.splits_done.load();
  s.split_retries = metrics.split_retries.load();
  s.wait_reader_seconds = std::round(metrics.wait_reader_ns.load() / 1e6) / 1000;
  s.wait_writer_seconds = std::round(metrics.wait_writer_ns.load() / 1e6) / 1000;
  s.run_dir = run_dir;
  if (s.dirty_records > 0) s.dirty_log = dirty_path;
  if (!status.ok()) s.error = MaskSecrets(status.message());
  return s;
}

std::string SummaryJson(const RunSummary& s) {
  ojson out = {{"status", s.succeeded ? "SUCCEEDED" : "FAILED"},
               {"job", s.job},
               {"started_at", IsoUtc(s.started_at)},
               {"finished_at", IsoUtc(s.finished_at)},
               {"elapsed_seconds", s.elapsed_seconds},
               {"records_read", s.records_read},
               {"records_written", s.records_written},
               {"dirty_records", s.dirty_records},
               {"bytes_read", s.bytes_read},
               {"splits_total", s.splits_total},
               {"splits_done", s.splits_done},
               {"split_retries", s.split_retries},
               {"wait_reader_seconds", s.wait_reader_seconds},
               {"wait_writer_seconds", s.wait_writer_seconds},
               {"run_dir", s.run_dir},
               {"dirty_log", NullOr(s.dirty_log)},
               {"error", s.error ? ojson(*s.error) : ojson(nullptr)}};
  if (s.distributed) {
    out["execute_mode"] = "distribute";
    if (s.distributed->coordinated) {
      out["hosts"] = HostsJson(s.distributed->hosts);
      out["coordination"] = CoordinationJson(s.distributed->coordination);
    }
  }
  if (!s.dirty_samples.empty()) out["dirty_samples"] = s.dirty_samples;
  if (!s.verify_json.empty()) out["verify"] = ojson::parse(s.verify_json);
  return out.dump(2) + "\n";
}

std::string SummaryText(const RunSummary& s) {
  double secs = s.elapsed_seconds > 0 ? s.elapsed_seconds : 1e-9;
  std::string out;
  out += "\n";
  out += fmt::format("{:<22}: {}\n", "Job status", s.succeeded ? "SUCCEEDED" : "FAILED");
  out += fmt::format("{:<22}: {}\n", "Start time", IsoUtc(s.started_at));
  out += fmt::format("{:<22}: {}\n", "End time", IsoUtc(s.finished_at));
  out += fmt::format("{:<22}: {:.3f}s\n", "Elapsed", s.elapsed_seconds);
  out += fmt::format("{:<22}: {}/s\n", "Average speed",
                     HumanBytes(static_cast<double>(s.bytes_read) / secs));
  out += fmt::format("{:<22}: {} rec/s\n", "Record speed",
                     GroupDigits(static_cast<int64_t>(static_cast<double>(s.records_read) / secs)));
  out += fmt::format("{:<22}: {}\n", "Records read", GroupDigits(s.records_read));
  out += fmt::format("{:<22}: {}\n", "Records written", GroupDigits(s.records_written));
  out += fmt::format("{:<22}: {}\n", "Dirty records", GroupDigits(s.dirty_records));
  out += fmt::format("{:<22}: {}/{}\n", "Splits", s.splits_done, s.splits_total);
  out += fmt::format("{:<22}: reader {:.1f}s, writer {:.1f}s\n", "Waited for",
                     s.wait_reader_seconds, s.wait_writer_seconds);
  if (!s.run_dir.empty()) out += fmt::format("{:<22}: {}\n", "Run directory", s.run_dir);
  if (s.dirty_records > 0) {
    out += fmt::format("{:<22}: {}\n", "Dirty record log", s.dirty_log);
    for (const std::string& reason : s.dirty_samples) {
      out += fmt::format("{:<22}  {}\n", "", MaskSecrets(reason));
    }
  }
  if (s.error) out += fmt::format("{:<22}: {}\n", "Error", *s.error);
  return out;
}

}  // namespace ferry
