// Reader: a source plugin. Prepare checks the step's parameters against the source without
// reading rows; PlanSplits cuts the work; OpenTask reads one split. OpenTask may be called from
// several threads at once; each ReaderTask is used by one thread.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "ferry/common/status.h"
#include "ferry/plugin/checksum.h"
#include "ferry/plugin/column_info.h"
#include "ferry/plugin/split.h"
#include "ferry/plugin/step_context.h"
#include "ferry/plugin/task_context.h"
#include "ferry/types/record_batch.h"

namespace ferry {

class ReaderTask {
 public:
  virtual ~ReaderTask() = default;
  // Appends up to `max_rows` records to `batch` (already Reset to OutputColumns().size()).
  // Returns false once the split is exhausted; the batch may still hold its last rows.
  virtual Result<bool> Next(RecordBatch* batch, size_t max_rows, TaskContext& ctx) = 0;
};

// Held by a distributed run's coordinator while every host opens its view of the source
// (Reader::HoldStill); destroying it lets the source go.
class ReadBarrier {
 public:
  virtual ~ReadBarrier() = default;
};

class Reader {
 public:
  virtual ~Reader() = default;
  // Errors about one parameter carry it in Status::field() ("splitPk", "column[2]").
  virtual Status Prepare(const StepContext& ctx) = 0;
  virtual std::vector<ColumnInfo> OutputColumns() const = 0;
  virtual Result<std::vector<Split>> PlanSplits(int concurrent) = 0;
  virtual Result<std::unique_ptr<ReaderTask>> OpenTask(const Split& split) = 0;

  // Distributed runs (DESIGN 8): whether this prepared reader can run its splits on several
  // hosts. Asked on the coordinator after Prepare, before anything is written; an error (with
  // the parameter in field()) refuses the run.
  virtual Status CheckDistributable() const { return Status::OK(); }
  // What the tasks of every host must share to read one consistent
  // view of the source (PostgreSQL: each database's exported snapshot). Asked on the
  // coordinator after PlanSplits, whose reader stays alive until the run ends; null: nothing.
  virtual nlohmann::json SharedReadState() const { return nullptr; }
  // On a worker host, after Prepare and before any OpenTask: read inside the coordinator's
  // SharedReadState() instead of a view of this host's own.
  virtual Status AdoptSharedReadState(const nlohmann::json& state) { return Status::OK(); }
  // For a source whose consistent view each host must open itself at one moment (MySQL's
  // consistentSnapshot): the coordinator holds the source still — null when there is no need —
  // while every worker calls OpenSharedView for its `channels`, then releases it.
  virtual Result<std::unique_ptr<ReadBarrier>> HoldStill() {
    return std::unique_ptr<ReadBarrier>();
  }
  virtual Status OpenSharedView(int channels) { return Status::OK(); }
  // Pre-encoded rows (types/row_encoding.h): the form this prepared reader can hand its rows
  // on in unchanged, or null. The engine offers it to the writer; UseRowEncoding, called before
  // PlanSplits when the writer accepts it, makes every task fill its batches with such rows.
  virtual std::shared_ptr<const RowEncoding> OfferedRowEncoding() const { return nullptr; }
  virtual void UseRowEncoding() {}
  // `ferry verify`: the source's own row summaries, when it can compute them (after Prepare).
  virtual ChecksumSource* checksum_source() { return nullptr; }
  // `ferry verify`: the source columns that identify a row — the table's primary key, else its
  // first unique index (after Prepare); no columns when there is none or the reader cannot tell
  // (querySql, files).
  virtual Result<SourceRowKey> RowKey() { return SourceRowKey(); }
  // `ferry verify`: the inclusive integer splitPk range a split of this reader's plan reads;
  // nullopt for a split that is not one range (NULL keys, a whole table, a query).
  virtual std::optional<SplitKeyRange> KeyRangeOf(const Split& split) const { return std::nullopt; }
};

}  // namespace ferry
