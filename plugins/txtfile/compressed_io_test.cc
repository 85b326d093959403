#include "plugins/txtfile/compressed_io.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "plugins/txtfile/txtfile_test_util.h"

namespace ferry::txtfile {

// The `compress` value that selects the codec, so test names and messages read "gzip".
const char* CodecName(Compression c) {
  switch (c) {
    case Compression::kNone:
      return "none";
    case Compression::kGzip:
      return "gzip";
    case Compression::kZstd:
      return "zstd";
  }
  return "?";
}
void PrintTo(Compression c, std::ostream* os) { *os << CodecName(c); }

namespace {

using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;

Result<std::string> ReadAllFrom(const std::string& path, Compression compression,
                                size_t chunk = 4096) {
  ASSIGN_OR_RETURN(auto input, OpenInputFile(path, compression));
  std::string out, buf(chunk, '\0');
  for (;;) {
    ASSIGN_OR_RETURN(size_t n, input->Read(buf.data(), buf.size()));
    if (n == 0) return out;
    out.append(buf.data(), n);
  }
}

std::string Payload() {
  std::string s;
  for (int k = 0; k < 100000; ++k) s += std::to_string(k * 7919) + ",中文 😀\n";
  return s;
}

class CompressedIoTest : public ::testing::TestWithParam<Compression> {};

TEST_P(CompressedIoTest, RoundTripsThroughAFile) {
  TempDir dir;
  std::string path = dir.File("data");
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ASSERT_GE(fd, 0);
  auto sink = MakeFdSink(fd, path);
  auto stream = MakeOutputStream(GetParam(), sink.get());
  std::string payload = Payload();
  for (size_t k = 0; k < payload.size(); k += 65536) {
    ASSERT_TRUE(stream->Write(std::string_view(payload).substr(k, 65536)).ok());
  }
  ASSERT_TRUE(stream->Finish().ok());
  ::close(fd);
  if (GetParam() != Compression::kNone) {
    EXPECT_LT(ReadFile(path).size(), payload.size() / 2);
  }
  auto back = ReadAllFrom(path, GetParam(), 1000);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(*back, payload);
}

TEST_P(CompressedIoTest, ConcatenatedBlocksReadAsOneStream) {
  TempDir dir;
  std::string joined;
  for (std::string part : {"first line\n", "", "second\nthird\n"}) {
    auto block = EncodeBlock(GetParam(), part);
    ASSERT_TRUE(block.ok());
    joined += *block;
  }
  WriteFile(dir.File("joined"), joined);
  auto back = ReadAllFrom(dir.File("joined"), GetParam());
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(*back, "first line\nsecond\nthird\n");
}

TEST_P(CompressedIoTest, EncodeBlockIsDeterministic) {
  EXPECT_EQ(*EncodeBlock(GetParam(), "a,b\n"), *EncodeBlock(GetParam(), "a,b\n"));
}

TEST_P(CompressedIoTest, EmptyFileIsAnEmptyStream) {
  TempDir dir;
  WriteFile(dir.File("empty"), "");
  auto back = ReadAllFrom(dir.File("empty"), GetParam());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, "");
}

INSTANTIATE_TEST_SUITE_P(AllCodecs, CompressedIoTest,
                         ::testing::Values(Compression::kNone, Compression::kGzip,
                                           Compression::kZstd),
                         [](const auto& info) { return CodecName(info.param); });

TEST(CompressedIoTest, TruncatedStreamsAreIOErrors) {
  TempDir dir;
  for (Compression c : {Compression::kGzip, Compression::kZstd}) {
    std::string block = *EncodeBlock(c, Payload());
    WriteFile(dir.File("cut"), block.substr(0, block.size() / 2));
    auto back = ReadAllFrom(dir.File("cut"), c);
    ASSERT_FALSE(back.ok());
    EXPECT_EQ(back.status().code(), StatusCode::kIOError);
    EXPECT_NE(back.status().message().find("cut"), std::string::npos);
  }
}

TEST(CompressedIoTest, NotCompressedDataIsAnIOError) {
  TempDir dir;
  WriteFile(dir.File("plain.gz"), "just text, not gzip\n");
  EXPECT_EQ(ReadAllFrom(dir.File("plain.gz"), Compression::kGzip).status().code(),
            StatusCode::kIOError);
  EXPECT_EQ(ReadAllFrom(dir.File("plain.gz"), Compression::kZstd).status().code(),
            StatusCode::kIOError);
}

TEST(CompressedIoTest, MissingFileIsNotFound) {
  EXPECT_EQ(OpenInputFile("/nonexistent/x.csv", Compression::kNone).status().code(),
            StatusCode::kNotFound);
}

TEST(CompressionTest, NamesAndSuffixes) {
  EXPECT_EQ(*ParseCompression("gzip"), Compression::kGzip);
  EXPECT_EQ(*ParseCompression("zstd"), Compression::kZstd);
  EXPECT_EQ(*ParseCompression("none"), Compression::kNone);
  Status bad = ParseCompression("bzip2").status();
  EXPECT_EQ(bad.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.field(), "compress");
  EXPECT_EQ(CompressionFromSuffix("/a/b.csv.gz"), Compression::kGzip);
  EXPECT_EQ(CompressionFromSuffix("b.zst"), Compression::kZstd);
  EXPECT_EQ(CompressionFromSuffix("b.csv"), Compression::kNone);
}

}  // namespace
}  // namespace ferry::txtfile
