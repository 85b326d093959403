// TxtfileWriterTask: writes one split to its hidden temp part file; Commit fsyncs it and renames
// it to the committed part, Abort deletes it. Write formats the whole range before handing it
// on, so a range is written all or none; it never reports DataError (text holds any value).
#pragma once

#include <memory>
#include <string>

#include "ferry/plugin/writer.h"
#include "plugins/txtfile/compressed_io.h"
#include "plugins/txtfile/csv_formatter.h"
#include "plugins/txtfile/output_layout.h"
#include "plugins/txtfile/writer_options.h"

namespace ferry::txtfile {

// What every task of one writer shares; immutable after Writer::Prepare.
struct WriterPlan {
  WriterOptions options;
  OutputLayout layout;
  std::string header_block;  // the header line, encoded; empty without a header
};

class TxtfileWriterTask : public WriterTask {
 public:
  TxtfileWriterTask(std::shared_ptr<const WriterPlan> plan, std::string split_id);
  ~TxtfileWriterTask() override;

  Result<std::optional<SplitFigures>> Begin() override;
  Status Write(const RecordBatch& batch, size_t begin, size_t end) override;
  Status Commit(const SplitFigures& figures) override;
  void Abort() override;

 private:
  static constexpr size_t kFlushBytes = 1 << 20;

  Status Flush();
  void CloseFile();

  std::shared_ptr<const WriterPlan> plan_;
  std::string split_id_;
  std::string temp_path_;
  CsvFormatter formatter_;
  int fd_ = -1;
  bool owns_temp_ = false;  // the temp part is this task's to delete (begun, not committed)
  std::unique_ptr<ByteSink> sink_;
  std::unique_ptr<OutputStream> stream_;
  std::string buffer_;  // formatted rows not yet handed to the stream
};

}  // namespace ferry::txtfile
