// Split: the unit of work, retry, checkpoint and resume. A reader plans splits; every field is
// plain JSON so a split can be saved in the run directory and sent to another machine.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace ferry {

struct Split {
  std::string id;       // unique and stable within a job: "0007"
  nlohmann::json spec;  // reader-defined: {"table": "orders", "lo": 1, "hi": 5000}
  std::string Describe() const { return id + " " + spec.dump(); }
};

inline void to_json(nlohmann::json& j, const Split& s) { j = {{"id", s.id}, {"spec", s.spec}}; }
inline void from_json(const nlohmann::json& j, Split& s) {
  j.at("id").get_to(s.id);
  s.spec = j.at("spec");
}

}  // namespace ferry
