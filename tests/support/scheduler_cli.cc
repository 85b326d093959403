#include "tests/support/scheduler_cli.h"

#include <gtest/gtest.h>
#include <spawn.h>

#include <chrono>
#include <thread>

#include "tests/support/ferry_cli.h"

extern char** environ;

namespace ferry::testing {

pid_t Spawn(const std::vector<std::string>& args, const std::string& log) {
  std::vector<std::string> argv_s = {"/bin/sh", "-c", "exec \"$0\" \"$@\" >>" + log + " 2>&1",
                                     FerryBinary()};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& s : argv_s) argv.push_back(s.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  posix_spawn(&pid, "/bin/sh", nullptr, nullptr, argv.data(), environ);
  return pid;
}

int BackfillOneDate(const std::string& store, const std::string& node, const std::string& date) {
  CliResult r = RunFerry({"ops", "backfill", node, "--from", date, "--to", date, "--store", store});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.exit_code;
}

CliResult ServeUntilIdle(const std::string& store, const std::vector<std::string>& extra) {
  std::vector<std::string> args = {"server", "--store", store, "--no-http", "--tick-ms", "20"};
  args.insert(args.end(), extra.begin(), extra.end());
  args.push_back("--exit-when-idle");
  return RunFerry(args);
}

nlohmann::json Instances(const std::string& store) {
  CliResult r = RunFerry({"ops", "list", "--json", "--store", store});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return nlohmann::json::parse(r.out, nullptr, false);
}

nlohmann::json WaitForInstance(const std::string& store,
                               const std::function<bool(const nlohmann::json&)>& done) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  nlohmann::json last;
  while (std::chrono::steady_clock::now() < deadline) {
    nlohmann::json all = Instances(store);
    if (all.is_array() && !all.empty()) {
      last = all[0];
      if (done(last)) return last;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ADD_FAILURE() << "timed out; last seen " << last.dump();
  return last;
}

}  // namespace ferry::testing
