#include "plugins/txtfile/txtfile_reader.h"

#include <algorithm>

#include "plugins/txtfile/file_util.h"
#include "plugins/txtfile/reader_task.h"

namespace ferry::txtfile {
namespace {

// "0007": zero-padded so ids sort in plan order, wider only past 9999 files.
std::string SplitId(size_t k, size_t total) {
  std::string digits = std::to_string(k);
  size_t width = std::max<size_t>(4, std::to_string(total > 0 ? total - 1 : 0).size());
  return std::string(width > digits.size() ? width - digits.size() : 0, '0') + digits;
}

}  // namespace

Status TxtfileReader::Prepare(const StepContext& ctx) {
  try {
    return PrepareChecked(ctx);
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidArgument(std::string("bad parameter: ") + e.what());
  }
}

Status TxtfileReader::PrepareChecked(const StepContext& ctx) {
  ASSIGN_OR_RETURN(ReaderOptions options, ParseReaderOptions(ctx.param()));
  options_ = std::make_shared<ReaderOptions>(std::move(options));
  ASSIGN_OR_RETURN(files_, ExpandPaths(options_->paths));
  ASSIGN_OR_RETURN(std::vector<std::string> first, FirstRecord());
  const ReaderColumns& spec = options_->columns;
  if (spec.star) {
    if (first.empty()) {
      return Status::FailedPrecondition(
                 "every file is empty, so column [\"*\"] cannot tell how many fields a record "
                 "has; list the columns as {\"index\": N, \"type\": \"string\"}")
          .WithField("column");
    }
    columns_ = StarColumns(first.size());
    expected_fields_ = first.size();
  } else {
    columns_ = spec.columns;
    expected_fields_ = first.empty() ? spec.min_fields() : first.size();
    for (size_t i = 0; i < columns_.size(); ++i) {
      if (columns_[i].index >= 0 && static_cast<size_t>(columns_[i].index) >= expected_fields_) {
        return Status::InvalidArgument("index " + std::to_string(columns_[i].index) +
                                       " is past the last field: the first record has " +
                                       std::to_string(expected_fields_) +
                                       " fields (indexes start at 0)")
            .WithField("column[" + std::to_string(i) + "]");
      }
    }
  }
  NameColumns(options_->skip_header ? first : std::vector<std::string>());
  return Status::OK();
}

Result<std::vector<std::string>> TxtfileReader::FirstRecord() const {
  for (const std::string& file : files_) {
    ASSIGN_OR_RETURN(auto source, RecordSource::Open(file, *options_));
    for (;;) {
      ASSIGN_OR_RETURN(RecordSource::Event event, source->Next());
      if (event == RecordSource::Event::kEnd) break;
      if (event == RecordSource::Event::kMalformed) continue;
      const ParsedRecord& record = source->record();
      std::vector<std::string> fields;
      for (size_t f = 0; f < record.num_fields(); ++f) fields.emplace_back(record.field(f));
      return fields;
    }
  }
  return std::vector<std::string>();
}

void TxtfileReader::NameColumns(const std::vector<std::string>& header) {
  output_.clear();
  for (const ReaderColumn& c : columns_) {
    ColumnInfo info;
    info.type = c.type;
    if (c.index < 0) {
      info.name = c.constant_null ? "null" : c.constant;
    } else if (static_cast<size_t>(c.index) < header.size() && !header[c.index].empty()) {
      info.name = header[c.index];
    } else {
      info.name = "c" + std::to_string(c.index);
    }
    output_.push_back(std::move(info));
  }
}

Result<std::vector<Split>> TxtfileReader::PlanSplits(int concurrent) {
  std::vector<Split> splits;
  for (size_t k = 0; k < files_.size(); ++k) {
    Split s;
    s.id = SplitId(k, files_.size());
    s.spec = {{"file", files_[k]}, {"fields", expected_fields_}};
    splits.push_back(std::move(s));
  }
  return splits;
}

Result<std::unique_ptr<ReaderTask>> TxtfileReader::OpenTask(const Split& split) {
  if (!options_) return Status::Internal("txtfile reader: OpenTask before Prepare");
  auto file = split.spec.find("file");
  if (file == split.spec.end() || !file->is_string()) {
    return Status::InvalidArgument("txtfile split " + split.Describe() + " names no file");
  }
  size_t fields = split.spec.value("fields", expected_fields_);
  ASSIGN_OR_RETURN(auto source, RecordSource::Open(file->get<std::string>(), *options_));
  std::vector<std::string> names;
  for (const ColumnInfo& c : output_) names.push_back(c.name);
  return std::unique_ptr<ReaderTask>(
      new TxtfileReaderTask(std::move(source), options_, columns_, std::move(names), fields));
}

}  // namespace ferry::txtfile
