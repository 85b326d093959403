// Compressed byte streams for txtfile: reading plain, gzip and zstd files as one byte stream,
// and encoding bytes as gzip members or zstd frames. Concatenated gzip members and zstd frames
// read back as one stream, which is how the writer joins per-split parts without recompressing.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "ferry/common/status.h"

namespace ferry::txtfile {

enum class Compression { kNone, kGzip, kZstd };

// "none" (or ""), "gzip", "zstd"; anything else is InvalidArgument with field "compress".
Result<Compression> ParseCompression(std::string_view text);
// By file suffix: ".gz" gzip, ".zst" zstd, otherwise none.
Compression CompressionFromSuffix(std::string_view path);
// "", ".gz" or ".zst".
const char* CompressionSuffix(Compression compression);

// A source of decompressed bytes. Used by one thread.
class InputStream {
 public:
  virtual ~InputStream() = default;
  // Reads up to `n` bytes into `dst`; 0 means the end of the stream. A truncated or corrupt
  // compressed stream is an IOError naming the file.
  virtual Result<size_t> Read(char* dst, size_t n) = 0;
};

// Opens `path` for reading; NotFound when it does not exist, IOError when it cannot be read.
Result<std::unique_ptr<InputStream>> OpenInputFile(const std::string& path,
                                                   Compression compression);

// Where encoded bytes go: a file descriptor or a string.
class ByteSink {
 public:
  virtual ~ByteSink() = default;
  virtual Status Append(std::string_view bytes) = 0;
};

// Writes everything to `fd` (not owned; the caller closes it). Errors name `path`.
std::unique_ptr<ByteSink> MakeFdSink(int fd, std::string path);

// Encodes bytes into a sink: raw, as one gzip member, or as one zstd frame.
// *sink must outlive the stream; Finish must be called once, after the last Write.
class OutputStream {
 public:
  virtual ~OutputStream() = default;
  virtual Status Write(std::string_view bytes) = 0;
  // Ends the member/frame and hands every remaining byte to the sink.
  virtual Status Finish() = 0;
};

std::unique_ptr<OutputStream> MakeOutputStream(Compression compression, ByteSink* sink);

// `bytes` encoded as one complete member/frame (the raw bytes for kNone). Deterministic: the
// same input always gives the same output.
Result<std::string> EncodeBlock(Compression compression, std::string_view bytes);

}  // namespace ferry::txtfile
