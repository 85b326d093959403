// TxtfileWriter: writes records as csv/text files (plain, gzip or zstd) into a directory.
// Each split commits atomically as a hidden part file; Finalize joins the committed parts in
// plan order into `fileName` (single mode) or renames each to `fileName__<split>` (perSplit).
// After a failed run the committed parts stay, so a resumed run publishes them too; a run killed
// while publishing finishes publishing on resume (PartPublisher, journaled in the run directory).
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "ferry/plugin/writer.h"
#include "plugins/txtfile/part_publisher.h"
#include "plugins/txtfile/writer_task.h"

namespace ferry::txtfile {

class TxtfileWriter : public Writer {
 public:
  // nonConflict fails if `path` holds files whose names start with fileName, other than those
  // this run (ctx.run_dir) already published.
  Status Prepare(const StepContext& ctx, const std::vector<ColumnInfo>& input) override;
  // mkdir -p; then, unless resuming, truncate removes files whose names start with fileName
  // and nonConflict fails if there are any.
  Status Start(bool resuming) override;
  Result<std::unique_ptr<WriterTask>> OpenTask(const Split& split) override;
  Status Finalize(bool succeeded, const std::vector<std::string>& committed) override;
  // The output directory: in a distributed run every host writes its parts there.
  SharedPath SharedDirectory() const override;

  // For tests: called at each place publishing may be interrupted, instead of FaultPoint.
  void SetPublishHookForTesting(PublishHook hook) { publish_hook_ = std::move(hook); }

 private:
  Status PrepareChecked(const StepContext& ctx, const std::vector<ColumnInfo>& input);
  Status CheckDirectory() const;
  Status CheckNoConflict() const;
  Status Truncate() const;
  // Paths of the output files the journal of this run lists (being or already published).
  Result<std::set<std::string>> OutputsOfThisRun() const;

  std::shared_ptr<const WriterPlan> plan_;
  std::string journal_path_;  // empty without a run directory: publishing is not resumable
  PublishHook publish_hook_;
};

}  // namespace ferry::txtfile
