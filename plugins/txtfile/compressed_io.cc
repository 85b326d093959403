#include "plugins/txtfile/compressed_io.h"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace ferry::txtfile {
namespace {

constexpr size_t kCompressedChunk = 256 * 1024;

Status ErrnoStatus(const std::string& what, const std::string& path) {
  int err = errno;
  std::string message = what + " " + path + ": " + std::strerror(err);
  if (err == ENOENT) return Status::NotFound(std::move(message));
  return Status::IOError(std::move(message));
}

// Reads `fd` until `n` bytes or the end; retries interrupted reads.
Result<size_t> ReadFully(int fd, char* dst, size_t n, const std::string& path) {
  size_t done = 0;
  while (done < n) {
    ssize_t got = ::read(fd, dst + done, n - done);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return ErrnoStatus("cannot read", path);
    if (got == 0) break;
    done += static_cast<size_t>(got);
  }
  return done;
}

class FileInput : public InputStream {
 public:
  FileInput(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~FileInput() override { ::close(fd_); }
  Result<size_t> Read(char* dst, size_t n) override { return ReadFully(fd_, dst, n, path_); }

 protected:
  int fd_;
  std::string path_;
};

// Reads gzip members one after another until the file ends (gzip -c a b > ab is valid).
class GzipInput : public FileInput {
 public:
  GzipInput(int fd, std::string path) : FileInput(fd, std::move(path)), in_(kCompressedChunk) {
    std::memset(&z_, 0, sizeof(z_));
    inflateInit2(&z_, 15 + 16);
  }
  ~GzipInput() override { inflateEnd(&z_); }

  Result<size_t> Read(char* dst, size_t n) override {
    z_.next_out = reinterpret_cast<Bytef*>(dst);
    z_.avail_out = static_cast<uInt>(n);
    while (z_.avail_out > 0) {
      if (z_.avail_in == 0 && !eof_) RETURN_NOT_OK(Refill());
      if (z_.avail_in == 0 && eof_) {
        if (in_member_) return Corrupt("truncated gzip stream");
        break;
      }
      int rc = inflate(&z_, Z_NO_FLUSH);
      in_member_ = true;
      if (rc == Z_STREAM_END) {
        inflateReset(&z_);
        in_member_ = false;
      } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
        return Corrupt(z_.msg != nullptr ? z_.msg : "corrupt gzip stream");
      }
    }
    return n - z_.avail_out;
  }

 private:
  Status Refill() {
    ASSIGN_OR_RETURN(size_t got, ReadFully(fd_, in_.data(), in_.size(), path_));
    eof_ = got < in_.size();
    z_.next_in = reinterpret_cast<Bytef*>(in_.data());
    z_.avail_in = static_cast<uInt>(got);
    return Status::OK();
  }
  Status Corrupt(const std::string& what) { return Status::IOError(path_ + ": " + what); }

  z_stream z_;
  std::vector<char> in_;
  bool eof_ = false;
  bool in_member_ = false;
};

// Reads zstd frames one after another until the file ends.
class ZstdInput : public FileInput {
 public:
  ZstdInput(int fd, std::string path)
      : FileInput(fd, std::move(path)), dctx_(ZSTD_createDCtx()), in_(ZSTD_DStreamInSize()) {}
  ~ZstdInput() override { ZSTD_freeDCtx(dctx_); }

  Result<size_t> Read(char* dst, size_t n) override {
    ZSTD_outBuffer out{dst, n, 0};
    while (out.pos < out.size) {
      if (input_.pos == input_.size && !eof_) RETURN_NOT_OK(Refill());
      if (input_.pos == input_.size && eof_) {
        if (frame_open_) return Status::IOError(path_ + ": truncated zstd stream");
        break;
      }
      size_t rc = ZSTD_decompressStream(dctx_, &out, &input_);
      if (ZSTD_isError(rc)) {
        return Status::IOError(path_ + ": corrupt zstd stream: " + ZSTD_getErrorName(rc));
      }
      frame_open_ = rc != 0;
    }
    return out.pos;
  }

 private:
  Status Refill() {
    ASSIGN_OR_RETURN(size_t got, ReadFully(fd_, in_.data(), in_.size(), path_));
    eof_ = got < in_.size();
    input_ = ZSTD_inBuffer{in_.data(), got, 0};
    return Status::OK();
  }

  ZSTD_DCtx* dctx_;
  std::vector<char> in_;
  ZSTD_inBuffer input_{nullptr, 0, 0};
  bool eof_ = false;
  bool frame_open_ = false;
};

// Starts the kernel's write-back every kWriteBehindBytes (a hint; its failure is harmless), so
// that the fsync of Commit waits for the last few megabytes instead of the whole file.
class FdSink : public ByteSink {
 public:
  FdSink(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  Status Append(std::string_view bytes) override {
    unsynced_ += bytes.size();
    while (!bytes.empty()) {
      ssize_t n = ::write(fd_, bytes.data(), bytes.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return ErrnoStatus("cannot write", path_);
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    if (unsynced_ >= kWriteBehindBytes) {
      (void)::sync_file_range(fd_, 0, 0, SYNC_FILE_RANGE_WRITE);
      unsynced_ = 0;
    }
    return Status::OK();
  }

 private:
  static constexpr size_t kWriteBehindBytes = 8 << 20;

  int fd_;
  std::string path_;
  size_t unsynced_ = 0;
};

class StringSink : public ByteSink {
 public:
  explicit StringSink(std::string* out) : out_(out) {}
  Status Append(std::string_view bytes) override {
    out_->append(bytes);
    return Status::OK();
  }

 private:
  std::string* out_;
};

class RawOutput : public OutputStream {
 public:
  explicit RawOutput(ByteSink* sink) : sink_(sink) {}
  Status Write(std::string_view bytes) override { return sink_->Append(bytes); }
  Status Finish() override { return Status::OK(); }

 private:
  ByteSink* sink_;
};

class GzipOutput : public OutputStream {
 public:
  explicit GzipOutput(ByteSink* sink) : sink_(sink), out_(kCompressedChunk) {
    std::memset(&z_, 0, sizeof(z_));
    deflateInit2(&z_, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  }
  ~GzipOutput() override { deflateEnd(&z_); }
  Status Write(std::string_view bytes) override { return Deflate(bytes, Z_NO_FLUSH); }
  Status Finish() override { return Deflate({}, Z_FINISH); }

 private:
  Status Deflate(std::string_view bytes, int flush) {
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
    z_.avail_in = static_cast<uInt>(bytes.size());
    for (;;) {
      z_.next_out = reinterpret_cast<Bytef*>(out_.data());
      z_.avail_out = static_cast<uInt>(out_.size());
      int rc = deflate(&z_, flush);
      if (rc == Z_STREAM_ERROR) return Status::Internal("gzip: deflate failed");
      size_t produced = out_.size() - z_.avail_out;
      if (produced > 0) RETURN_NOT_OK(sink_->Append({out_.data(), produced}));
      bool done = flush == Z_FINISH ? rc == Z_STREAM_END : z_.avail_in == 0 && z_.avail_out > 0;
      if (done) return Status::OK();
    }
  }

  ByteSink* sink_;
  z_stream z_;
  std::vector<char> out_;
};

class ZstdOutput : public OutputStream {
 public:
  explicit ZstdOutput(ByteSink* sink)
      : sink_(sink), cctx_(ZSTD_createCCtx()), out_(ZSTD_CStreamOutSize()) {
    ZSTD_CCtx_setParameter(cctx_, ZSTD_c_compressionLevel, 3);
    ZSTD_CCtx_setParameter(cctx_, ZSTD_c_checksumFlag, 1);
  }
  ~ZstdOutput() override { ZSTD_freeCCtx(cctx_); }
  Status Write(std::string_view bytes) override { return Compress(bytes, ZSTD_e_continue); }
  Status Finish() override { return Compress({}, ZSTD_e_end); }

 private:
  Status Compress(std::string_view bytes, ZSTD_EndDirective mode) {
    ZSTD_inBuffer in{bytes.data(), bytes.size(), 0};
    for (;;) {
      ZSTD_outBuffer out{out_.data(), out_.size(), 0};
      size_t remaining = ZSTD_compressStream2(cctx_, &out, &in, mode);
      if (ZSTD_isError(remaining)) {
        return Status::Internal(std::string("zstd: ") + ZSTD_getErrorName(remaining));
      }
      if (out.pos > 0) RETURN_NOT_OK(sink_->Append({out_.data(), out.pos}));
      bool done = mode == ZSTD_e_end ? remaining == 0 : in.pos == in.size;
      if (done) return Status::OK();
    }
  }

  ByteSink* sink_;
  ZSTD_CCtx* cctx_;
  std::vector<char> out_;
};

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

Result<Compression> ParseCompression(std::string_view text) {
  if (text.empty() || text == "none") return Compression::kNone;
  if (text == "gzip" || text == "gz") return Compression::kGzip;
  if (text == "zstd" || text == "zst") return Compression::kZstd;
  return Status::InvalidArgument("compression \"" + std::string(text) +
                                 "\" is not supported; use none, gzip or zstd")
      .WithField("compress");
}

Compression CompressionFromSuffix(std::string_view path) {
  if (EndsWith(path, ".gz")) return Compression::kGzip;
  if (EndsWith(path, ".zst")) return Compression::kZstd;
  return Compression::kNone;
}

const char* CompressionSuffix(Compression compression) {
  switch (compression) {
    case Compression::kNone:
      return "";
    case Compression::kGzip:
      return ".gz";
    case Compression::kZstd:
      return ".zst";
  }
  return "";
}

Result<std::unique_ptr<InputStream>> OpenInputFile(const std::string& path,
                                                   Compression compression) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("cannot open", path);
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  switch (compression) {
    case Compression::kNone:
      return std::unique_ptr<InputStream>(new FileInput(fd, path));
    case Compression::kGzip:
      return std::unique_ptr<InputStream>(new GzipInput(fd, path));
    case Compression::kZstd:
      return std::unique_ptr<InputStream>(new ZstdInput(fd, path));
  }
  ::close(fd);
  return Status::Internal("unknown compression");
}

std::unique_ptr<ByteSink> MakeFdSink(int fd, std::string path) {
  return std::make_unique<FdSink>(fd, std::move(path));
}

std::unique_ptr<OutputStream> MakeOutputStream(Compression compression, ByteSink* sink) {
  switch (compression) {
    case Compression::kGzip:
      return std::make_unique<GzipOutput>(sink);
    case Compression::kZstd:
      return std::make_unique<ZstdOutput>(sink);
    case Compression::kNone:
      break;
  }
  return std::make_unique<RawOutput>(sink);
}

Result<std::string> EncodeBlock(Compression compression, std::string_view bytes) {
  std::string out;
  StringSink sink(&out);
  auto stream = MakeOutputStream(compression, &sink);
  RETURN_NOT_OK(stream->Write(bytes));
  RETURN_NOT_OK(stream->Finish());
  return out;
}

}  // namespace ferry::txtfile
