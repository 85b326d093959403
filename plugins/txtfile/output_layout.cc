#include "plugins/txtfile/output_layout.h"

#include "plugins/txtfile/file_util.h"

namespace ferry::txtfile {
namespace {

// Split ids are plain ("0007"); anything that could leave the directory is replaced.
std::string SafeId(const std::string& split_id) {
  std::string out = split_id;
  for (char& c : out) {
    if (c == '/' || c == '\0') c = '_';
  }
  return out;
}

}  // namespace

OutputLayout::OutputLayout(std::string dir, std::string file_name, Compression compression)
    : dir_(std::move(dir)),
      file_name_(std::move(file_name)),
      suffix_(CompressionSuffix(compression)) {
  if (!file_name_.ends_with(suffix_)) single_suffix_ = suffix_;
}

std::string OutputLayout::TempPartPath(const std::string& split_id) const {
  return PartPath(split_id) + ".tmp";
}

std::string OutputLayout::PartPath(const std::string& split_id) const {
  return JoinPath(dir_, "." + file_name_ + "." + SafeId(split_id) + ".part");
}

std::string OutputLayout::SingleFilePath() const {
  return JoinPath(dir_, file_name_ + single_suffix_);
}

std::string OutputLayout::SingleTempPath() const {
  return JoinPath(dir_, "." + file_name_ + ".final.tmp");
}

std::string OutputLayout::SplitFilePath(const std::string& split_id) const {
  return JoinPath(dir_, file_name_ + "__" + SafeId(split_id) + suffix_);
}

}  // namespace ferry::txtfile
