// FirstError: the job's sticky failure. The first fatal error wins, is the one reported, and
// requests a stop of every channel.
#pragma once

#include <mutex>
#include <stop_token>

#include "ferry/common/status.h"

namespace ferry {

class FirstError {
 public:
  explicit FirstError(std::stop_source* stop) : stop_(stop) {}
  void Set(const Status& st) {
    if (st.ok()) return;
    {
      std::lock_guard lock(mu_);
      if (status_.ok()) status_ = st;
    }
    stop_->request_stop();
  }
  Status Get() const {
    std::lock_guard lock(mu_);
    return status_;
  }

 private:
  std::stop_source* stop_;
  mutable std::mutex mu_;
  Status status_;
};

}  // namespace ferry
