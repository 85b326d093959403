// Alerts end to end but for the clock: rules read from a schedule file (and refused with
// file:line when wrong), raised by the scheduler as instances fail, time out, miss their deadline
// or end with too many dirty records, and POSTed by the AlertSender to a real HTTP receiver on
// loopback, with retries, on both stores.
#include "ferry/schedule/alerts.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "tests/support/scheduler_fixture.h"
#include "tests/support/webhook_receiver.h"

namespace ferry {
namespace {

using ::ferry::testing::SchedScheduler;
using ::ferry::testing::TempDir;
using ::ferry::testing::Utc;
using ::ferry::testing::WebhookReceiver;
using ::ferry::testing::WriteTextFile;
using ::testing::HasSubstr;

class SchedAlerts : public SchedScheduler {
 protected:
  std::vector<AlertDelivery> Deliveries() {
    auto d = store_->AlertDeliveries({});
    EXPECT_TRUE(d.ok()) << d.status().message();
    return d.ok() ? *d : std::vector<AlertDelivery>{};
  }
  int Send(AlertSenderOptions options = {}) {
    AlertSender sender(store_.get(), &clock_, options);
    auto sent = sender.SendDue();
    EXPECT_TRUE(sent.ok()) << sent.status().message();
    return sent.ok() ? *sent : -1;
  }
  std::string Schedule(const std::string& alerts, const std::string& node_extra = "") {
    return "alerts:\n" + alerts + "\nnodes:\n  - {name: a, job: a.json, cron: \"0 2 * * *\"" +
           node_extra + "}\n  - {name: b, job: b.json, cron: \"0 2 * * *\"}\n";
  }
  WebhookReceiver hook_;
};

TEST_P(SchedAlerts, AFailedInstanceIsPostedToTheWebhookOnceWithWhatHappened) {
  Deploy(Schedule("  - {on: failure, webhook: \"" + hook_.url("?access_token=s3cret") + "\"}"),
         Utc(2026, 12, 6, 1, 0));
  clock_.now = Utc(2026, 12, 6, 2, 0);
  Tick();
  End("a", "2026-12-06 02:00:00", 1);
  End("b", "2026-12-06 02:00:00", 0);
  Tick();
  std::vector<AlertDelivery> raised = Deliveries();
  ASSERT_EQ(raised.size(), 1u);  // b succeeded: no alert
  EXPECT_EQ(raised[0].node, "a");
  EXPECT_EQ(raised[0].status, "pending");
  Tick();  // a later tick raises nothing again
  EXPECT_EQ(Deliveries().size(), 1u);

  EXPECT_EQ(Send(), 1);
  std::vector<nlohmann::json> got = hook_.bodies();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0]["event"], "failure");
  EXPECT_EQ(got[0]["node"], "a");
  EXPECT_EQ(got[0]["bizdate"], "20261205");
  EXPECT_EQ(got[0]["state"], "failed");
  EXPECT_EQ(got[0]["cyctime"], "2026-12-06 02:00:00");
  EXPECT_THAT(got[0]["text"].get<std::string>(), HasSubstr("failed: boom"));
  // The token of the webhook's address is in no body, record or listing.
  EXPECT_EQ(got[0].dump().find("s3cret"), std::string::npos);
  AlertDelivery sent = Deliveries()[0];
  EXPECT_EQ(sent.status, "delivered");
  EXPECT_EQ(sent.attempts, 1);
  EXPECT_EQ(sent.http_status, 200);
  EXPECT_EQ(sent.ToJson().dump().find("s3cret"), std::string::npos);
  EXPECT_THAT(sent.ToJson()["url"].get<std::string>(), HasSubstr("access_token=***"));
  EXPECT_EQ(Send(), 0);  // nothing left to send
  EXPECT_EQ(hook_.bodies().size(), 1u);
}

TEST_P(SchedAlerts, AFailedDeliveryIsRetriedWithBackoffThenGivenUp) {
  Deploy(Schedule("  - {on: failure, webhook: \"" + hook_.url() + "\"}"), Utc(2026, 12, 6, 1, 0));
  clock_.now = Utc(2026, 12, 6, 2, 0);
  Tick();
  End("a", "2026-12-06 02:00:00", 1);
  Tick();
  hook_.Answer({500, 503});
  AlertSenderOptions options{.max_attempts = 3, .first_retry = std::chrono::seconds{10}};
  EXPECT_EQ(Send(options), 1);
  AlertDelivery d = Deliveries()[0];
  EXPECT_EQ(d.status, "pending");
  EXPECT_EQ(d.attempts, 1);
  EXPECT_EQ(d.http_status, 500);
  EXPECT_EQ(d.error, "HTTP 500");
  EXPECT_EQ(d.next_try_at, (clock_.now + std::chrono::seconds{10}).time_since_epoch().count());
  EXPECT_EQ(Send(options), 0);  // not due yet
  clock_.now += std::chrono::seconds{10};
  EXPECT_EQ(Send(options), 1);  // 503
  EXPECT_EQ(Deliveries()[0].next_try_at,
            (clock_.now + std::chrono::seconds{20}).time_since_epoch().count());
  clock_.now += std::chrono::seconds{20};
  EXPECT_EQ(Send(options), 1);  // 200
  d = Deliveries()[0];
  EXPECT_EQ(d.status, "delivered");
  EXPECT_EQ(d.attempts, 3);
  EXPECT_EQ(hook_.bodies().size(), 3u);

  // A receiver that never answers well: failed after max_attempts, with the last error.
  End("b", "2026-12-06 02:00:00", 1);
  Deploy(Schedule("  - {on: failure, node: b, webhook: \"http://127.0.0.1:1/hook\"}"), clock_.now);
  Tick();
  ASSERT_EQ(Deliveries().size(), 2u);
  for (int i = 0; i < 3; ++i) {
    Send(options);
    clock_.now += std::chrono::seconds{100};
  }
  d = Deliveries()[0];  // newest first
  EXPECT_EQ(d.node, "b");
  EXPECT_EQ(d.status, "failed");
  EXPECT_EQ(d.attempts, 3);
  EXPECT_EQ(d.http_status, 0);
  EXPECT_FALSE(d.error.empty());
}

TEST_P(SchedAlerts, FailureAlertsWaitUntilTheRetriesAreSpent) {
  Deploy(Schedule("  - {on: failure, webhook: \"" + hook_.url() + "\"}",
                  ", retries: 1, retry_interval: 60"),
         Utc(2026, 12, 6, 1, 0));
  clock_.now = Utc(2026, 12, 6, 2, 0);
  Tick();
  End("a", "2026-12-06 02:00:00", 1);
  Tick();
  EXPECT_EQ(State("a", "2026-12-06 02:00:00"), "waiting_time");
  EXPECT_TRUE(Deliveries().empty());
  clock_.now += std::chrono::seconds{60};
  Tick();
  End("a", "2026-12-06 02:00:00", 1);
  Tick();
  EXPECT_EQ(State("a", "2026-12-06 02:00:00"), "failed");
  ASSERT_EQ(Deliveries().size(), 1u);
  EXPECT_EQ(Deliveries()[0].event, AlertEvent::kFailure);
}

TEST_P(SchedAlerts, ARunPastItsTimeoutAlertsAtOnce) {
  Deploy(Schedule("  - {on: timeout, webhook: \"" + hook_.url() + "\"}", ", timeout: 30m"),
         Utc(2026, 12, 6, 1, 0));
  clock_.now = Utc(2026, 12, 6, 2, 0);
  Tick();
  clock_.now += std::chrono::minutes{29};
  Tick();
  EXPECT_TRUE(Deliveries().empty());
  clock_.now += std::chrono::minutes{2};
  Tick();
  ASSERT_EQ(Deliveries().size(), 1u);
  EXPECT_EQ(Deliveries()[0].event, AlertEvent::kTimeout);
  Send();
  ASSERT_EQ(hook_.bodies().size(), 1u);
  EXPECT_EQ(hook_.bodies()[0]["detail"], "timed out after 30m");
}

TEST_P(SchedAlerts, AnInstanceNotFinishedByItsDeadlineAlertsOnce) {
  Deploy(Schedule("  - {on: not_finished_by, at: \"06:30\", webhook: \"" + hook_.url() + "\"}"),
         Utc(2026, 12, 6, 1, 0));
  clock_.now = Utc(2026, 12, 6, 2, 0);
  Tick();
  End("b", "2026-12-06 02:00:00", 0);  // b finishes in time; a runs on
  clock_.now = Utc(2026, 12, 6, 6, 29);
  Tick();
  EXPECT_TRUE(Deliveries().empty());
  clock_.now = Utc(2026, 12, 6, 6, 30);
  Tick();
  std::vector<AlertDelivery> raised = Deliveries();
  ASSERT_EQ(raised.size(), 1u);
  EXPECT_EQ(raised[0].node, "a");
  EXPECT_EQ(raised[0].event, AlertEvent::kNotFinishedBy);
  clock_.now = Utc(2026, 12, 6, 7, 0);
  Tick();
  EXPECT_EQ(Deliveries().size(), 1u);
  Send();
  ASSERT_EQ(hook_.bodies().size(), 1u);
  EXPECT_THAT(hook_.bodies()[0]["detail"].get<std::string>(),
              HasSubstr("not finished by 06:30 (running"));
}

TEST_P(SchedAlerts, DirtyRecordsAboveTheThresholdAlertEvenWhenTheRunSucceeded) {
  Deploy(Schedule("  - {on: dirty_above, threshold: 5, webhook: \"" + hook_.url() + "\"}"),
         Utc(2026, 12, 6, 1, 0));
  clock_.now = Utc(2026, 12, 6, 2, 0);
  Tick();
  launcher_.End(Get("a", "2026-12-06 02:00:00").pid, 0, "", {{"dirty_records", 6}});
  launcher_.End(Get("b", "2026-12-06 02:00:00").pid, 0, "", {{"dirty_records", 5}});
  Tick();
  std::vector<AlertDelivery> raised = Deliveries();
  ASSERT_EQ(raised.size(), 1u);
  EXPECT_EQ(raised[0].node, "a");
  Send();
  ASSERT_EQ(hook_.bodies().size(), 1u);
  EXPECT_EQ(hook_.bodies()[0]["dirty_records"], 6);
  EXPECT_EQ(hook_.bodies()[0]["state"], "succeeded");
  EXPECT_THAT(hook_.bodies()[0]["detail"].get<std::string>(),
              HasSubstr("6 dirty records, above the alert's threshold of 5"));
}

TEST_P(SchedAlerts, ARuleUnderANodeIsThatNodesOnly) {
  Deploy(R"(
nodes:
  - name: a
    job: a.json
    cron: "0 2 * * *"
    alerts:
      - {on: failure, webhook: ")" +
             hook_.url() + R"("}
  - {name: b, job: b.json, cron: "0 2 * * *"}
)",
         Utc(2026, 12, 6, 1, 0));
  clock_.now = Utc(2026, 12, 6, 2, 0);
  Tick();
  End("a", "2026-12-06 02:00:00", 1);
  End("b", "2026-12-06 02:00:00", 1);
  Tick();
  std::vector<AlertDelivery> raised = Deliveries();
  ASSERT_EQ(raised.size(), 1u);
  EXPECT_EQ(raised[0].node, "a");
}

TEST_P(SchedAlerts, TwoSendersOnOneStorePostEachAlertOnce) {
  Deploy(Schedule("  - {on: failure, webhook: \"" + hook_.url() + "\"}"), Utc(2026, 12, 6, 1, 0));
  clock_.now = Utc(2026, 12, 6, 2, 0);
  Tick();
  End("a", "2026-12-06 02:00:00", 1);
  End("b", "2026-12-06 02:00:00", 1);
  Tick();
  ASSERT_EQ(Deliveries().size(), 2u);
  std::unique_ptr<Store> other = OpenStore();
  ASSERT_TRUE(other);
  AlertSender first(store_.get(), &clock_), second(other.get(), &clock_);
  std::thread t([&] { (void)second.SendDue(); });
  (void)first.SendDue();
  t.join();
  EXPECT_EQ(hook_.bodies().size(), 2u);
  for (const AlertDelivery& d : Deliveries()) EXPECT_EQ(d.status, "delivered");
}

INSTANTIATE_TEST_SUITE_P(Stores, SchedAlerts, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

// Rules that cannot work are refused when the schedule is read, with the line and what to write.
TEST(AlertRules, WrongRulesAreRefusedWithTheirLine) {
  TempDir dir;
  WriteTextFile(dir / "a.json", "{}");
  auto spec = ParseSchedule(R"(alerts:
  - {on: failed, webhook: "http://h/x"}
  - {on: not_finished_by, webhook: "http://h/x"}
  - {on: dirty_above, threshold: -1, webhook: "http://h/x"}
  - {on: failure, webhook: "ftp://h/x"}
  - {on: failure, node: nope, webhook: "http://h/x"}
  - {on: failure, webhook: "http://h/x", color: red}
  - {on: timeout, at: "25:00", webhook: "http://h/x"}
nodes:
  - {name: a, job: a.json, cron: "0 2 * * *"}
)",
                            "schedule.yaml", dir.path());
  ASSERT_FALSE(spec.ok());
  const std::string& m = spec.status().message();
  EXPECT_THAT(m, HasSubstr("schedule.yaml:2: alerts[0].on: \"failed\" is not an event (known: "
                           "failure, timeout, not_finished_by, dirty_above)"));
  EXPECT_THAT(m, HasSubstr("schedule.yaml:3: alerts[1]: \"at\" (HH:MM) is required with on: "
                           "not_finished_by"));
  EXPECT_THAT(m, HasSubstr("schedule.yaml:4: alerts[2].threshold: expected a whole number >= 0"));
  EXPECT_THAT(m, HasSubstr("schedule.yaml:5: alerts[3].webhook: \"ftp://h/x\": expected an "
                           "http:// or https:// URL with a host"));
  EXPECT_THAT(m, HasSubstr("schedule.yaml:6: alert rule: node \"nope\" is not a node of this "
                           "schedule"));
  EXPECT_THAT(m, HasSubstr("schedule.yaml:7: alerts[5]: unknown key \"color\""));
  EXPECT_THAT(m, HasSubstr("schedule.yaml:8: alerts[6].at: only for on: not_finished_by"));
}

TEST(AlertRules, SurviveTheStoreRoundTrip) {
  TempDir dir;
  WriteTextFile(dir / "a.json", "{}");
  auto spec = ParseSchedule(R"(alerts:
  - {on: not_finished_by, at: "06:30", webhook: "https://h/x?token=t"}
  - {on: dirty_above, threshold: 7, node: a, webhook: "http://h/y"}
nodes:
  - {name: a, job: a.json, cron: "0 2 * * *", alerts: [{on: failure, webhook: "http://h/z"}]}
)",
                            "schedule.yaml", dir.path());
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  auto back = ScheduleSpec::FromJson(spec->ToJson());
  ASSERT_TRUE(back.ok()) << back.status().message();
  ASSERT_EQ(back->alerts.size(), 3u);
  EXPECT_EQ(back->alerts[0].ToJson(true), (nlohmann::json{{"on", "not_finished_by"},
                                                          {"node", "*"},
                                                          {"at", "06:30"},
                                                          {"webhook", "https://h/x?token=t"}}));
  EXPECT_EQ(back->alerts[1].threshold, 7);
  EXPECT_EQ(back->alerts[2].node, "a");
  EXPECT_EQ(back->alerts[2].on, AlertEvent::kFailure);
  EXPECT_EQ(back->alerts[0].Key(), spec->alerts[0].Key());
}

TEST(AlertRules, TheDeadlineIsTheFirstSuchTimeAfterTheCycleInTheNodesZone) {
  TempDir dir_;
  WriteTextFile(dir_ / "a.json", "{}");
  WriteTextFile(dir_ / "h.json", "{}");
  auto parsed = ParseSchedule(R"(
alerts:
  - {on: not_finished_by, at: "06:30", webhook: "http://h/x"}
nodes:
  - {name: a, job: a.json, cron: "0 2 * * *", timezone: Asia/Shanghai}
  - {name: h, job: h.json, cron: "0 * * * *"}
)",
                              "schedule.yaml", dir_.path());
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  const AlertRule& rule = parsed->alerts[0];
  // 06:30 in Shanghai (UTC+8) of the day the 02:00 cycle runs.
  EXPECT_EQ(*AlertDeadline(parsed->nodes[0], rule, *ParseCyctime("2026-12-06 02:00:00")),
            Utc(2026, 12, 5, 22, 30));
  // An hourly cycle after 06:30 has its deadline the next day.
  EXPECT_EQ(*AlertDeadline(parsed->nodes[1], rule, *ParseCyctime("2026-12-06 07:00:00")),
            Utc(2026, 12, 7, 6, 30));
}

TEST(AlertRules, RedactUrlHidesUserAndQueryValues) {
  EXPECT_EQ(RedactUrl("https://oapi.dingtalk.com/robot/send?access_token=abc&x=1"),
            "https://oapi.dingtalk.com/robot/send?access_token=***&x=***");
  EXPECT_EQ(RedactUrl("http://user:pw@host:8080/hook"), "http://***@host:8080/hook");
  EXPECT_EQ(RedactUrl("http://host/hook"), "http://host/hook");
  EXPECT_EQ(RedactUrl("http://host/hook?flag#frag"), "http://host/hook?flag#frag");
}

}  // namespace
}  // namespace ferry
