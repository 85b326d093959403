// The Data Studio in headless Chromium (tests/web/studio_page.py): a new user's whole path from
// a template to a published node with instances, and the alert of its failed run. Screenshots of every step are kept under the
// build folder: test-artifacts/studio/NN-step.png.
#include <gtest/gtest.h>

#include <filesystem>

#include "ferry/schedule/deploy.h"
#include "tests/support/ferry_cli.h"

namespace ferry::testing {
namespace {

TEST(StudioWebPage, NewUserWritesChecksDebugRunsSchedulesAndPublishesAJob) {
  for (const char* needed : {"/usr/bin/chromium", "/usr/bin/chromedriver", "/usr/bin/python3"}) {
    if (!std::filesystem::exists(needed)) GTEST_SKIP() << needed << " is not installed";
  }
  std::filesystem::path artifacts =
      std::filesystem::path(FerryBinary()).parent_path() / "test-artifacts" / "studio";
  std::filesystem::remove_all(artifacts);
  auto r = RunCaptured({"/usr/bin/python3", SourceDir() + "/tests/web/studio_page.py", "--ferry",
                        FerryBinary(), "--artifacts", artifacts.string()},
                       "");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->exit_code, 0) << r->output;
  for (const char* step : {"01-develop.png", "03-misspelled-key-marked.png",
                           "06-debug-run-succeeded.png", "09-published.png", "10-operations.png",
                           "11-alert-delivered.png"}) {
    EXPECT_TRUE(std::filesystem::exists(artifacts / step)) << step << "\n" << r->output;
  }
}

}  // namespace
}  // namespace ferry::testing
