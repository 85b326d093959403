#include "ferry/types/record_batch.h"

#include <algorithm>
#include <cstring>

namespace ferry {
namespace {
constexpr size_t kBlockSize = 64 * 1024;
}

RecordBatch::RecordBatch(size_t num_columns) : num_columns_(num_columns) {}

void RecordBatch::Reset(size_t num_columns) {
  num_columns_ = num_columns;
  cells_.clear();
  encoding_ = nullptr;
  encoded_.clear();
  encoded_ends_.clear();
  encoded_byte_size_ = 0;
  // Oversized blocks (one huge value) are dropped so one odd row does not pin memory forever.
  while (blocks_.size() > 1 && block_sizes_.back() > kBlockSize) {
    blocks_.pop_back();
    block_sizes_.pop_back();
  }
  block_index_ = 0;
  block_used_ = 0;
}

char* RecordBatch::Allocate(size_t n) {
  while (block_index_ < blocks_.size()) {
    if (block_used_ + n <= block_sizes_[block_index_]) {
      char* out = blocks_[block_index_].get() + block_used_;
      block_used_ += n;
      return out;
    }
    ++block_index_;
    block_used_ = 0;
  }
  size_t size = std::max(kBlockSize, n);
  blocks_.push_back(std::make_unique<char[]>(size));
  block_sizes_.push_back(size);
  block_index_ = blocks_.size() - 1;
  block_used_ = n;
  return blocks_.back().get();
}

Value RecordBatch::CopyText(TypeId type, std::string_view text) {
  if (text.empty()) return Value::View(type, std::string_view(""));
  char* dst = Allocate(text.size());
  std::memcpy(dst, text.data(), text.size());
  return Value::View(type, std::string_view(dst, text.size()));
}

void RecordBatch::AppendRowFrom(const RecordBatch& other, size_t r) {
  Value* dst = AppendRow();
  const Value* src = other.row(r);
  for (size_t c = 0; c < num_columns_; ++c) {
    dst[c] = src[c].has_text() ? CopyText(src[c].type, src[c].text()) : src[c];
  }
}

Status RecordBatch::DecodeRow(const RecordBatch& other, size_t r) {
  if (other.encoding_ == nullptr) {
    AppendRowFrom(other, r);
    return Status::OK();
  }
  Value* row = AppendRow();
  Status decoded = other.encoding_->Decode(other.encoded_row(r), row, this);
  if (!decoded.ok()) PopRow();
  return decoded;
}

size_t RecordBatch::ByteSize() const {
  if (encoding_ != nullptr) return encoded_byte_size_;
  size_t total = 0;
  for (const Value& v : cells_) total += v.ByteSize();
  return total;
}

size_t RecordBatch::MemoryUsage() const {
  size_t total = cells_.capacity() * sizeof(Value) + encoded_.capacity() +
                 encoded_ends_.capacity() * sizeof(size_t);
  for (size_t s : block_sizes_) total += s;
  return total;
}

}  // namespace ferry
