// The messages of a distributed run (exec/distributed_runner.h), shared by the coordinator
// and the workers. Each is a JSON object whose "t" names it. Worker to coordinator: hello, split
// (asks for the next), commit, lease (throttle budget), dirty (lines for dirty.jsonl), rolled (an
// attempt rolled back), stats (the rank's figures), prepared (asks when to open its view of the
// source), viewed, failed, done. Coordinator to worker: start, split, ack, grant, view, stop,
// bye, dismiss. A question carries "req", and its answer the same.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>

#include "ferry/common/status.h"
#include "ferry/exec/metrics.h"
#include "ferry/plugin/split.h"

namespace ferry::dist_protocol {

nlohmann::json StatusJson(const Status& st);
Status StatusFromJson(const nlohmann::json& j);
nlohmann::json FiguresJson(const SplitFigures& f);
SplitFigures FiguresFromJson(const nlohmann::json& j);
// A rank's counters, as it reports them.
nlohmann::json MetricsJson(const Metrics& m);
// This process's peak resident set so far.
int64_t PeakRssBytes();

}  // namespace ferry::dist_protocol
