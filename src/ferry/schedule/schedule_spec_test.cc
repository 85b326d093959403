// Reading schedule files: every mistake named with file:line, graphs checked, and which
// upstream cycles an instance waits for across frequencies.
#include "ferry/schedule/schedule_spec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ferry/schedule/dependencies.h"
#include "tests/support/ferry_cli.h"

namespace ferry {
namespace {

using ::testing::HasSubstr;

class SchedSpec : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* j : {"a.json", "b.json", "c.json"}) testing::WriteTextFile(dir_ / j, "{}");
  }
  Result<ScheduleSpec> Parse(const std::string& text) {
    return ParseSchedule(text, "schedule.yaml", dir_.path());
  }
  std::string Error(const std::string& text) {
    auto s = Parse(text);
    return s.ok() ? "ok" : s.status().message();
  }
  testing::TempDir dir_;
};

TEST_F(SchedSpec, ReadsEveryField) {
  auto spec = Parse(R"(timezone: Asia/Shanghai
nodes:
  - name: a
    job: a.json
    cron: "30 2 * * *"
    params: "bizdate=$bizdate hour=$[hh24]"
    retries: 3
    retry_interval: 120
    timeout: 1h30m
    resource_group: etl
    priority: 7
  - {name: b, job: b.json, cron: "0 * * * *", timezone: UTC, upstream: a, params: {day: "${yyyy-mm-dd}"}}
)");
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  const NodeSpec& a = spec->nodes[0];
  EXPECT_EQ(a.time_zone, "Asia/Shanghai");
  EXPECT_EQ(a.retries, 3);
  EXPECT_EQ(a.retry_interval_seconds, 120);
  EXPECT_EQ(a.timeout_seconds, 5400);
  EXPECT_EQ(a.resource_group, "etl");
  EXPECT_EQ(a.priority, 7);
  EXPECT_EQ(a.job_text, "{}");
  EXPECT_EQ(a.line, 3);
  const NodeSpec& b = spec->nodes[1];
  EXPECT_EQ(b.time_zone, "UTC");
  EXPECT_EQ(b.timeout_seconds, 0);
  EXPECT_EQ(b.upstream, std::vector<std::string>{"a"});
  EXPECT_EQ(b.params, "day='${yyyy-mm-dd}'");
  auto params = b.Parameters(CivilTime{2025, 11, 1, 2, 30, 45});
  ASSERT_TRUE(params.ok()) << params.status().message();
  EXPECT_EQ(params->Get("day"), "2025-10-31");
  auto ap = a.Parameters(CivilTime{2025, 11, 1, 2, 30, 45});
  EXPECT_EQ(ap->Get("hour"), "02");
  EXPECT_EQ(ap->Get("bizdate"), "20251031");
  // The deployed copy survives the store's JSON.
  auto back = ScheduleSpec::FromJson(spec->ToJson());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->ToJson(), spec->ToJson());
  EXPECT_EQ(spec->Downstream("a"), std::vector<std::string>{"b"});
}

TEST_F(SchedSpec, JsonScheduleFilesReadTheSame) {
  testing::WriteTextFile(dir_ / "schedule.json", R"({"timezone": "Europe/Berlin", "nodes": [
    {"name": "a", "job": "a.json", "cron": "0 6 * * 1-5", "params": "bizdate=$bizdate"},
    {"name": "b", "job": "b.json", "cron": "0 7 * * 1-5", "upstream": ["a"], "retries": 1}]})");
  auto spec = LoadScheduleDir(dir_.path());
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  EXPECT_EQ(spec->nodes.size(), 2u);
  EXPECT_EQ(spec->nodes[1].time_zone, "Europe/Berlin");
  EXPECT_EQ(spec->nodes[1].line, 3);
  EXPECT_EQ(spec->file, dir_.path() + "/schedule.json");
  testing::TempDir empty;
  EXPECT_EQ(LoadScheduleDir(empty.path()).status().message(),
            empty.path() + ": no schedule.yaml, schedule.yml or schedule.json");
}

TEST(SchedDuration, SecondsOrUnits) {
  EXPECT_EQ(*ParseDurationSeconds("90"), 90);
  EXPECT_EQ(*ParseDurationSeconds("30m"), 1800);
  EXPECT_EQ(*ParseDurationSeconds("1h30m"), 5400);
  EXPECT_EQ(*ParseDurationSeconds("2d"), 172800);
  EXPECT_EQ(*ParseDurationSeconds("1m5s"), 65);
  for (const char* bad : {"", "m", "30x", "1h30", "-5", "1.5h", "30 m", "99999999999s"}) {
    EXPECT_FALSE(ParseDurationSeconds(bad).ok()) << bad;
  }
  EXPECT_EQ(ParseDurationSeconds("30x").status().message(),
            "\"30x\": expected seconds or a duration such as 30m, 1h30m, 45s");
  EXPECT_EQ(FormatDurationSeconds(1800), "30m");
  EXPECT_EQ(FormatDurationSeconds(5405), "1h30m5s");
  EXPECT_EQ(FormatDurationSeconds(2), "2s");
  EXPECT_EQ(FormatDurationSeconds(90000), "1d1h");
}

TEST_F(SchedSpec, MistakesAreNamedWithTheirLine) {
  EXPECT_EQ(Error("nodes:\n  - {name: a, job: a.json, cron: \"0 2 * * *\", timeout: 0}\n"),
            "schedule.yaml:2: node \"a\".timeout: expected seconds or a duration such as 30m, "
            "1h30m, 45s");
  EXPECT_EQ(Error("nodes:\n  - {name: a, job: a.json, cron: \"0 2 * * *\", timeout: [1]}\n"),
            "schedule.yaml:2: node \"a\".timeout: expected seconds or a duration such as 30m, "
            "1h30m, 45s");
  EXPECT_EQ(
      Error("nodes:\n  - {name: a, job: a.json, cron: \"0 2 * * *\", retry: 3}\n"),
      "schedule.yaml:2: node \"a\": unknown key \"retry\" (known: name, job, cron, timezone, "
      "params, upstream, retries, retry_interval, timeout, resource_group, priority, alerts)");
  EXPECT_EQ(Error("nodes:\n  - {name: a, job: zz.json, cron: \"0 2 * * *\"}\n"),
            "schedule.yaml:2: node \"a\": job file " + dir_.path() + "/zz.json not found");
  EXPECT_EQ(Error("nodes:\n  - {name: a, cron: \"0 2 * * *\"}\n"),
            "schedule.yaml:2: node \"a\": \"job\" is required");
  EXPECT_EQ(
      Error("nodes:\n  - {name: a, job: a.json, cron: \"0 2 * *\"}\n"),
      "schedule.yaml:2: node \"a\": cron \"0 2 * *\": expected 5 fields (minute hour day month "
      "weekday) or 6 (second first), got 4");
  EXPECT_EQ(Error("nodes:\n  - {name: a, job: a.json, cron: \"0 2 * * *\", retries: -1}\n"),
            "schedule.yaml:2: node \"a\".retries: expected a whole number >= 0");
  EXPECT_EQ(Error("nodes:\n  - {name: a, job: a.json, cron: \"0 2 * * *\"}\n"
                  "  - {name: a, job: b.json, cron: \"0 2 * * *\"}\n"),
            "schedule.yaml:3: node \"a\" is defined twice (first at line 2)");
  EXPECT_THAT(Error("nodes: [\n"), HasSubstr("schedule.yaml:2:"));
  EXPECT_THAT(Error("nodes:\n  - {? {x: 1} : 2, name: a, job: a.json, cron: \"0 2 * * *\"}\n"),
              HasSubstr("schedule.yaml:2:"));
  EXPECT_EQ(Error("jobs: []\n"), "schedule.yaml: expected a map with \"nodes\": a list of nodes");
}

TEST_F(SchedSpec, UnknownUpstreamsAndCyclesAreRefused) {
  EXPECT_EQ(Error("nodes:\n  - {name: a, job: a.json, cron: \"0 2 * * *\", upstream: [x]}\n"),
            "schedule.yaml:2: node \"a\": upstream \"x\" is not a node of this schedule");
  EXPECT_EQ(Error("nodes:\n"
                  "  - {name: a, job: a.json, cron: \"0 2 * * *\", upstream: [c]}\n"
                  "  - {name: b, job: b.json, cron: \"0 2 * * *\", upstream: [a]}\n"
                  "  - {name: c, job: c.json, cron: \"0 2 * * *\", upstream: [b]}\n"),
            "schedule.yaml: dependency cycle: a -> c -> b -> a");
}

std::vector<std::string> Deps(const ScheduleSpec& spec, const char* node, CivilTime t) {
  std::vector<std::string> out;
  for (const UpstreamCycle& u : UpstreamCycles(spec, *spec.Find(node), t)) {
    out.push_back(u.node + " " + FormatCivilTime(u.cycle.cyctime));
  }
  return out;
}

TEST_F(SchedSpec, UpstreamCyclesAcrossFrequencies) {
  auto spec = Parse(R"(nodes:
  - {name: a, job: a.json, cron: "0 * * * *"}
  - {name: b, job: b.json, cron: "0 */6 * * *", upstream: a}
  - {name: c, job: c.json, cron: "30 1 * * *", upstream: [a, b]}
)");
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  // Every six hours on hourly: the hours since its last cycle.
  EXPECT_EQ(Deps(*spec, "b", CivilTime{2026, 1, 2, 6}),
            (std::vector<std::string>{"a 2026-01-02 01:00:00", "a 2026-01-02 02:00:00",
                                      "a 2026-01-02 03:00:00", "a 2026-01-02 04:00:00",
                                      "a 2026-01-02 05:00:00", "a 2026-01-02 06:00:00"}));
  // Daily on hourly and on six-hourly: every cycle of that day.
  std::vector<std::string> c = Deps(*spec, "c", CivilTime{2026, 1, 2, 1, 30});
  EXPECT_EQ(c.size(), 24u + 4u);
  EXPECT_EQ(c.front(), "a 2026-01-02 00:00:00");
  EXPECT_EQ(c.back(), "b 2026-01-02 18:00:00");
}

}  // namespace
}  // namespace ferry
