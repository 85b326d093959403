// InputWindow: a sliding window of bytes over an InputStream, read in chunks (1 MiB by
// default). The parser sees data(); Consume drops parsed bytes; Fill reads more and grows the
// buffer only when one record does not fit, so memory stays bounded by the longest record.
#pragma once

#include <memory>
#include <string_view>

#include "plugins/txtfile/compressed_io.h"

namespace ferry::txtfile {

class InputWindow {
 public:
  static constexpr size_t kDefaultChunk = 1 << 20;

  explicit InputWindow(std::unique_ptr<InputStream> input, size_t chunk = kDefaultChunk);

  // The bytes read and not consumed yet; valid until the next Fill.
  std::string_view data() const { return {buffer_.get() + begin_, end_ - begin_}; }
  // True once the input ended: no byte will follow data().
  bool at_eof() const { return eof_; }
  void Consume(size_t n) { begin_ += n; }
  // Reads at least one more byte unless the input ended; keeps data() (moved to the front).
  Status Fill();
  // Fills until data() holds at least `n` bytes or the input ended.
  Status FillAtLeast(size_t n);

 private:
  std::unique_ptr<InputStream> input_;
  std::unique_ptr<char[]> buffer_;
  size_t capacity_;
  size_t begin_ = 0;
  size_t end_ = 0;
  bool eof_ = false;
};

}  // namespace ferry::txtfile
