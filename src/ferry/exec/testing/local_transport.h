// LocalNetwork: the ranks of a distributed run as threads of one process, for tests of the
// coordinator and the workers without mpirun. Messages between two ranks keep their order.
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

#include "ferry/exec/transport.h"

namespace ferry::testing {

class LocalNetwork {
 public:
  explicit LocalNetwork(int size) {
    for (int r = 0; r < size; ++r) mailboxes_.push_back(std::make_unique<Mailbox>());
    for (int r = 0; r < size; ++r) ranks_.push_back(std::make_unique<Rank>(this, r));
  }
  Transport* rank(int r) { return ranks_[static_cast<size_t>(r)].get(); }
  // Messages sent so far, over every rank.
  int64_t messages() const { return messages_.load(); }
  int64_t bytes() const { return bytes_.load(); }

 private:
  struct Mailbox {
    std::mutex mu;
    std::condition_variable cv;
    std::deque<TransportMessage> queue;
  };

  class Rank : public Transport {
   public:
    Rank(LocalNetwork* net, int rank) : net_(net), rank_(rank) {}
    int rank() const override { return rank_; }
    int size() const override { return static_cast<int>(net_->mailboxes_.size()); }
    Status Send(int to, std::string body) override {
      ++net_->messages_;
      net_->bytes_ += static_cast<int64_t>(body.size());
      Mailbox& box = *net_->mailboxes_[static_cast<size_t>(to)];
      {
        std::lock_guard lock(box.mu);
        box.queue.push_back({rank_, std::move(body)});
      }
      box.cv.notify_all();
      return Status::OK();
    }
    Result<std::optional<TransportMessage>> Receive(std::chrono::milliseconds timeout) override {
      Mailbox& box = *net_->mailboxes_[static_cast<size_t>(rank_)];
      std::unique_lock lock(box.mu);
      if (!box.cv.wait_for(lock, timeout, [&] { return !box.queue.empty(); })) {
        return std::optional<TransportMessage>();
      }
      TransportMessage m = std::move(box.queue.front());
      box.queue.pop_front();
      return std::optional<TransportMessage>(std::move(m));
    }

   private:
    LocalNetwork* net_;
    int rank_;
  };

  std::vector<std::unique_ptr<Mailbox>> mailboxes_;
  std::vector<std::unique_ptr<Rank>> ranks_;
  std::atomic<int64_t> messages_{0};
  std::atomic<int64_t> bytes_{0};
};

}  // namespace ferry::testing
