#include "plugins/stream/stream_reader.h"

#include <random>

#include "ferry/types/convert.h"

namespace ferry {
namespace {

class StreamReaderTask : public ReaderTask {
 public:
  StreamReaderTask(const std::vector<StreamReader::ColumnGen>* columns, int64_t records,
                   uint64_t seed)
      : columns_(columns), remaining_(records), rng_(seed) {
    for (const auto& c : *columns_) any_random_ |= c.random;
  }

  Result<bool> Next(RecordBatch* batch, size_t max_rows, TaskContext& ctx) override {
    size_t n = static_cast<size_t>(std::min<int64_t>(remaining_, static_cast<int64_t>(max_rows)));
    size_t width = columns_->size();
    for (size_t r = 0; r < n; ++r) {
      Value* row = batch->AppendRow();
      for (size_t c = 0; c < width; ++c) {
        const auto& gen = (*columns_)[c];
        row[c] = gen.random ? Random(gen, batch) : gen.constant;
      }
    }
    remaining_ -= static_cast<int64_t>(n);
    return remaining_ > 0;
  }

 private:
  Value Random(const StreamReader::ColumnGen& gen, RecordBatch* batch) {
    switch (gen.type) {
      case TypeId::kDouble:
        return Value::Double(std::uniform_real_distribution<double>(gen.dlo, gen.dhi)(rng_));
      case TypeId::kString: {
        // A random lowercase string whose length is in the range.
        int64_t len = std::uniform_int_distribution<int64_t>(gen.lo, gen.hi)(rng_);
        std::string s(static_cast<size_t>(len), 'a');
        for (char& ch : s) ch = static_cast<char>('a' + rng_() % 26);
        return batch->String(s);
      }
      default: {
        int64_t v = std::uniform_int_distribution<int64_t>(gen.lo, gen.hi)(rng_);
        Value out = gen.constant;
        out.i = v;
        return out;
      }
    }
  }

  const std::vector<StreamReader::ColumnGen>* columns_;
  int64_t remaining_;
  std::mt19937_64 rng_;
  bool any_random_ = false;
};

Status ParseRange(const std::string& text, StreamReader::ColumnGen* gen) {
  size_t comma = text.find(',');
  if (comma == std::string::npos) {
    return Status::InvalidArgument("expected \"min,max\", found \"" + text + "\"");
  }
  std::string a = text.substr(0, comma), b = text.substr(comma + 1);
  if (gen->type == TypeId::kDouble) {
    auto lo = ParseDouble(a), hi = ParseDouble(b);
    if (!lo.ok() || !hi.ok() || *lo > *hi) {
      return Status::InvalidArgument("expected \"min,max\" numbers, found \"" + text + "\"");
    }
    gen->dlo = *lo;
    gen->dhi = *hi;
    return Status::OK();
  }
  auto lo = ParseInt64(a), hi = ParseInt64(b);
  if (!lo.ok() || !hi.ok() || *lo > *hi) {
    return Status::InvalidArgument("expected \"min,max\" integers, found \"" + text + "\"");
  }
  gen->lo = *lo;
  gen->hi = *hi;
  return Status::OK();
}

}  // namespace

Status StreamReader::Prepare(const StepContext& ctx) {
  const auto& p = ctx.param();
  slice_record_count_ = p.value("sliceRecordCount", int64_t{0});
  if (slice_record_count_ < 0) {
    return Status::InvalidArgument("expected 0 or more records").WithField("sliceRecordCount");
  }
  const auto& cols = p.at("column");
  if (cols.empty()) {
    return Status::InvalidArgument(
               "expected at least one column such as {\"type\": \"long\", \"value\": 1} "
               "(DataX refuses an empty list too)")
        .WithField("column");
  }
  columns_.clear();
  columns_.reserve(cols.size());
  for (size_t i = 0; i < cols.size(); ++i) {
    std::string field = "column[" + std::to_string(i) + "]";
    const auto& c = cols[i];
    if (!c.is_object()) {
      return Status::InvalidArgument(
                 "expected {\"type\": ..., \"value\": ...} or {\"type\": ..., \"random\": "
                 "\"min,max\"}")
          .WithField(field);
    }
    for (auto it = c.begin(); it != c.end(); ++it) {
      if (it.key() != "type" && it.key() != "value" && it.key() != "random" &&
          it.key() != "dateFormat") {
        return Status::InvalidArgument("unknown key \"" + it.key() +
                                       "\"; expected type, value, random or dateFormat")
            .WithField(field);
      }
    }
    ColumnGen gen;
    std::string type = c.value("type", "string");
    if (!ParseTypeName(type, &gen.type)) {
      return Status::InvalidArgument("unknown type \"" + type +
                                     "\"; expected long, double, string, bool, date, timestamp, "
                                     "decimal or bytes")
          .WithField(field + ".type");
    }
    if (c.contains("random")) {
      gen.random = true;
      if (gen.type != TypeId::kInt64 && gen.type != TypeId::kDouble &&
          gen.type != TypeId::kString) {
        return Status::InvalidArgument("random works for long, double and string columns")
            .WithField(field + ".random");
      }
      gen.constant.type = gen.type;
      Status st = ParseRange(c["random"].is_string() ? c["random"].get<std::string>() : "", &gen);
      if (!st.ok()) return std::move(st).WithField(field + ".random");
    } else if (!c.contains("value") || c["value"].is_null()) {
      gen.constant = Value::Null();
    } else {
      const auto& v = c["value"];
      gen.text = v.is_string() ? v.get<std::string>() : v.dump();
      const bool has_format = c.contains("dateFormat") && c["dateFormat"].is_string() &&
                              !c["dateFormat"].get<std::string>().empty();
      // DataX's date carries the time: without dateFormat it parses "yyyy-MM-dd HH:mm:ss", and
      // streamwriter prints it back that way. Ferry reads such a value as a timestamp; a bare
      // "yyyy-MM-dd" (which DataX refuses) stays a date.
      auto datax_date = (gen.type == TypeId::kDate && !has_format)
                            ? ParseJavaPattern(gen.text, "yyyy-MM-dd HH:mm:ss")
                            : Result<int64_t>(Status::InvalidArgument("not a DataX date"));
      if (datax_date.ok()) {
        gen.type = TypeId::kTimestamp;
        gen.constant = Value::Timestamp(*datax_date);
      } else if (has_format && (gen.type == TypeId::kDate || gen.type == TypeId::kTimestamp)) {
        auto micros = ParseJavaPattern(gen.text, c["dateFormat"].get<std::string>());
        if (!micros.ok()) return Status(micros.status()).WithField(field + ".value");
        // As in DataX, a date read through a pattern keeps whatever time the pattern holds.
        gen.type = TypeId::kTimestamp;
        gen.constant = Value::Timestamp(*micros);
      } else {
        auto parsed = ParseAs(gen.type, gen.text);
        if (!parsed.ok()) {
          return Status::InvalidArgument(parsed.status().message()).WithField(field + ".value");
        }
        gen.constant = *parsed;
      }
    }
    columns_.push_back(std::move(gen));
  }
  // Constants of text types point into `text`, which must no longer move.
  for (ColumnGen& gen : columns_) {
    if (!gen.random && gen.constant.has_text()) gen.constant = Value::View(gen.type, gen.text);
  }
  return Status::OK();
}

std::vector<ColumnInfo> StreamReader::OutputColumns() const {
  std::vector<ColumnInfo> out;
  for (size_t i = 0; i < columns_.size(); ++i) {
    out.push_back({"c" + std::to_string(i), columns_[i].type});
  }
  return out;
}

Result<std::vector<Split>> StreamReader::PlanSplits(int concurrent) {
  // DataX: every channel produces sliceRecordCount records.
  std::vector<Split> splits;
  for (int k = 0; k < concurrent; ++k) {
    char id[16];
    std::snprintf(id, sizeof(id), "%04d", k);
    splits.push_back({id, {{"slice", k}, {"records", slice_record_count_}}});
  }
  return splits;
}

Result<std::unique_ptr<ReaderTask>> StreamReader::OpenTask(const Split& split) {
  int64_t records = split.spec.at("records").get<int64_t>();
  uint64_t seed = 0x5eed + split.spec.at("slice").get<uint64_t>();
  return std::unique_ptr<ReaderTask>(new StreamReaderTask(&columns_, records, seed));
}

}  // namespace ferry
