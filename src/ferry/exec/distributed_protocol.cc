#include "ferry/exec/distributed_protocol.h"

#include <sys/resource.h>

namespace ferry::dist_protocol {

using json = nlohmann::json;

json StatusJson(const Status& st) {
  return {{"code", static_cast<int>(st.code())}, {"msg", st.message()}};
}

Status StatusFromJson(const json& j) {
  if (!j.is_object()) return Status::OK();
  int code = j.value("code", 0);
  if (code == 0) return Status::OK();
  return Status(static_cast<StatusCode>(code), j.value("msg", ""));
}

json FiguresJson(const SplitFigures& f) {
  return {{"read", f.records_read},
          {"bytes", f.bytes_read},
          {"written", f.records_written},
          {"dirty", f.dirty_records},
          {"attempt", f.attempt}};
}

SplitFigures FiguresFromJson(const json& j) {
  return {j.value("read", int64_t{0}), j.value("bytes", int64_t{0}), j.value("written", int64_t{0}),
          j.value("dirty", int64_t{0}), j.value("attempt", int64_t{0})};
}

json MetricsJson(const Metrics& m) {
  return {{"read", m.records_read.load()},       {"bytes", m.bytes_read.load()},
          {"written", m.records_written.load()}, {"dirty", m.dirty_records.load()},
          {"done", m.splits_done.load()},        {"retries", m.split_retries.load()},
          {"wait_r", m.wait_reader_ns.load()},   {"wait_w", m.wait_writer_ns.load()}};
}

int64_t PeakRssBytes() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return static_cast<int64_t>(usage.ru_maxrss) * 1024;
}

}  // namespace ferry::dist_protocol
