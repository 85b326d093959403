// The operations page in headless Chromium (tests/web/ops_page.py): instances shown, a rerun
// through the confirmation succeeds, API bad input gets 4xx. The screenshot is kept under the
// build folder: test-artifacts/ops_page.png.
#include <gtest/gtest.h>

#include <filesystem>

#include "ferry/schedule/deploy.h"
#include "tests/support/ferry_cli.h"

namespace ferry::testing {
namespace {

TEST(SchedWebPage, RerunInHeadlessChromiumAndKeepAScreenshot) {
  for (const char* needed : {"/usr/bin/chromium", "/usr/bin/chromedriver", "/usr/bin/python3"}) {
    if (!std::filesystem::exists(needed)) GTEST_SKIP() << needed << " is not installed";
  }
  std::string shot =
      (std::filesystem::path(FerryBinary()).parent_path() / "test-artifacts" / "ops_page.png")
          .string();
  std::filesystem::remove(shot);
  auto r = RunCaptured({"/usr/bin/python3", SourceDir() + "/tests/web/ops_page.py", "--ferry",
                        FerryBinary(), "--screenshot", shot},
                       "");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->exit_code, 0) << r->output;
  EXPECT_TRUE(std::filesystem::exists(shot)) << r->output;
}

}  // namespace
}  // namespace ferry::testing
