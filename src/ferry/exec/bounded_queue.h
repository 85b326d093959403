// BoundedQueue: the batch queue between a channel's reader and writer. Capacity is counted in
// items and in bytes, so a few huge batches cannot exhaust memory; Push blocks while full
// (back-pressure), Pop while empty. Close() ends the stream; a stop request wakes every waiter.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <stop_token>

namespace ferry {

template <typename T>
class BoundedQueue {
 public:
  BoundedQueue(size_t max_items, size_t max_bytes) : max_items_(max_items), max_bytes_(max_bytes) {}

  // Returns false when the queue was closed or a stop was requested; `item` is then dropped.
  bool Push(T item, size_t bytes, std::stop_token stop) {
    std::unique_lock lock(mu_);
    bool ok = not_full_.wait(lock, stop, [&] {
      return closed_ || items_.empty() ||
             (items_.size() < max_items_ && bytes_ + bytes <= max_bytes_);
    });
    if (!ok || closed_) return false;
    items_.push_back({std::move(item), bytes});
    bytes_ += bytes;
    not_empty_.notify_one();
    return true;
  }

  // Empty optional when the queue is closed and drained, or a stop was requested.
  std::optional<T> Pop(std::stop_token stop) {
    std::unique_lock lock(mu_);
    bool ok = not_empty_.wait(lock, stop, [&] { return closed_ || !items_.empty(); });
    if (!ok || items_.empty()) return std::nullopt;
    Entry e = std::move(items_.front());
    items_.pop_front();
    bytes_ -= e.bytes;
    not_full_.notify_one();
    return std::move(e.item);
  }

  // Non-blocking pop (for recycling pools).
  std::optional<T> TryPop() {
    std::lock_guard lock(mu_);
    if (items_.empty()) return std::nullopt;
    Entry e = std::move(items_.front());
    items_.pop_front();
    bytes_ -= e.bytes;
    not_full_.notify_one();
    return std::move(e.item);
  }

  void Close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    not_empty_.notify_all();
    not_full_.notify_all();
  }

 private:
  struct Entry {
    T item;
    size_t bytes;
  };
  const size_t max_items_;
  const size_t max_bytes_;
  std::mutex mu_;
  std::condition_variable_any not_full_;
  std::condition_variable_any not_empty_;
  std::deque<Entry> items_;
  size_t bytes_ = 0;
  bool closed_ = false;
};

}  // namespace ferry
