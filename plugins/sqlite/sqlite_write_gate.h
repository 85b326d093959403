// SqliteWriteGate: lets one WriterTask of a job at a time hold the database's write transaction.
// SQLite has a single writer per file; tasks of the same job queue here, in process, and get the
// lock the moment the previous split commits, instead of polling in SQLite's busy handler and
// failing once busyTimeoutMs passes while a long split is being written. Other processes are
// still waited for by busy_timeout.
// A thread must Release before it Acquires again (it would otherwise wait for itself).
#pragma once

#include <condition_variable>
#include <mutex>

namespace ferry {

class SqliteWriteGate {
 public:
  void Acquire() {
    std::unique_lock lock(mu_);
    free_.wait(lock, [this] { return !held_; });
    held_ = true;
  }
  // May be called from another thread than the one that acquired.
  void Release() {
    {
      std::lock_guard lock(mu_);
      held_ = false;
    }
    free_.notify_one();
  }

 private:
  std::mutex mu_;
  std::condition_variable free_;
  bool held_ = false;
};

}  // namespace ferry
