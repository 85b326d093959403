// RecordBatch: a compact row arena of up to a few thousand records, the unit that moves through
// a channel's queue. Cells are row-major Values; text lives in chunked arena blocks that never
// move, so Values stay valid until Clear(). A batch is reused after Clear() without reallocating.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

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
  size_t num_rows() const { return num_columns_ == 0 ? 0 : cells_.size() / num_columns_; }
  bool empty() const { return cells_.empty(); }
  // Resets to zero rows with `num_columns` columns, keeping the memory.
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

  // Sum of Value::ByteSize over all cells.
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
};

}  // namespace ferry
