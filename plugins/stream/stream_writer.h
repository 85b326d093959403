// StreamWriter: prints records to stdout (DataX streamwriter), or only counts them when
// `print` is false, which measures the engine without a destination.
#pragma once

#include <mutex>
#include <string>

#include "ferry/plugin/writer.h"

namespace ferry {

class StreamWriter : public Writer {
 public:
  Status Prepare(const StepContext& ctx, const std::vector<ColumnInfo>& input) override;
  Status Start(bool resuming) override { return Status::OK(); }
  Result<std::unique_ptr<WriterTask>> OpenTask(const Split& split) override;
  Status Finalize(bool succeeded, const std::vector<std::string>& committed) override;

  // Records are printed whole at commit, so lines of two splits never interleave.
  Status PrintBlock(const std::string& block);
  bool print() const { return print_; }
  const std::string& delimiter() const { return delimiter_; }
  const std::string& null_format() const { return null_format_; }

 private:
  bool print_ = true;
  std::string delimiter_ = "\t";
  std::string null_format_ = "null";
  std::mutex out_mu_;
};

}  // namespace ferry
