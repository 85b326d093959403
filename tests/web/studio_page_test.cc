// The Data Studio in headless Chromium (tests/web/studio_page.py): a new user's whole path from
// a template to a published node with instances, and the alert of its failed run. Screenshots of
// every step are kept under the build folder: test-artifacts/studio/NN-step.png.
#include <gtest/gtest.h>

#include <filesystem>

#include "ferry/schedule/deploy.h"
#include "tests/support/ferry_cli.h"
#include "tests/support/pg_test_server.h"

namespace ferry::testing {
namespace {

// A GCC 12 false positive inside libstdc++'s inlined string move constructor (GCC PR 109299). It is
// reported at the test's closing brace, so the pragmas enclose the whole test.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Warray-bounds"
#pragma GCC diagnostic ignored "-Wstringop-overflow"
TEST(StudioWebPage, NewUserWritesChecksDebugRunsSchedulesAndPublishesAJob) {
  for (const char* needed : {"/usr/bin/chromium", "/usr/bin/chromedriver", "/usr/bin/python3"}) {
    if (!std::filesystem::exists(needed)) GTEST_SKIP() << needed << " is not installed";
  }
  std::filesystem::path artifacts =
      std::filesystem::path(FerryBinary()).parent_path() / "test-artifacts" / "studio";
  std::filesystem::remove_all(artifacts);
  ASSERT_TRUE(TestPgServer().ok);  // the data-source step tests a connection to it
  auto r = RunCaptured({"/usr/bin/python3", SourceDir() + "/tests/web/studio_page.py", "--ferry",
                        FerryBinary(), "--artifacts", artifacts.string(), "--pg-conn",
                        std::string(FERRY_TEST_SERVERS_DIR) + "/pg/conn.json"},
                       "");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->exit_code, 0) << r->output;
  std::string shots;
  for (const auto& f : std::filesystem::directory_iterator(artifacts)) {
    shots += f.path().filename().string() + " ";
  }
  for (const char* step :
       {"develop", "misspelled-key-marked", "debug-run-succeeded", "completion", "hover-help",
        "dirty-records", "stopped", "schedule-set", "published", "operations", "alert-delivered",
        "global-rule-saved", "datasource-tested"}) {
    EXPECT_NE(shots.find(std::string("-") + step + ".png"), std::string::npos)
        << step << " (screenshots: " << shots << ")";
  }
}
#pragma GCC diagnostic pop

}  // namespace
}  // namespace ferry::testing
