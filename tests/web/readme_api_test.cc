// README.md's HTTP API calls, pasted as a user would (tests/web/readme_api.py): every curl line of
// its "The HTTP API" block answers 2xx from a real `ferry server`.
#include <gtest/gtest.h>

#include <filesystem>

#include "ferry/schedule/deploy.h"
#include "tests/support/ferry_cli.h"

namespace ferry::testing {
namespace {

TEST(SchedReadmeApi, EveryCurlCallOfTheReadmeWorks) {
  for (const char* needed : {"/usr/bin/curl", "/usr/bin/python3"}) {
    if (!std::filesystem::exists(needed)) GTEST_SKIP() << needed << " is not installed";
  }
  auto r = RunCaptured({"/usr/bin/python3", SourceDir() + "/tests/web/readme_api.py", "--ferry",
                        FerryBinary(), "--readme", SourceDir() + "/README.md"},
                       "");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->exit_code, 0) << r->output;
}

}  // namespace
}  // namespace ferry::testing
