#include "plugins/mysql/mysql_load_data.h"

#include <mysql.h>

#include <cstring>

#include "plugins/mysql/mysql_types.h"

namespace ferry {
namespace {

struct InfileSource {
  std::string_view data;
  size_t pos = 0;
};

int InfileInit(void** ptr, const char*, void* userdata) {
  *ptr = userdata;
  return 0;
}

int InfileRead(void* ptr, char* buf, unsigned int len) {
  auto* src = static_cast<InfileSource*>(ptr);
  size_t n = std::min<size_t>(len, src->data.size() - src->pos);
  std::memcpy(buf, src->data.data() + src->pos, n);
  src->pos += n;
  return static_cast<int>(n);
}

void InfileEnd(void*) {}

int InfileError(void*, char* buf, unsigned int len) {
  std::snprintf(buf, len, "ferry: local infile error");
  return 2000;
}

void AppendEscaped(std::string_view text, std::string* out) {
  for (char c : text) {
    switch (c) {
      case '\t':
        out->append("\\t");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\0':
        out->append("\\0");
        break;
      default:
        out->push_back(c);
    }
  }
}

}  // namespace

std::string LoadDataSql(const std::string& table, const std::vector<std::string>& columns,
                        const std::vector<bool>& is_bit, MysqlWriteMode mode) {
  std::string sql = "LOAD DATA LOCAL INFILE 'ferry' ";
  if (mode == MysqlWriteMode::kReplace) sql += "REPLACE ";
  sql += "INTO TABLE " + MysqlQualifiedName(table) +
         " CHARACTER SET binary FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' "
         "LINES TERMINATED BY '\\n' (";
  std::string set;
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i > 0) sql += ", ";
    if (i < is_bit.size() && is_bit[i]) {
      const std::string var = "@ferry_b" + std::to_string(i);
      sql += var;
      set += (set.empty() ? " SET " : ", ") + MysqlIdentifier(columns[i]) + " = CAST(" + var +
             " AS UNSIGNED)";
    } else {
      sql += MysqlIdentifier(columns[i]);
    }
  }
  return sql + ")" + set;
}

Status AppendLoadDataRow(const Value* row, size_t num_columns, int utc_offset_seconds,
                         std::string* out) {
  for (size_t c = 0; c < num_columns; ++c) {
    if (c > 0) out->push_back('\t');
    const Value& v = row[c];
    if (v.is_null()) {
      out->append("\\N");
    } else if (v.type == TypeId::kString || v.type == TypeId::kBytes) {
      AppendEscaped(v.text(), out);
    } else {
      std::string literal;
      RETURN_NOT_OK(AppendMysqlScalarLiteral(v, utc_offset_seconds, &literal));
      // Dates and times come quoted ('...'); LOAD DATA wants the bare text.
      if (literal.size() >= 2 && literal.front() == '\'') {
        literal = literal.substr(1, literal.size() - 2);
      }
      out->append(literal);
    }
  }
  out->push_back('\n');
  return Status::OK();
}

Status RunLoadData(MysqlConnection& conn, const std::string& sql, std::string_view data) {
  InfileSource source{data, 0};
  mysql_set_local_infile_handler(conn.get(), InfileInit, InfileRead, InfileEnd, InfileError,
                                 &source);
  Status s = conn.Exec(sql);
  mysql_set_local_infile_default(conn.get());
  return s;
}

}  // namespace ferry
