// Split: the unit of work, retry, checkpoint and resume. A reader plans splits; every field is
// plain JSON so a split can be saved in the run directory and sent to another machine.
#pragma once

#include <algorithm>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace ferry {

struct Split {
  std::string id;       // unique and stable within a job: "0007"
  nlohmann::json spec;  // reader-defined: {"table": "orders", "lo": 1, "hi": 5000}
  std::string Describe() const { return id + " " + spec.dump(); }
};

// The inclusive integer key range [lo, hi] of `column` (the splitPk) that a split reads.
struct SplitKeyRange {
  std::string column;
  int64_t lo = 0;
  int64_t hi = 0;
};

// The columns that identify a source's rows, as its catalog names them, and what makes them
// unique: "primary key" or "unique index NAME". No columns: the source has no such key.
struct SourceRowKey {
  std::vector<std::string> columns;
  std::string origin;
};

// What a committed split did, recorded together with its commit (the destination's commit
// marker and committed.log), so that a resumed run reports the whole job.
struct SplitFigures {
  int64_t records_read = 0;
  int64_t bytes_read = 0;
  int64_t records_written = 0;
  int64_t dirty_records = 0;
  // Which attempt of the split committed (1 for the first): its dirty records carry the same
  // number, so those of attempts that were rolled back can be told apart.
  int64_t attempt = 0;
};

// One split per spec, in plan order, with ids "0000", "0001", ... (wider once the count needs
// it) so ids sort in plan order. Spec has `nlohmann::json ToJson() const`.
template <typename Spec>
std::vector<Split> NumberSplits(const std::vector<Spec>& specs) {
  const size_t width = std::max<size_t>(4, std::to_string(specs.size()).size());
  std::vector<Split> out;
  out.reserve(specs.size());
  for (size_t i = 0; i < specs.size(); ++i) {
    std::string id = std::to_string(i);
    out.push_back({std::string(width - id.size(), '0') + id, specs[i].ToJson()});
  }
  return out;
}

inline void to_json(nlohmann::json& j, const Split& s) { j = {{"id", s.id}, {"spec", s.spec}}; }
inline void from_json(const nlohmann::json& j, Split& s) {
  j.at("id").get_to(s.id);
  s.spec = j.at("spec");
}

}  // namespace ferry
