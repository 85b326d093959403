// Writer: a destination plugin. Prepare checks the destination (no write); Start runs the
// job-level setup (preSql, truncation); each split is written by one WriterTask that commits
// atomically where the destination allows; Finalize runs postSql and publishes files.
//
// Exactly once (DESIGN 6): a transactional writer with commit markers writes the split's
// identity (StepContext::run_id, the split id) and its figures into a marker table inside the
// split's own transaction, so that whether a split committed is a fact of the destination. The
// engine asks the markers on resume (CommittedSplits) and after a COMMIT whose outcome is
// unknown (the next attempt's Begin).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ferry/common/status.h"
#include "ferry/plugin/column_info.h"
#include "ferry/plugin/split.h"
#include "ferry/plugin/step_context.h"
#include "ferry/types/record_batch.h"

namespace ferry {

// One run whose commit markers a destination holds (ferry markers list).
struct MarkerRun {
  std::string run_id;
  std::string target;  // the table its splits wrote
  int64_t splits = 0;
  std::string first_commit;  // "YYYY-MM-DD HH:MM:SS" UTC
  std::string last_commit;
};

// What WriterTask::Begin returns when it opened the split for writing.
inline Result<std::optional<SplitFigures>> SplitOpened() { return std::optional<SplitFigures>(); }

class WriterTask {
 public:
  virtual ~WriterTask() = default;
  // Opens the split's transaction. A writer with commit markers claims the split's marker here,
  // waiting while another attempt of the same split still holds it (a COMMIT in flight). When
  // an earlier attempt of this run already committed the split, nothing stays open and the
  // figures recorded with that commit are returned: the engine counts the split as committed
  // and writes nothing.
  virtual Result<std::optional<SplitFigures>> Begin() = 0;
  // Writes rows [begin, end) of `batch`, all or none. DataError means the destination refused
  // at least one of them and none was written; the task stays usable and the engine bisects the
  // range to find the refused rows. Any other error ends the split (transient codes retry it).
  virtual Status Write(const RecordBatch& batch, size_t begin, size_t end) = 0;
  // Whether this task streams its writes (Writer::OpenStreamingTask): a Write returns before the
  // destination has judged its rows, so a refused row is reported (DataError) only by a later
  // Write or by Commit, and it undoes the whole attempt, not one range. The engine then writes
  // the split again with a task that checks each write, to isolate the row. False: every Write
  // is all or none and reports its own refused rows, as Write above says.
  virtual bool streams_writes() const { return false; }
  // Records `figures` in the split's marker (when the writer keeps markers) and makes
  // everything written since Begin durable and visible at once. CommitUnknown: the connection
  // was lost while COMMIT was in flight, so the rows may or may not be there; the engine
  // resolves it through the marker (never by a blind retry).
  virtual Status Commit(const SplitFigures& figures) = 0;
  // Undoes everything since Begin. Safe to call after any error, and more than once.
  virtual void Abort() = 0;
};

// A directory a writer needs every host to share, and the parameter that names it ("path").
struct SharedPath {
  std::string directory;  // empty: none
  std::string parameter;
};

class Writer {
 public:
  virtual ~Writer() = default;
  // `input` is what the reader produces, in order. Must not change the destination.
  virtual Status Prepare(const StepContext& ctx, const std::vector<ColumnInfo>& input) = 0;
  // Job-level setup before any split: preSql, truncation, the marker table. `resuming`: a
  // resumed run, where the setup already ran and must not run again.
  virtual Status Start(bool resuming) = 0;
  virtual Result<std::unique_ptr<WriterTask>> OpenTask(const Split& split) = 0;
  // A task that may stream the split's rows (WriterTask::streams_writes), for a destination
  // that writes a long stream faster than many checked pieces (PostgreSQL: one COPY per split
  // instead of one per batch). The engine asks for it only from a transactional writer, whose
  // refused stream leaves nothing behind. The default is OpenTask: each write checked.
  virtual Result<std::unique_ptr<WriterTask>> OpenStreamingTask(const Split& split) {
    return OpenTask(split);
  }
  // Whether this prepared writer takes the reader's pre-encoded rows (types/row_encoding.h) as
  // they are: then every batch its tasks get is encoded. Only a writer that knows the encoding
  // and that its column types match says yes; its Write must still refuse a row with DataError,
  // so the engine can isolate it, and a dirty row is shown decoded.
  virtual bool AcceptsRowEncoding(const RowEncoding& encoding) const { return false; }
  // Rows per WriterTask::Write this destination is built for (its batchSize), or 0 to take the
  // run's default. Asked after Prepare; the engine then batches the reader's rows to this size.
  virtual size_t batch_rows() const { return 0; }
  // A directory that every host of a distributed run must see as the same one (a file
  // writer's output directory, where each host puts its parts), or none. Asked after Prepare.
  virtual SharedPath SharedDirectory() const { return {}; }
  // Whether this writer records each split's commit in the destination (after Prepare).
  virtual bool keeps_commit_markers() const { return false; }
  // The splits of this run (StepContext::run_id) whose commit the destination's markers
  // record, with their figures. Asked before Start of a resumed run; empty without markers.
  virtual Result<std::map<std::string, SplitFigures>> CommittedSplits() {
    return std::map<std::string, SplitFigures>{};
  }
  // ferry markers: the runs whose markers the destination holds, and their removal: of the run
  // `run_id` when given, else of every run whose last commit is before `before`
  // ("YYYY-MM-DD HH:MM:SS" UTC). Asked after Prepare.
  virtual Result<std::vector<MarkerRun>> ListCommitMarkers() {
    return Status::FailedPrecondition("this writer keeps no commit markers");
  }
  virtual Result<int64_t> RemoveCommitMarkers(const std::string& run_id,
                                              const std::string& before) {
    return Status::FailedPrecondition("this writer keeps no commit markers");
  }
  // After every split: postSql and publishing on success (then a writer with commit markers
  // removes this run's: they are needed only to finish a run); cleanup of partial output
  // otherwise.
  // `committed` lists the ids of every committed split, in plan order.
  virtual Status Finalize(bool succeeded, const std::vector<std::string>& committed) = 0;
};

}  // namespace ferry
