#include "ferry/plugin/column_projection.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <random>

#include "ferry/common/strings.h"
#include "ferry/types/convert.h"

namespace ferry {
namespace {

bool IsIdentifier(std::string_view s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  return std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '_' || c == '$' || c == '.' || c >= 0x80;
  });
}

// 'it''s' -> it's; returns false when not a single-quoted literal.
bool UnquoteLiteral(std::string_view s, char quote, std::string* out) {
  if (s.size() < 2 || s.front() != quote || s.back() != quote) return false;
  out->clear();
  for (size_t k = 1; k + 1 < s.size(); ++k) {
    if (s[k] == quote) {
      if (k + 2 < s.size() && s[k + 1] == quote) {
        ++k;
      } else {
        return false;
      }
    }
    out->push_back(s[k]);
  }
  return true;
}

std::string NewUuid() {
  thread_local std::mt19937_64 rng(std::random_device{}());
  uint64_t hi = rng(), lo = rng();
  hi = (hi & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;  // version 4
  lo = (lo & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;  // RFC 4122 variant
  char buf[37];
  std::snprintf(buf, sizeof(buf), "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xFFFF), static_cast<unsigned>(hi & 0xFFFF),
                static_cast<unsigned>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFULL));
  return buf;
}

Result<ColumnProjection::Entry> ParseEntry(std::string_view text) {
  using Kind = ColumnProjection::Kind;
  ColumnProjection::Entry e;
  e.name = std::string(text);
  std::string lower = ToLower(text);
  std::string unquoted;
  if (text == "*") {
    e.kind = Kind::kStar;
  } else if (lower == "now()" || lower == "current_timestamp" || lower == "current_timestamp()") {
    e.kind = Kind::kNow;
  } else if (lower == "current_date()" || lower == "current_date") {
    e.kind = Kind::kCurrentDate;
  } else if (lower == "uuid()") {
    e.kind = Kind::kUuid;
  } else if (UnquoteLiteral(text, '\'', &unquoted)) {
    e.kind = Kind::kConstant;
    e.constant = unquoted;
    e.constant_type = TypeId::kString;
  } else if (UnquoteLiteral(text, '"', &unquoted) || UnquoteLiteral(text, '`', &unquoted)) {
    e.kind = Kind::kSource;
    e.name = unquoted;
  } else if (lower == "null") {
    e.kind = Kind::kConstant;
    e.constant_type = TypeId::kNull;
  } else if (lower == "true" || lower == "false") {
    e.kind = Kind::kConstant;
    e.constant = lower;
    e.constant_type = TypeId::kBool;
  } else if (ParseInt64(text).ok()) {
    e.kind = Kind::kConstant;
    e.constant = std::string(text);
    e.constant_type = TypeId::kInt64;
  } else if (!text.empty() &&
             (std::isdigit(static_cast<unsigned char>(text[0])) || text[0] == '-' ||
              text[0] == '.') &&
             ParseDouble(text).ok()) {
    e.kind = Kind::kConstant;
    e.constant = std::string(text);
    e.constant_type = TypeId::kDouble;
  } else if (IsIdentifier(text)) {
    e.kind = Kind::kSource;
  } else {
    return Status::InvalidArgument(
        "\"" + std::string(text) +
        "\" is not a column name, a constant ('text', 123, null) or a function (now(), "
        "current_date(), uuid())");
  }
  return e;
}

}  // namespace

Result<ColumnProjection> ColumnProjection::Parse(const nlohmann::json& column,
                                                 int64_t job_start_micros) {
  ColumnProjection p;
  p.now_micros_ = job_start_micros;
  if (!column.is_array() || column.empty()) {
    return Status::InvalidArgument("expected a non-empty list of columns").WithField("column");
  }
  for (size_t i = 0; i < column.size(); ++i) {
    std::string field = "column[" + std::to_string(i) + "]";
    if (!column[i].is_string()) {
      return Status::InvalidArgument("expected a string (a column name, constant or function)")
          .WithField(field);
    }
    auto entry = ParseEntry(column[i].get<std::string>());
    if (!entry.ok()) return Status(entry.status()).WithField(field);
    if (entry->kind == Kind::kConstant && entry->constant_type != TypeId::kString) {
      auto v = ParseAs(entry->constant_type, entry->constant);
      if (v.ok()) entry->parsed = *v;
    }
    p.entries_.push_back(std::move(entry).value());
  }
  p.Index();
  return p;
}

bool ColumnProjection::has_star() const {
  return std::any_of(entries_.begin(), entries_.end(),
                     [](const Entry& e) { return e.kind == Kind::kStar; });
}

bool ColumnProjection::all_source() const {
  return std::all_of(entries_.begin(), entries_.end(),
                     [](const Entry& e) { return e.kind == Kind::kSource; });
}

void ColumnProjection::ExpandStar(const std::vector<std::string>& all_source_columns) {
  std::vector<Entry> expanded;
  for (Entry& e : entries_) {
    if (e.kind != Kind::kStar) {
      expanded.push_back(std::move(e));
      continue;
    }
    for (const std::string& name : all_source_columns) {
      Entry s;
      s.kind = Kind::kSource;
      s.name = name;
      expanded.push_back(std::move(s));
    }
  }
  entries_ = std::move(expanded);
  Index();
}

void ColumnProjection::Index() {
  source_columns_.clear();
  source_index_.clear();
  for (const Entry& e : entries_) {
    if (e.kind != Kind::kSource) {
      source_index_.push_back(-1);
      continue;
    }
    auto it = std::find(source_columns_.begin(), source_columns_.end(), e.name);
    if (it == source_columns_.end()) {
      source_columns_.push_back(e.name);
      it = source_columns_.end() - 1;
    }
    source_index_.push_back(static_cast<int>(it - source_columns_.begin()));
  }
}

std::vector<ColumnInfo> ColumnProjection::OutputColumns(
    const std::vector<TypeId>& source_types) const {
  std::vector<ColumnInfo> out;
  for (size_t i = 0; i < entries_.size(); ++i) {
    const Entry& e = entries_[i];
    ColumnInfo c{e.name, TypeId::kNull};
    switch (e.kind) {
      case Kind::kSource:
        if (source_index_[i] < static_cast<int>(source_types.size())) {
          c.type = source_types[source_index_[i]];
        }
        break;
      case Kind::kConstant:
        c.type = e.constant_type;
        break;
      case Kind::kNow:
        c.type = TypeId::kTimestamp;
        break;
      case Kind::kCurrentDate:
        c.type = TypeId::kDate;
        break;
      case Kind::kUuid:
        c.type = TypeId::kString;
        break;
      case Kind::kStar:
        break;
    }
    out.push_back(std::move(c));
  }
  return out;
}

void ColumnProjection::FillComputed(Value* row, RecordBatch* batch) const {
  constexpr int64_t kMicrosPerDay = 86'400'000'000LL;
  for (size_t i = 0; i < entries_.size(); ++i) {
    const Entry& e = entries_[i];
    switch (e.kind) {
      case Kind::kSource:
      case Kind::kStar:
        break;
      case Kind::kConstant: {
        row[i] = e.constant_type == TypeId::kString ? Value::View(TypeId::kString, e.constant)
                                                    : e.parsed;
        break;
      }
      case Kind::kNow:
        row[i] = Value::Timestamp(now_micros_);
        break;
      case Kind::kCurrentDate:
        row[i] = Value::Date(now_micros_ / kMicrosPerDay - (now_micros_ % kMicrosPerDay < 0));
        break;
      case Kind::kUuid:
        row[i] = batch->String(NewUuid());
        break;
    }
  }
}

std::string QuoteIdentifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string QuotedList(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ", ";
    out += QuoteIdentifier(names[i]);
  }
  return out;
}

}  // namespace ferry
