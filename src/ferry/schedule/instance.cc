#include "ferry/schedule/instance.h"

#include <array>

namespace ferry {
namespace {

constexpr std::array<const char*, 9> kNames = {
    "not_run", "waiting_time", "waiting_upstream", "waiting_resources", "running", "succeeded",
    "failed",  "frozen",       "stopped"};

}  // namespace

const char* StateName(InstanceState state) { return kNames[static_cast<size_t>(state)]; }

std::optional<InstanceState> ParseState(std::string_view name) {
  for (size_t i = 0; i < kNames.size(); ++i) {
    if (name == kNames[i]) return static_cast<InstanceState>(i);
  }
  return std::nullopt;
}

bool IsTerminal(InstanceState state) {
  return state == InstanceState::kSucceeded || state == InstanceState::kFailed ||
         state == InstanceState::kStopped;
}

nlohmann::json Instance::ToJson() const {
  nlohmann::json j = {{"id", id},
                      {"node", node},
                      {"cyctime", FormatCivilTime(cyctime)},
                      {"fire_at", fire_at},
                      {"backfill_id", backfill_id},
                      {"bizdate", bizdate},
                      {"state", StateName(state)},
                      {"priority", priority},
                      {"frozen", frozen},
                      {"runs", runs},
                      {"failures", failures},
                      {"next_try_at", next_try_at},
                      {"pid", pid},
                      {"host", host},
                      {"started_at", started_at},
                      {"finished_at", finished_at},
                      {"exit_code", exit_code ? nlohmann::json(*exit_code) : nlohmann::json()},
                      {"message", message},
                      {"run_dir", run_dir}};
  nlohmann::json figures = nlohmann::json::parse(summary, nullptr, false);
  j["summary"] = figures.is_discarded() ? nlohmann::json() : figures;
  return j;
}

}  // namespace ferry
