#include "ferry/common/fault_point.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <string>
#include <vector>

namespace ferry {
namespace {

struct Armed {
  std::string name;
  long at = 1;  // the hit that fires, from 1
  int signal = SIGKILL;
  std::atomic<long> hits{0};
};

// Parsed once; the vector never changes after, so hits can be counted without a lock.
std::deque<Armed>& ArmedPoints() {
  static std::deque<Armed>* points = [] {
    auto* out = new std::deque<Armed>();
    const char* env = std::getenv("FERRY_FAULT");
    std::string spec = env ? env : "";
    size_t pos = 0;
    std::vector<std::string> entries;
    while (pos <= spec.size()) {
      size_t comma = spec.find(',', pos);
      if (comma == std::string::npos) comma = spec.size();
      if (comma > pos) entries.push_back(spec.substr(pos, comma - pos));
      pos = comma + 1;
    }
    for (const std::string& e : entries) {
      std::string name = e;
      int sig = SIGKILL;
      if (size_t colon = name.find(':'); colon != std::string::npos) {
        if (name.substr(colon + 1) == "term") sig = SIGTERM;
        name.resize(colon);
      }
      long at = 1;
      if (size_t at_sign = name.find('@'); at_sign != std::string::npos) {
        at = std::max(1L, std::strtol(name.c_str() + at_sign + 1, nullptr, 10));
        name.resize(at_sign);
      }
      Armed& a = out->emplace_back();
      a.name = name;
      a.at = at;
      a.signal = sig;
    }
    return out;
  }();
  return *points;
}

bool ReadArmed() {
  const char* env = std::getenv("FERRY_FAULT");
  return env != nullptr && *env != '\0';
}

}  // namespace

namespace fault_point_internal {
const bool kArmed = ReadArmed();
}

void FaultPointHit(const char* name) {
  for (Armed& a : ArmedPoints()) {
    if (a.name != name) continue;
    if (a.hits.fetch_add(1) + 1 != a.at) continue;
    static const char kMsg[] = "ferry: fault point reached, killing the process: ";
    (void)!::write(STDERR_FILENO, kMsg, sizeof(kMsg) - 1);
    (void)!::write(STDERR_FILENO, name, std::strlen(name));
    (void)!::write(STDERR_FILENO, "\n", 1);
    ::kill(::getpid(), a.signal);
    if (a.signal == SIGKILL) ::pause();
  }
}

}  // namespace ferry
