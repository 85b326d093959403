// RecordBatch: a compact row arena of up to a few thousand records, the unit that moves through
// a channel's queue. Cells are row-major Values; text lives in chunked arena blocks that never
// move, so Values stay valid until Clear(). A batch is reused after Clear() without reallocating.
// An encoded batch (row_encoding.h) holds pre-encoded rows instead of Values: its rows are read
// with encoded_rows()/encoded_row(), never row(), and DecodeRow turns one into Values.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/types/row_encoding.h"
#include "ferry/types/value.h"

namespace ferry {

class RecordBatch {
 public:
  explicit RecordBatch(size_t num_columns = 0);
  RecordBatch(const RecordBatch&) = delete;
  RecordBatch& operator=(const RecordBatch&) = delete;
  RecordBatch(RecordBatch&&) = default;
  RecordBatch& operator=(RecordBatch&&) = default;

  size_t num_columns() const { return num_columns_; }
  size_t num_rows() const {
    if (encoding_ != nullptr) return encoded_ends_.size();
    return num_columns_ == 0 ? 0 : cells_.size() / num_columns_;
  }
  bool empty() const { return cells_.empty() && encoded_ends_.empty(); }
  // Resets to zero rows with `num_columns` columns and no encoding, keeping the memory.
  void Reset(size_t num_columns);
  void Clear() { Reset(num_columns_); }

  // Appends a row of nulls and returns its first cell; fill num_columns() cells.
  Value* AppendRow() {
    cells_.resize(cells_.size() + num_columns_);
    return &cells_[cells_.size() - num_columns_];
  }
  // Removes the last row (a reader that found the row dirty after starting it).
  void PopRow() { cells_.resize(cells_.size() - num_columns_); }

  const Value* row(size_t r) const { return &cells_[r * num_columns_]; }
  Value* mutable_row(size_t r) { return &cells_[r * num_columns_]; }
  const Value& at(size_t r, size_t c) const { return cells_[r * num_columns_ + c]; }

  // Copies text into the arena and returns a Value of `type` pointing at the copy.
  Value CopyText(TypeId type, std::string_view text);
  Value String(std::string_view text) { return CopyText(TypeId::kString, text); }
  // Appends a copy of row `r` of `other` (text copied into this batch's arena).
  void AppendRowFrom(const RecordBatch& other, size_t r);

  // Pre-encoded rows. SetEncoding on an empty batch makes it an encoded batch until Reset;
  // `encoding` must outlive the batch's rows. `byte_size` is what the row counts for in the
  // throttle and the MB/s figures (its fields' bytes).
  void SetEncoding(const RowEncoding* encoding) { encoding_ = encoding; }
  const RowEncoding* encoding() const { return encoding_; }
  void AppendEncodedRow(std::string_view bytes, size_t byte_size) {
    encoded_.append(bytes);
    encoded_ends_.push_back(encoded_.size());
    encoded_byte_size_ += byte_size;
  }
  // Rows [begin, end) of an encoded batch, back to back.
  std::string_view encoded_rows(size_t begin, size_t end) const {
    const size_t from = begin == 0 ? 0 : encoded_ends_[begin - 1];
    const size_t to = end == 0 ? 0 : encoded_ends_[end - 1];
    return std::string_view(encoded_).substr(from, to - from);
  }
  std::string_view encoded_row(size_t r) const { return encoded_rows(r, r + 1); }
  // Appends row `r` of `other` as Values: a copy of it, or its decoding when `other` is encoded.
  Status DecodeRow(const RecordBatch& other, size_t r);

  // Sum of Value::ByteSize over all cells (of the rows' byte_size when encoded).
  size_t ByteSize() const;
  // Memory held (cells + arena), for bounding queues.
  size_t MemoryUsage() const;

 private:
  char* Allocate(size_t n);

  size_t num_columns_;
  std::vector<Value> cells_;
  std::vector<std::unique_ptr<char[]>> blocks_;
  std::vector<size_t> block_sizes_;
  size_t block_index_ = 0;  // current block
  size_t block_used_ = 0;   // bytes used in the current block
  const RowEncoding* encoding_ = nullptr;
  std::string encoded_;               // the encoded rows, back to back
  std::vector<size_t> encoded_ends_;  // where each encoded row ends in encoded_
  size_t encoded_byte_size_ = 0;
};

}  // namespace ferry
