// OutputLayout: the names of everything the txtfile writer puts in its directory. A split is
// written to a hidden temp part, renamed to a hidden part on commit, and parts become the final
// file(s) in Finalize:
//   dir/.fileName.<split>.part.tmp -> dir/.fileName.<split>.part ->
//   dir/fileName[.gz|.zst] (single) or dir/fileName__<split>[.gz|.zst] (perSplit).
#pragma once

#include <string>

#include "plugins/txtfile/compressed_io.h"

namespace ferry::txtfile {

class OutputLayout {
 public:
  OutputLayout(std::string dir, std::string file_name, Compression compression);

  const std::string& dir() const { return dir_; }
  std::string TempPartPath(const std::string& split_id) const;
  std::string PartPath(const std::string& split_id) const;
  // Single mode: the one output file, and the temp it is assembled in.
  std::string SingleFilePath() const;
  std::string SingleTempPath() const;
  // perSplit mode: the output file of one split.
  std::string SplitFilePath(const std::string& split_id) const;

 private:
  std::string dir_;
  std::string file_name_;
  std::string suffix_;         // ".gz"/".zst" or ""
  std::string single_suffix_;  // suffix_ unless fileName already ends with it
};

}  // namespace ferry::txtfile
