#include "plugins/mysql/mysql_types.h"

#include <mysql.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>

#include "ferry/types/convert.h"

namespace ferry {
namespace {

constexpr unsigned kBinaryCharset = 63;
constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kMicrosPerDay = 86'400 * kMicrosPerSecond;

Result<int64_t> FastInt64(std::string_view text) {
  int64_t v = 0;
  auto r = std::from_chars(text.data(), text.data() + text.size(), v);
  if (r.ec != std::errc() || r.ptr != text.data() + text.size()) return ParseInt64(text);
  return v;
}

// An unsigned value: int64 when it fits, else its digits as a decimal.
Value UnsignedValue(uint64_t u, RecordBatch* batch) {
  if (u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return Value::Int64(static_cast<int64_t>(u));
  }
  return batch->CopyText(TypeId::kDecimal, std::to_string(u));
}

Result<Value> ReadUnsigned(std::string_view text, RecordBatch* batch) {
  uint64_t u = 0;
  auto r = std::from_chars(text.data(), text.data() + text.size(), u);
  if (r.ec != std::errc() || r.ptr != text.data() + text.size()) {
    return Status::DataError("\"" + std::string(text) + "\" is not an unsigned integer");
  }
  return UnsignedValue(u, batch);
}

Value ReadBit(std::string_view bytes, RecordBatch* batch) {
  uint64_t u = 0;
  for (unsigned char c : bytes) u = (u << 8) | c;
  return UnsignedValue(u, batch);
}

// "0000-00-00", "2025-00-00 ...": a date part MySQL allows and no calendar has.
bool IsZeroDate(std::string_view text) {
  return text.size() >= 10 &&
         (text.substr(0, 4) == "0000" || text.substr(5, 2) == "00" || text.substr(8, 2) == "00");
}

Result<Value> ZeroDate(std::string_view text, const MysqlCellContext& ctx) {
  if (ctx.zero_dates == ZeroDateMode::kNull) return Value::Null();
  return Status::DataError("zero date \"" + std::string(text) +
                           "\" has no calendar value (zeroDateMode \"null\" reads it as NULL)");
}

Result<Value> ReadTime(std::string_view text, RecordBatch* batch) {
  auto micros = ParseTime(text);
  if (micros.ok() && *micros >= 0 && *micros < kMicrosPerDay) return Value::Time(*micros);
  return batch->CopyText(TypeId::kString, text);
}

Result<Value> ReadDateLike(MysqlColumnKind kind, std::string_view text,
                           const MysqlCellContext& ctx) {
  if (IsZeroDate(text)) return ZeroDate(text, ctx);
  if (kind == MysqlColumnKind::kDate) {
    ASSIGN_OR_RETURN(int64_t days, ParseDate(text));
    return Value::Date(days);
  }
  ASSIGN_OR_RETURN(int64_t micros, ParseTimestamp(text));
  if (kind == MysqlColumnKind::kDatetime) return Value::Timestamp(micros);
  return Value::TimestampTz(micros - ctx.utc_offset_seconds * kMicrosPerSecond);
}

}  // namespace

MysqlColumnKind ColumnKindOf(const MYSQL_FIELD& f) {
  const bool is_unsigned = (f.flags & UNSIGNED_FLAG) != 0;
  switch (f.type) {
    case MYSQL_TYPE_TINY:
    case MYSQL_TYPE_SHORT:
    case MYSQL_TYPE_INT24:
    case MYSQL_TYPE_LONG:
    case MYSQL_TYPE_YEAR:
      return MysqlColumnKind::kSigned;  // unsigned int fits int64
    case MYSQL_TYPE_LONGLONG:
      return is_unsigned ? MysqlColumnKind::kUnsigned : MysqlColumnKind::kSigned;
    case MYSQL_TYPE_BIT:
      return MysqlColumnKind::kBit;
    case MYSQL_TYPE_DECIMAL:
    case MYSQL_TYPE_NEWDECIMAL:
      return MysqlColumnKind::kDecimal;
    case MYSQL_TYPE_FLOAT:
    case MYSQL_TYPE_DOUBLE:
      return MysqlColumnKind::kDouble;
    case MYSQL_TYPE_DATE:
    case MYSQL_TYPE_NEWDATE:
      return MysqlColumnKind::kDate;
    case MYSQL_TYPE_TIME:
    case MYSQL_TYPE_TIME2:
      return MysqlColumnKind::kTime;
    case MYSQL_TYPE_DATETIME:
    case MYSQL_TYPE_DATETIME2:
      return MysqlColumnKind::kDatetime;
    case MYSQL_TYPE_TIMESTAMP:
    case MYSQL_TYPE_TIMESTAMP2:
      return MysqlColumnKind::kTimestamp;
    case MYSQL_TYPE_GEOMETRY:
      return MysqlColumnKind::kBytes;
    default:
      return f.charsetnr == kBinaryCharset ? MysqlColumnKind::kBytes : MysqlColumnKind::kText;
  }
}

TypeId DeclaredType(MysqlColumnKind kind) {
  switch (kind) {
    case MysqlColumnKind::kSigned:
      return TypeId::kInt64;
    case MysqlColumnKind::kUnsigned:
    case MysqlColumnKind::kBit:
    case MysqlColumnKind::kDecimal:
      return TypeId::kDecimal;
    case MysqlColumnKind::kDouble:
      return TypeId::kDouble;
    case MysqlColumnKind::kDate:
      return TypeId::kDate;
    case MysqlColumnKind::kTime:
      return TypeId::kTime;
    case MysqlColumnKind::kDatetime:
      return TypeId::kTimestamp;
    case MysqlColumnKind::kTimestamp:
      return TypeId::kTimestampTz;
    case MysqlColumnKind::kText:
      return TypeId::kString;
    case MysqlColumnKind::kBytes:
      return TypeId::kBytes;
  }
  return TypeId::kNull;
}

Result<int> ParseUtcOffset(std::string_view text) {
  if (text == "UTC" || text == "Z" || text == "utc") return 0;
  int h = 0, m = 0;
  const bool shape = text.size() == 6 && (text[0] == '+' || text[0] == '-') && text[3] == ':';
  if (shape) {
    auto r1 = std::from_chars(text.data() + 1, text.data() + 3, h);
    auto r2 = std::from_chars(text.data() + 4, text.data() + 6, m);
    if (r1.ptr == text.data() + 3 && r2.ptr == text.data() + 6 && h <= 14 && m < 60) {
      return (text[0] == '-' ? -1 : 1) * (h * 3600 + m * 60);
    }
  }
  return Status::InvalidArgument("\"" + std::string(text) +
                                 "\" is not a UTC offset: use \"+08:00\", \"-05:00\" or \"UTC\"");
}

std::string FormatUtcOffset(int seconds) {
  char buf[16];  // room for the hours of any int, so the text is never cut short
  const int a = std::abs(seconds);
  std::snprintf(buf, sizeof buf, "%c%02d:%02d", seconds < 0 ? '-' : '+', a / 3600, a % 3600 / 60);
  return buf;
}

Result<Value> ReadMysqlCell(MysqlColumnKind kind, std::string_view text, RecordBatch* batch,
                            const MysqlCellContext& ctx) {
  switch (kind) {
    case MysqlColumnKind::kSigned: {
      ASSIGN_OR_RETURN(int64_t v, FastInt64(text));
      return Value::Int64(v);
    }
    case MysqlColumnKind::kUnsigned:
      return ReadUnsigned(text, batch);
    case MysqlColumnKind::kBit:
      return ReadBit(text, batch);
    case MysqlColumnKind::kDecimal:
      return batch->CopyText(TypeId::kDecimal, text);
    case MysqlColumnKind::kDouble: {
      ASSIGN_OR_RETURN(double d, ParseDouble(text));
      return Value::Double(d);
    }
    case MysqlColumnKind::kTime:
      return ReadTime(text, batch);
    case MysqlColumnKind::kDate:
    case MysqlColumnKind::kDatetime:
    case MysqlColumnKind::kTimestamp:
      return ReadDateLike(kind, text, ctx);
    case MysqlColumnKind::kText:
      return batch->CopyText(TypeId::kString, text);
    case MysqlColumnKind::kBytes:
      return batch->CopyText(TypeId::kBytes, text);
  }
  return Status::Internal("unknown mysql column kind");
}

Status AppendMysqlScalarLiteral(const Value& v, int utc_offset_seconds, std::string* out) {
  switch (v.type) {
    case TypeId::kNull:
      out->append("NULL");
      return Status::OK();
    case TypeId::kBool:
      out->append(v.i != 0 ? "1" : "0");
      return Status::OK();
    case TypeId::kDouble:
      if (!std::isfinite(v.d)) {
        return Status::DataError(std::string("MySQL cannot store the double ") +
                                 (std::isnan(v.d) ? "NaN" : "infinity"));
      }
      AppendValueText(v, out);  // shortest text that reads back to the same bits
      return Status::OK();
    case TypeId::kInt64:
    case TypeId::kDecimal:
      AppendValueText(v, out);
      return Status::OK();
    case TypeId::kBytes: {
      out->append("X'");
      static constexpr char kHex[] = "0123456789abcdef";
      for (unsigned char c : v.text()) {
        out->push_back(kHex[c >> 4]);
        out->push_back(kHex[c & 15]);
      }
      out->push_back('\'');
      return Status::OK();
    }
    case TypeId::kTimestampTz: {
      out->push_back('\'');
      AppendTimestamp(v.i + utc_offset_seconds * kMicrosPerSecond, out);
      out->push_back('\'');
      return Status::OK();
    }
    case TypeId::kDate:
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kString:
      out->push_back('\'');
      AppendValueText(v, out);  // digits, '-', ':', '.', ' ' only (strings go through quote)
      out->push_back('\'');
      return Status::OK();
  }
  return Status::Internal("unknown value type");
}

}  // namespace ferry
