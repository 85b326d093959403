// SplitSource: where channels take their next split from. SplitQueue holds them in this process;
// a distributed worker asks its coordinator (exec/distributed_runner.h). Thread-safe.
#pragma once

#include <deque>
#include <mutex>
#include <optional>
#include <vector>

#include "ferry/plugin/split.h"

namespace ferry {

class SplitSource {
 public:
  virtual ~SplitSource() = default;
  // The next split to run, or nullopt when none is left.
  virtual std::optional<Split> Next() = 0;
};

// SplitQueue: the splits still to run, handed out one at a time to whichever channel is free,
// so a slow channel takes fewer.
class SplitQueue : public SplitSource {
 public:
  explicit SplitQueue(std::vector<Split> splits) : splits_(splits.begin(), splits.end()) {}
  std::optional<Split> Next() override {
    std::lock_guard lock(mu_);
    if (splits_.empty()) return std::nullopt;
    Split s = std::move(splits_.front());
    splits_.pop_front();
    return s;
  }

 private:
  std::mutex mu_;
  std::deque<Split> splits_;
};

}  // namespace ferry
