#include "plugins/txtfile/reader_task.h"

#include <algorithm>

namespace ferry::txtfile {

TxtfileReaderTask::TxtfileReaderTask(std::unique_ptr<RecordSource> source,
                                     std::shared_ptr<const ReaderOptions> options,
                                     std::vector<ReaderColumn> columns,
                                     std::vector<std::string> names, size_t expected_fields)
    : source_(std::move(source)),
      options_(std::move(options)),
      columns_(std::move(columns)),
      names_(std::move(names)),
      constant_arena_(1),
      constants_(columns_.size()),
      expected_fields_(expected_fields),
      header_pending_(options_->skip_header) {
  all_strings_ = std::all_of(columns_.begin(), columns_.end(), [](const ReaderColumn& c) {
    return c.index >= 0 && c.type == TypeId::kString;
  });
  for (size_t c = 0; c < columns_.size(); ++c) {
    const ReaderColumn& col = columns_[c];
    if (col.index >= 0 || col.constant_null) continue;
    Status unused;  // ParseReaderColumns checked the constant, so this cannot fail
    ConvertField(col, col.constant, &constant_arena_, &constants_[c], &unused);
  }
}

Result<bool> TxtfileReaderTask::Next(RecordBatch* batch, size_t max_rows, TaskContext& ctx) {
  if (ctx.stop.stop_requested()) {
    return Status::Cancelled("reading " + source_->path() + " stopped");
  }
  size_t target = batch->num_rows() + max_rows;
  size_t bad_column = 0;
  Status error;
  while (batch->num_rows() < target) {
    ASSIGN_OR_RETURN(RecordSource::Event event, source_->Next());
    if (event == RecordSource::Event::kEnd) return false;
    if (header_pending_) {
      header_pending_ = false;
      continue;
    }
    const ParsedRecord& record = source_->record();
    if (event == RecordSource::Event::kMalformed) {
      RETURN_NOT_OK(ReportRaw(ctx, record.error()));
      continue;
    }
    if (record.num_fields() != expected_fields_) {
      RETURN_NOT_OK(ReportRaw(ctx, "expected " + std::to_string(expected_fields_) +
                                       " fields, found " + std::to_string(record.num_fields())));
      continue;
    }
    if (!AppendRecord(batch, &bad_column, &error)) {
      RETURN_NOT_OK(ReportConversion(ctx, bad_column, error));
    }
  }
  return true;
}

void TxtfileReaderTask::AppendStrings(Value* row, RecordBatch* batch) const {
  const ParsedRecord& record = source_->record();
  for (size_t c = 0; c < columns_.size(); ++c) {
    size_t f = static_cast<size_t>(columns_[c].index);
    if (!record.is_null(f)) row[c] = batch->CopyText(TypeId::kString, record.field(f));
  }
}

bool TxtfileReaderTask::AppendRecord(RecordBatch* batch, size_t* bad_column, Status* error) const {
  Value* row = batch->AppendRow();
  if (all_strings_) {
    AppendStrings(row, batch);
    return true;
  }
  const ParsedRecord& record = source_->record();
  for (size_t c = 0; c < columns_.size(); ++c) {
    const ReaderColumn& col = columns_[c];
    if (col.index < 0) {
      const Value& k = constants_[c];
      row[c] = k.has_text() ? batch->CopyText(k.type, k.text()) : k;
      continue;
    }
    size_t f = static_cast<size_t>(col.index);
    if (record.is_null(f)) continue;  // AppendRow left it null
    if (!ConvertField(col, record.field(f), batch, &row[c], error)) {
      batch->PopRow();
      *bad_column = c;
      return false;
    }
  }
  return true;
}

Status TxtfileReaderTask::ReportRaw(TaskContext& ctx, const std::string& reason) const {
  const std::string& split_id = ctx.split != nullptr ? ctx.split->id : std::string();
  return ctx.dirty->AddRaw(split_id, Status::DataError(reason), source_->Where(),
                           std::string(source_->record().raw()));
}

Status TxtfileReaderTask::ReportConversion(TaskContext& ctx, size_t column,
                                           const Status& error) const {
  const ParsedRecord& record = source_->record();
  // The dirty record shows every field as read, so the user sees the text that failed.
  std::vector<Value> row(columns_.size());
  for (size_t c = 0; c < columns_.size(); ++c) {
    int f = columns_[c].index;
    if (f < 0) {
      row[c] = constants_[c];
    } else if (!record.is_null(static_cast<size_t>(f))) {
      row[c] = Value::View(TypeId::kString, record.field(static_cast<size_t>(f)));
    }
  }
  Status reason =
      Status::DataError(source_->Where() + ": field " + std::to_string(columns_[column].index) +
                        " (" + TypeName(columns_[column].type) + "): " + error.message())
          .WithColumn(names_[column]);
  const std::string& split_id = ctx.split != nullptr ? ctx.split->id : std::string();
  return ctx.dirty->AddRecord(split_id, reason, row.data(), row.size());
}

}  // namespace ferry::txtfile
