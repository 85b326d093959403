// TxtfileReaderTask: streams one file's records into batches. Records with the wrong field
// count, broken quoting or a field that does not convert to its column's type are reported to
// the DirtySink ("file:line") and skipped; a DirtySink error (errorLimit passed) ends the split.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ferry/plugin/reader.h"
#include "plugins/txtfile/record_source.h"

namespace ferry::txtfile {

class TxtfileReaderTask : public ReaderTask {
 public:
  // `columns` describes each output column and `names` names it; records must hold exactly
  // `expected_fields` fields.
  TxtfileReaderTask(std::unique_ptr<RecordSource> source,
                    std::shared_ptr<const ReaderOptions> options, std::vector<ReaderColumn> columns,
                    std::vector<std::string> names, size_t expected_fields);

  Result<bool> Next(RecordBatch* batch, size_t max_rows, TaskContext& ctx) override;

 private:
  // Appends the current record as a row. When a field does not convert, appends nothing and
  // returns false with the column and the reason (a bool: this runs once per record).
  bool AppendRecord(RecordBatch* batch, size_t* bad_column, Status* error) const;
  void AppendStrings(Value* row, RecordBatch* batch) const;
  Status ReportRaw(TaskContext& ctx, const std::string& reason) const;
  Status ReportConversion(TaskContext& ctx, size_t column, const Status& error) const;

  std::unique_ptr<RecordSource> source_;
  std::shared_ptr<const ReaderOptions> options_;
  std::vector<ReaderColumn> columns_;
  std::vector<std::string> names_;
  RecordBatch constant_arena_;    // holds the text of constant columns
  std::vector<Value> constants_;  // per column; only constant columns are set
  size_t expected_fields_;
  bool all_strings_;  // every column reads a field as a string: the fast path
  bool header_pending_;
};

}  // namespace ferry::txtfile
