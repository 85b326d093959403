// Writer: a destination plugin. Prepare checks the destination (no write); Start runs the
// job-level setup (preSql, truncation); each split is written by one WriterTask that commits
// atomically where the destination allows; Finalize runs postSql and publishes files.
#pragma once

#include <memory>
#include <vector>

#include "ferry/common/status.h"
#include "ferry/plugin/column_info.h"
#include "ferry/plugin/split.h"
#include "ferry/plugin/step_context.h"
#include "ferry/types/record_batch.h"

namespace ferry {

class WriterTask {
 public:
  virtual ~WriterTask() = default;
  virtual Status Begin() = 0;
  // Writes rows [begin, end) of `batch`, all or none. DataError means the destination refused
  // at least one of them and none was written; the task stays usable and the engine bisects the
  // range to find the refused rows. Any other error ends the split (transient codes retry it).
  virtual Status Write(const RecordBatch& batch, size_t begin, size_t end) = 0;
  // Makes everything written since Begin durable and visible at once.
  virtual Status Commit() = 0;
  // Undoes everything since Begin. Safe to call after any error, and more than once.
  virtual void Abort() = 0;
};

class Writer {
 public:
  virtual ~Writer() = default;
  // `input` is what the reader produces, in order. Must not change the destination.
  virtual Status Prepare(const StepContext& ctx, const std::vector<ColumnInfo>& input) = 0;
  // Job-level setup before any split: preSql, truncation. `resuming`: a resumed run, where the
  // setup already ran and must not run again.
  virtual Status Start(bool resuming) = 0;
  virtual Result<std::unique_ptr<WriterTask>> OpenTask(const Split& split) = 0;
  // Rows per WriterTask::Write this destination is built for (its batchSize), or 0 to take the
  // run's default. Asked after Prepare; the engine then batches the reader's rows to this size.
  virtual size_t batch_rows() const { return 0; }
  // After every split: postSql and publishing on success; cleanup of partial output otherwise.
  // `committed` lists the ids of every committed split, in plan order.
  virtual Status Finalize(bool succeeded, const std::vector<std::string>& committed) = 0;
};

}  // namespace ferry
