// TxtfileReader: reads csv/text files (plain, gzip or zstd) as records, one split per file.
// Prepare expands globs, checks every file can be read and learns the field count (and, with
// skipHeader, the column names) from the first record of the first non-empty file.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ferry/plugin/reader.h"
#include "plugins/txtfile/reader_options.h"

namespace ferry::txtfile {

class TxtfileReader : public Reader {
 public:
  Status Prepare(const StepContext& ctx) override;
  std::vector<ColumnInfo> OutputColumns() const override { return output_; }
  // One split per file, {"file": path, "fields": N}, ids "0000", "0001"... in file order.
  Result<std::vector<Split>> PlanSplits(int concurrent) override;
  Result<std::unique_ptr<ReaderTask>> OpenTask(const Split& split) override;

 private:
  Status PrepareChecked(const StepContext& ctx);
  // The fields of the first well-formed record of the first file that has one; empty if none.
  Result<std::vector<std::string>> FirstRecord() const;
  void NameColumns(const std::vector<std::string>& header);

  std::shared_ptr<ReaderOptions> options_;
  std::vector<std::string> files_;
  std::vector<ReaderColumn> columns_;  // what each output column reads
  size_t expected_fields_ = 0;
  std::vector<ColumnInfo> output_;
};

}  // namespace ferry::txtfile
