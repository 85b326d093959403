// TxtfileWriter: writes records as csv/text files (plain, gzip or zstd) into a directory.
// Each split commits atomically as a hidden part file; Finalize joins the committed parts in
// plan order into `fileName` (single mode) or renames each to `fileName__<split>` (perSplit).
// After a failed run the committed parts stay, so a resumed run publishes them too.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ferry/plugin/writer.h"
#include "plugins/txtfile/writer_task.h"

namespace ferry::txtfile {

class TxtfileWriter : public Writer {
 public:
  Status Prepare(const StepContext& ctx, const std::vector<ColumnInfo>& input) override;
  // mkdir -p; then, unless resuming, truncate removes files whose names start with fileName
  // and nonConflict fails if there are any.
  Status Start(bool resuming) override;
  Result<std::unique_ptr<WriterTask>> OpenTask(const Split& split) override;
  Status Finalize(bool succeeded, const std::vector<std::string>& committed) override;

 private:
  Status PrepareChecked(const StepContext& ctx, const std::vector<ColumnInfo>& input);
  Status CheckDirectory() const;
  Status CheckNoConflict() const;
  Status Truncate() const;

  std::shared_ptr<const WriterPlan> plan_;
};

}  // namespace ferry::txtfile
