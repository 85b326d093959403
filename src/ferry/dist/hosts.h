// Host lists of a distributed run (DESIGN 8): `--hosts h1:4,h2:4`, an Open MPI hostfile, and the
// nodes of a Slurm allocation (SLURM_JOB_NODELIST in Slurm's compressed syntax, node[01-03]).
// A host's slots are its share of the job's channels.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/common/status.h"

namespace ferry {

struct HostSlots {
  std::string host;
  int slots = 1;
  bool operator==(const HostSlots&) const = default;
};

// "h1:4,h2:4,h3" (slots default to 1). Errors name the entry.
Result<std::vector<HostSlots>> ParseHostList(std::string_view text);
// "h1:4,h2:4".
std::string FormatHostList(const std::vector<HostSlots>& hosts);

// An Open MPI hostfile: one host a line, "h1 slots=4" (or "h1:4", or "h1"); '#' comments.
Result<std::vector<HostSlots>> ParseHostfile(std::string_view text, const std::string& file);
Result<std::vector<HostSlots>> ReadHostfile(const std::string& path);

// Slurm's host-list syntax: "node[01-03,07],gpu5,io[1-2]x" -> node01 node02 node03 node07 gpu5
// io1x io2x. Zero padding is kept; one bracket group per name.
Result<std::vector<std::string>> ExpandSlurmHostList(std::string_view text);
// SLURM_JOB_CPUS_PER_NODE: "8(x2),4" -> 8 8 4.
Result<std::vector<int>> ExpandSlurmCounts(std::string_view text);

// The hosts of the Slurm allocation this process runs in (SLURM_JOB_NODELIST, slots from
// SLURM_JOB_CPUS_PER_NODE, else 1), or nullopt outside one. `getenv` is injectable for tests.
Result<std::optional<std::vector<HostSlots>>> SlurmAllocationHosts(
    const std::function<const char*(const char*)>& getenv);

}  // namespace ferry
