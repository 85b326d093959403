#include "ferry/dist/hosts.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "ferry/dist/launch.h"

namespace ferry {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(HostList, HostsWithSlots) {
  auto hosts = ParseHostList("h1:4, h2:8,h3");
  ASSERT_TRUE(hosts.ok()) << hosts.status().message();
  EXPECT_THAT(*hosts, ElementsAre(HostSlots{"h1", 4}, HostSlots{"h2", 8}, HostSlots{"h3", 1}));
  EXPECT_EQ(FormatHostList(*hosts), "h1:4,h2:8,h3:1");
}

TEST(HostList, BadEntriesAreNamed) {
  EXPECT_THAT(ParseHostList("h1:0").status().message(), HasSubstr("slots of h1"));
  EXPECT_THAT(ParseHostList("h1:x").status().message(), HasSubstr("not \"x\""));
  EXPECT_THAT(ParseHostList("h 1:2").status().message(), HasSubstr("not a host name"));
  EXPECT_THAT(ParseHostList(" , ").status().message(), HasSubstr("empty"));
}

TEST(Hostfile, OpenMpiFormat) {
  auto hosts = ParseHostfile(
      "# the cluster\n"
      "node1 slots=4\n"
      "\n"
      "node2 slots=2 max_slots=8  # GPU box\n"
      "node3:3\n"
      "node4\n",
      "hosts.txt");
  ASSERT_TRUE(hosts.ok()) << hosts.status().message();
  EXPECT_THAT(*hosts, ElementsAre(HostSlots{"node1", 4}, HostSlots{"node2", 2},
                                  HostSlots{"node3", 3}, HostSlots{"node4", 1}));
}

TEST(Hostfile, ErrorsNameTheLine) {
  EXPECT_EQ(ParseHostfile("a slots=2\nb cpus=3\n", "hf").status().message(),
            "hf:2: unknown \"cpus=3\"; a line is HOST [slots=N]");
  EXPECT_THAT(ParseHostfile("# nothing\n", "hf").status().message(), HasSubstr("names no host"));
}

TEST(SlurmHostList, ExpandsRangesListsAndPadding) {
  auto names = ExpandSlurmHostList("node[01-03,07],gpu5,io[8-10]x");
  ASSERT_TRUE(names.ok()) << names.status().message();
  EXPECT_THAT(*names,
              ElementsAre("node01", "node02", "node03", "node07", "gpu5", "io8x", "io9x", "io10x"));
  EXPECT_THAT(*ExpandSlurmHostList("c[098-101]"), ElementsAre("c098", "c099", "c100", "c101"));
  EXPECT_THAT(*ExpandSlurmHostList("single"), ElementsAre("single"));
}

TEST(SlurmHostList, Malformed) {
  EXPECT_THAT(ExpandSlurmHostList("node[1-3").status().message(), HasSubstr("unclosed"));
  EXPECT_THAT(ExpandSlurmHostList("node[3-1]").status().message(), HasSubstr("bad range"));
  EXPECT_THAT(ExpandSlurmHostList("a[1-2]b[1-2]").status().message(),
              HasSubstr("one bracket group"));
}

TEST(SlurmCounts, RepeatCounts) {
  EXPECT_THAT(*ExpandSlurmCounts("8(x2),4"), ElementsAre(8, 8, 4));
  EXPECT_THAT(*ExpandSlurmCounts("2"), ElementsAre(2));
  EXPECT_FALSE(ExpandSlurmCounts("8(x0)").ok());
}

TEST(SlurmAllocation, NodesAndCpusFromTheEnvironment) {
  std::map<std::string, std::string> env = {{"SLURM_JOB_NODELIST", "n[1-3]"},
                                            {"SLURM_JOB_CPUS_PER_NODE", "4(x2),2"}};
  auto getenv = [&](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  };
  auto hosts = SlurmAllocationHosts(getenv);
  ASSERT_TRUE(hosts.ok());
  ASSERT_TRUE(hosts->has_value());
  EXPECT_THAT(**hosts, ElementsAre(HostSlots{"n1", 4}, HostSlots{"n2", 4}, HostSlots{"n3", 2}));
  env.clear();
  EXPECT_FALSE(SlurmAllocationHosts(getenv)->has_value());
}

TEST(MpiLaunch, DetectedFromTheLauncherEnvironment) {
  std::map<std::string, std::string> env;
  auto getenv = [&](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  };
  EXPECT_FALSE(MpiLaunchFromEnv(getenv).has_value());
  env = {{"OMPI_COMM_WORLD_SIZE", "3"}, {"OMPI_COMM_WORLD_RANK", "2"}};
  ASSERT_TRUE(MpiLaunchFromEnv(getenv).has_value());
  EXPECT_EQ(MpiLaunchFromEnv(getenv)->rank, 2);
  EXPECT_EQ(MpiLaunchFromEnv(getenv)->size, 3);
  env = {{"PMI_SIZE", "4"}, {"PMI_RANK", "0"}};  // srun --mpi=pmi2
  EXPECT_EQ(MpiLaunchFromEnv(getenv)->size, 4);
  env = {{"PMIX_RANK", "1"}, {"SLURM_NTASKS", "5"}};  // srun --mpi=pmix
  EXPECT_EQ(MpiLaunchFromEnv(getenv)->rank, 1);
  EXPECT_EQ(MpiLaunchFromEnv(getenv)->size, 5);
}

MpiLaunchRequest Request(std::vector<HostSlots> hosts) {
  MpiLaunchRequest r;
  r.hosts = std::move(hosts);
  r.local_host = "vm";
  r.ferry = "/opt/ferry/bin/ferry";
  r.run_args = {"run", "job.json", "--run-dir", "runs/r1"};
  r.forward_env = {"FERRY_HOME"};
  r.hostfile_path = "runs/r1/hostfile";
  return r;
}

TEST(PlanLaunch, CoordinatorHereThenOneWorkerPerHost) {
  LaunchPlan plan = PlanLaunch(Request({{"h1", 4}, {"h2", 8}}));
  EXPECT_EQ(plan.hostfile_text, "localhost slots=1\nh1 slots=1\nh2 slots=1\n");
  EXPECT_EQ(plan.ranks, 3);
  EXPECT_THAT(plan.weights, ElementsAre(4, 8));
  EXPECT_EQ(ShellCommand(plan.argv),
            "mpirun --hostfile runs/r1/hostfile -np 3 --map-by slot --bind-to none -x FERRY_HOME "
            "/opt/ferry/bin/ferry run job.json --run-dir runs/r1 --dist-weights 4,8");
}

TEST(PlanLaunch, ThisMachineListedIsMergedWithTheCoordinator) {
  LaunchPlan plan = PlanLaunch(Request({{"h1", 2}, {"vm", 4}, {"h1", 3}}));
  EXPECT_EQ(plan.hostfile_text, "vm slots=2\nh1 slots=2\n");
  EXPECT_EQ(plan.ranks, 4);
  // Ranks follow the hostfile: 0 coordinator and 1 (vm:4) here, then 2 and 3 on h1.
  EXPECT_THAT(plan.weights, ElementsAre(4, 2, 3));
}

TEST(ShellCommand, QuotesWhatAShellWouldSplit) {
  EXPECT_EQ(ShellCommand({"a", "b c", "it's", ""}), "a 'b c' 'it'\\''s' ''");
}

}  // namespace
}  // namespace ferry
