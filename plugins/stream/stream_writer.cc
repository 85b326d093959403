#include "plugins/stream/stream_writer.h"

#include <cstdint>
#include <cstdio>
#include <string_view>

#include "ferry/types/convert.h"

namespace ferry {
namespace {

// Well-formed UTF-8 (no overlongs, no surrogates, nothing past U+10FFFF).
bool IsUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t n = 0;
    uint32_t cp = 0;
    if (c >= 0xC2 && c <= 0xDF) {
      n = 1, cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2, cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3, cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;
    for (size_t k = 1; k <= n; ++k) {
      const auto d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    if ((n == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (n == 3 && (cp < 0x10000 || cp > 0x10FFFF))) {
      return false;
    }
    i += n + 1;
  }
  return true;
}

class StreamWriterTask : public WriterTask {
 public:
  explicit StreamWriterTask(StreamWriter* writer) : writer_(writer) {}
  Result<std::optional<SplitFigures>> Begin() override {
    buffer_.clear();
    return SplitOpened();
  }
  Status Write(const RecordBatch& batch, size_t begin, size_t end) override {
    if (!writer_->print()) return Status::OK();
    for (size_t r = begin; r < end; ++r) {
      const Value* row = batch.row(r);
      for (size_t c = 0; c < batch.num_columns(); ++c) {
        if (c > 0) buffer_.append(writer_->delimiter());
        if (row[c].is_null()) {
          buffer_.append(writer_->null_format());
        } else if (row[c].type == TypeId::kBytes && !IsUtf8(row[c].text())) {
          // DataX prints bytes decoded as UTF-8; bytes that are not text print as \x hex
          // rather than as replacement characters.
          AppendHex(row[c].text(), &buffer_);
        } else if (row[c].type == TypeId::kBytes) {
          buffer_.append(row[c].text());
        } else {
          AppendValueText(row[c], &buffer_);
        }
      }
      buffer_.push_back('\n');
    }
    // Long splits print as they go; only a split's final part waits for Commit.
    if (buffer_.size() > (1u << 20)) return Flush();
    return Status::OK();
  }
  Status Commit(const SplitFigures&) override { return Flush(); }
  void Abort() override { buffer_.clear(); }

 private:
  Status Flush() {
    Status st = writer_->PrintBlock(buffer_);
    buffer_.clear();
    return st;
  }
  StreamWriter* writer_;
  std::string buffer_;
};

}  // namespace

Status StreamWriter::Prepare(const StepContext& ctx, const std::vector<ColumnInfo>& input) {
  const auto& p = ctx.param();
  print_ = p.value("print", true);
  delimiter_ = p.value("fieldDelimiter", std::string("\t"));
  null_format_ = p.value("nullFormat", std::string("null"));
  return Status::OK();
}

Result<std::unique_ptr<WriterTask>> StreamWriter::OpenTask(const Split& split) {
  return std::unique_ptr<WriterTask>(new StreamWriterTask(this));
}

Status StreamWriter::PrintBlock(const std::string& block) {
  if (block.empty()) return Status::OK();
  std::lock_guard lock(out_mu_);
  if (std::fwrite(block.data(), 1, block.size(), stdout) != block.size() || std::fflush(stdout)) {
    return Status::IOError("cannot write to standard output");
  }
  return Status::OK();
}

Status StreamWriter::Finalize(bool succeeded, const std::vector<std::string>& committed) {
  return Status::OK();
}

}  // namespace ferry
