#include "plugins/txtfile/reader_columns.h"

#include <algorithm>
#include <charconv>

#include "ferry/types/convert.h"

namespace ferry::txtfile {
namespace {

constexpr int64_t kMicrosPerDay = 86'400'000'000LL;

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

Status ColumnError(size_t i, std::string message) {
  return Status::InvalidArgument(std::move(message)).WithField("column[" + std::to_string(i) + "]");
}

Result<ReaderColumn> ParseEntry(const nlohmann::json& entry, size_t i) {
  if (!entry.is_object()) {
    return ColumnError(i,
                       "expected {\"index\": N, \"type\": \"...\"}, {\"value\": ..., "
                       "\"type\": \"...\"} or \"*\" alone");
  }
  for (const auto& [key, v] : entry.items()) {
    if (key != "index" && key != "type" && key != "format" && key != "value") {
      return ColumnError(i, "unknown key \"" + key + "\"; expected index, value, type, format");
    }
  }
  ReaderColumn c;
  bool has_index = entry.contains("index"), has_value = entry.contains("value");
  if (has_index == has_value) return ColumnError(i, "give exactly one of \"index\" and \"value\"");
  if (has_index) {
    const auto& index = entry["index"];
    if (!index.is_number_integer() || index.get<int64_t>() < 0 || index.get<int64_t>() > 100000) {
      return ColumnError(i, "index must be a field number from 0");
    }
    c.index = index.get<int>();
  } else {
    const auto& value = entry["value"];
    if (value.is_null()) {
      c.constant_null = true;
    } else {
      c.constant = value.is_string() ? value.get<std::string>() : value.dump();
    }
  }
  if (entry.contains("type") && !entry["type"].is_string()) {
    return ColumnError(i, "type must be a string such as \"long\"");
  }
  std::string type = entry.value("type", std::string("string"));
  if (!ParseTypeName(type, &c.type) || c.type == TypeId::kNull) {
    return ColumnError(i, "unknown type \"" + type +
                              "\"; expected long, double, string, date, "
                              "bool, bytes, decimal or timestamp");
  }
  if (entry.contains("format")) {
    if (!entry["format"].is_string()) return ColumnError(i, "format must be a string");
    c.format = entry["format"].get<std::string>();
  }
  return c;
}

}  // namespace

size_t ReaderColumns::min_fields() const {
  size_t n = 0;
  for (const ReaderColumn& c : columns) {
    if (c.index >= 0) n = std::max(n, static_cast<size_t>(c.index) + 1);
  }
  return n;
}

Result<ReaderColumns> ParseReaderColumns(const nlohmann::json& column) {
  ReaderColumns out;
  if (column.is_null()) {
    out.star = true;
    return out;
  }
  if (!column.is_array() || column.empty()) {
    return Status::InvalidArgument("expected [\"*\"] or a list of {\"index\", \"type\"} objects")
        .WithField("column");
  }
  if (column.size() == 1 && column[0].is_string() && column[0].get<std::string>() == "*") {
    out.star = true;
    return out;
  }
  for (size_t i = 0; i < column.size(); ++i) {
    ASSIGN_OR_RETURN(ReaderColumn c, ParseEntry(column[i], i));
    if (c.index < 0 && !c.constant_null) {
      Value probe;
      RecordBatch scratch(1);
      Status error;
      if (!ConvertField(c, c.constant, &scratch, &probe, &error)) {
        return ColumnError(i, "value: " + error.message());
      }
    }
    out.columns.push_back(std::move(c));
  }
  return out;
}

std::vector<ReaderColumn> StarColumns(size_t n) {
  std::vector<ReaderColumn> out(n);
  for (size_t i = 0; i < n; ++i) out[i].index = static_cast<int>(i);
  return out;
}

namespace {

// The common spelling of a number, read without a Result; false sends the text to the slow
// path, which also takes the rare forms ("+5", subnormals) and words the error.
template <typename T>
bool FastNumber(std::string_view text, T* out) {
  const char* end = text.data() + text.size();
  auto r = std::from_chars(text.data(), end, *out);
  return r.ec == std::errc() && r.ptr == end && !text.empty();
}

// Moves a Result's value into *out, or its error into *error.
template <typename T>
bool Take(Result<T> result, T* out, Status* error) {
  if (!result.ok()) {
    *error = result.status();
    return false;
  }
  *out = std::move(result).value();
  return true;
}

bool ConvertDate(const ReaderColumn& column, std::string_view text, Value* out, Status* error) {
  int64_t days = 0;
  if (!column.format.empty()) {
    int64_t micros = 0;
    if (!Take(ParseJavaPattern(text, column.format), &micros, error)) return false;
    *out = Value::Date(FloorDiv(micros, kMicrosPerDay));
    return true;
  }
  auto parsed = ParseDate(text);
  if (!Take(std::move(parsed), &days, error)) {
    auto micros = ParseTimestamp(text);  // "2025-10-31 00:00:00" is a date too
    if (!micros.ok() || *micros % kMicrosPerDay != 0) return false;
    days = *micros / kMicrosPerDay;
  }
  *out = Value::Date(days);
  return true;
}

bool ConvertTimestamp(const ReaderColumn& column, std::string_view text, Value* out,
                      Status* error) {
  bool tz = column.type == TypeId::kTimestampTz;
  int64_t micros = 0;
  auto parsed =
      column.format.empty() ? ParseTimestamp(text, tz) : ParseJavaPattern(text, column.format);
  if (!Take(std::move(parsed), &micros, error)) return false;
  *out = tz ? Value::TimestampTz(micros) : Value::Timestamp(micros);
  return true;
}

// The types that need more than from_chars; kept out of line so ConvertField stays small.
[[gnu::noinline]] bool ConvertSlow(const ReaderColumn& column, std::string_view text,
                                   RecordBatch* batch, Value* out, Status* error) {
  std::string copy;
  switch (column.type) {
    case TypeId::kBytes:
      if (!Take(DecodeHex(text), &copy, error)) return false;
      *out = batch->CopyText(TypeId::kBytes, copy);
      return true;
    case TypeId::kDecimal:
      if (!Take(ParseDecimal(text), &copy, error)) return false;
      *out = batch->CopyText(TypeId::kDecimal, copy);
      return true;
    case TypeId::kDate:
      return ConvertDate(column, text, out, error);
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
      return ConvertTimestamp(column, text, out, error);
    default:
      return Take(ParseAs(column.type, text), out, error);
  }
}

}  // namespace

bool ConvertField(const ReaderColumn& column, std::string_view text, RecordBatch* batch, Value* out,
                  Status* error) {
  switch (column.type) {
    case TypeId::kString:
      *out = batch->CopyText(TypeId::kString, text);
      return true;
    case TypeId::kInt64:
      if (FastNumber(text, &out->i)) {
        out->type = TypeId::kInt64;
        return true;
      }
      break;
    case TypeId::kDouble:
      if (FastNumber(text, &out->d)) {
        out->type = TypeId::kDouble;
        return true;
      }
      break;
    default:
      break;
  }
  return ConvertSlow(column, text, batch, out, error);
}

}  // namespace ferry::txtfile
