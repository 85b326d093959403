// The schedule of a project folder: its nodes (a job each, a cron in the node's time zone, the
// parameter assignments of every run, upstream nodes, retries, resource group, priority), read
// from schedule.yaml / schedule.yml / schedule.json and checked as a graph. A spec read from a
// folder is what `ferry deploy` publishes; the deployed copy also holds each job's text.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "ferry/common/status.h"
#include "ferry/job/sched_params.h"
#include "ferry/schedule/alert.h"
#include "ferry/schedule/cron.h"

namespace ferry {

struct NodeSpec {
  std::string name;
  std::string job;       // the job file as written, relative to the project folder
  std::string job_text;  // the job's text as deployed
  std::string cron;
  std::string time_zone;  // IANA name; the schedule's default, else UTC
  std::string params;     // assignments, "bizdate=$bizdate hour=$[hh24]"
  std::vector<std::string> upstream;
  int retries = 0;
  int retry_interval_seconds = 60;
  int64_t timeout_seconds = 0;  // a run going longer is stopped and fails; 0: no limit
  std::string resource_group = "default";
  int priority = 0;
  int line = 0;  // where the node is defined in the schedule file

  Result<CronSchedule> Schedule() const { return CronSchedule::Parse(cron, time_zone); }
  // The parameters of this node's run scheduled at `cyctime`: the predefined ones plus `params`.
  Result<ParameterSet> Parameters(const CivilTime& cyctime) const;
};

struct ScheduleSpec {
  std::string project_dir;  // absolute
  std::string file;         // the schedule file, absolute
  std::vector<NodeSpec> nodes;
  // Every alert rule: the global ones, then those written under a node (their `node` set to it).
  std::vector<AlertRule> alerts;

  const NodeSpec* Find(std::string_view name) const;
  // Nodes naming `name` as an upstream.
  std::vector<std::string> Downstream(std::string_view name) const;
  // `names` and every node downstream of them, transitively (in `nodes` order).
  std::vector<std::string> WithDownstream(const std::vector<std::string>& names) const;

  nlohmann::json ToJson() const;
  static Result<ScheduleSpec> FromJson(const nlohmann::json& j);
};

// A duration as written in a schedule: whole seconds (90) or units, "30m", "1h30m", "45s", "2d".
Result<int64_t> ParseDurationSeconds(const std::string& text);
// Seconds as "1h30m", "30m", "45s" (the form ParseDurationSeconds reads).
std::string FormatDurationSeconds(int64_t seconds);

// Reads the schedule file of `dir` and checks it: keys and types, cron and time zone, unique
// names, known upstreams, no cycles. Errors name file:line and the node. Job texts are read too
// (a missing job file is an error). Does not check the jobs themselves (see deploy.h).
Result<ScheduleSpec> LoadScheduleDir(const std::string& dir);
// The same from text (`file_name` only names it in errors; jobs resolved against `dir`).
Result<ScheduleSpec> ParseSchedule(const std::string& text, const std::string& file_name,
                                   const std::string& dir);

}  // namespace ferry
