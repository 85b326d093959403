#include "ferry/plugin/sql/sql_sources.h"

#include "ferry/common/log.h"
#include "ferry/plugin/param_fields.h"
#include "ferry/plugin/sql/table_pattern.h"

namespace ferry {
namespace {

using nlohmann::json;

Status At(Status s, const std::string& field) {
  if (!s.field().empty()) return s;
  return std::move(s).WithField(field);
}

// "a" or ["a", "b"] at `key` of `object`, with the field named on a wrong shape.
Result<std::vector<std::string>> Strings(const json& object, const char* key,
                                         const std::string& field) {
  std::vector<std::string> out;
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return out;
  if (it->is_string()) {
    out.push_back(it->get<std::string>());
    return out;
  }
  if (!it->is_array()) {
    return Status::InvalidArgument("expected a string or a list of strings").WithField(field);
  }
  for (size_t i = 0; i < it->size(); ++i) {
    if (!(*it)[i].is_string()) {
      return Status::InvalidArgument("expected a string").WithField(IndexedField(field, i));
    }
    out.push_back((*it)[i].get<std::string>());
  }
  return out;
}

Status CheckType(const ConnectionSpec& conn, std::string_view type, const std::string& what,
                 const std::string& field) {
  if (conn.type == type) return Status::OK();
  return Status::InvalidArgument(what + " is a " + conn.type + " connection; this step is " +
                                 std::string(type))
      .WithField(field);
}

Result<ConnectionSpec> FromCatalog(const StepContext& ctx, const json& name_value,
                                   std::string_view type, const std::string& field) {
  if (!name_value.is_string()) {
    return Status::InvalidArgument("expected the name of a data source").WithField(field);
  }
  const std::string name = name_value.get<std::string>();
  if (ctx.datasources == nullptr) {
    return Status::FailedPrecondition("data source '" + name +
                                      "' cannot be looked up here (no catalog)")
        .WithField(field);
  }
  auto conn = ctx.datasources->Find(name);
  if (!conn.ok()) return At(conn.status(), field);
  RETURN_NOT_OK(CheckType(*conn, type, "data source '" + name + "'", field));
  return conn;
}

// A DataX jdbcUrl, with the step's username/password filling what the URL leaves out.
Result<ConnectionSpec> FromJdbcUrl(const std::string& url, const json& p, std::string_view type,
                                   const std::string& field) {
  auto conn = ParseJdbcUrl(url);
  if (!conn.ok()) return At(conn.status(), field);
  RETURN_NOT_OK(CheckType(*conn, type, "jdbcUrl '" + MaskSecrets(url) + "'", field));
  if (conn->user.empty()) {
    conn->user = p.value("username", p.value("user", std::string()));
  }
  if (conn->password.empty()) {
    conn->password = p.value("password", std::string());
    if (!conn->password.empty()) RegisterSecret(conn->password);
  }
  return conn;
}

Result<SqlSource> FromJdbcUrls(const json& urls, const json& p, std::string_view type,
                               const std::string& field) {
  ASSIGN_OR_RETURN(std::vector<std::string> list, Strings(urls, "jdbcUrl", field));
  if (list.empty())
    return Status::InvalidArgument("expected at least one jdbcUrl").WithField(field);
  SqlSource source;
  // DataX tries the entries in turn and uses the first that connects, so a malformed one fails
  // only itself; when none parses, the first error is the job's.
  Status first_error;
  size_t usable = 0;
  std::vector<ConnectionSpec> specs;
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string at = urls.at("jdbcUrl").is_array() ? IndexedField(field, i) : field;
    Result<ConnectionSpec> parsed = FromJdbcUrl(list[i], p, type, at);
    if (parsed.ok()) {
      ++usable;
      specs.push_back(*std::move(parsed));
      continue;
    }
    // A URL of another database is a mistake in the job, not an address that may be down.
    if (ParseJdbcUrl(list[i]).ok()) return parsed.status();
    if (first_error.ok()) first_error = parsed.status();
    ConnectionSpec bad;
    bad.type = std::string(type);
    bad.invalid = MaskSecrets(parsed.status().message());
    specs.push_back(std::move(bad));
  }
  if (usable == 0) return first_error;
  for (size_t i = 0; i < specs.size(); ++i) {
    ConnectionSpec conn = std::move(specs[i]);
    if (i == 0) {
      source.conn = std::move(conn);
    } else {
      source.fallbacks.push_back(std::move(conn));
    }
  }
  return source;
}

// One entry of a DataX `connection` list: its database and its own tables/querySql.
Result<SqlSource> FromConnectionEntry(const StepContext& ctx, const json& entry,
                                      std::string_view type, const std::string& field) {
  if (!entry.is_object()) {
    return Status::InvalidArgument("expected an object with jdbcUrl (or datasource) and table")
        .WithField(field);
  }
  SqlSource source;
  if (entry.contains("datasource")) {
    ASSIGN_OR_RETURN(source.conn,
                     FromCatalog(ctx, entry["datasource"], type, field + ".datasource"));
  } else if (entry.contains("jdbcUrl")) {
    ASSIGN_OR_RETURN(source, FromJdbcUrls(entry, ctx.param(), type, field + ".jdbcUrl"));
  } else {
    return Status::InvalidArgument("expected jdbcUrl or datasource in each connection entry")
        .WithField(field);
  }
  ASSIGN_OR_RETURN(source.tables, Strings(entry, "table", field + ".table"));
  ASSIGN_OR_RETURN(source.query_sql, Strings(entry, "querySql", field + ".querySql"));
  return source;
}

Result<std::vector<SqlSource>> Sources(const StepContext& ctx, std::string_view type) {
  const json& p = ctx.param();
  std::vector<SqlSource> out;
  if (auto it = p.find("datasource"); it != p.end() && !it->is_null()) {
    SqlSource source;
    ASSIGN_OR_RETURN(source.conn, FromCatalog(ctx, *it, type, "datasource"));
    source.field = "datasource";
    out.push_back(std::move(source));
  } else if (auto it = p.find("connection"); it != p.end() && it->is_object()) {
    SqlSource source;
    ASSIGN_OR_RETURN(source.conn, ConnectionFromJson(*it, type, "connection"));
    source.field = "connection";
    out.push_back(std::move(source));
  } else if (it != p.end() && it->is_array()) {
    for (size_t i = 0; i < it->size(); ++i) {
      const std::string field = IndexedField("connection", i);
      ASSIGN_OR_RETURN(SqlSource source, FromConnectionEntry(ctx, (*it)[i], type, field));
      source.field = field;
      out.push_back(std::move(source));
    }
  } else if (p.contains("jdbcUrl")) {
    ASSIGN_OR_RETURN(SqlSource source, FromJdbcUrls(p, p, type, "jdbcUrl"));
    source.field = "jdbcUrl";
    out.push_back(std::move(source));
  }
  if (out.empty()) {
    return Status::InvalidArgument(
               "name the database: \"datasource\": \"NAME\", a \"connection\" object, or DataX's "
               "\"connection\": [{\"jdbcUrl\": [...], \"table\": [...]}]")
        .WithField("datasource");
  }
  return out;
}

}  // namespace

Result<std::vector<SqlSource>> ResolveSqlSources(const StepContext& ctx, std::string_view type) {
  const json& p = ctx.param();
  ASSIGN_OR_RETURN(std::vector<SqlSource> sources, Sources(ctx, type));
  ASSIGN_OR_RETURN(std::vector<std::string> tables, Strings(p, "table", "table"));
  ASSIGN_OR_RETURN(std::vector<std::string> queries, Strings(p, "querySql", "querySql"));
  for (SqlSource& source : sources) {
    // Entries without their own list share the step's (one table list over several databases).
    if (source.tables.empty() && source.query_sql.empty()) {
      source.tables = tables;
      source.query_sql = queries;
    }
    const std::string table_field =
        source.field.starts_with("connection[") ? source.field + ".table" : "table";
    auto expanded = ExpandTablePatterns(source.tables);
    if (!expanded.ok()) return At(expanded.status(), table_field);
    source.tables = *std::move(expanded);
    if (source.tables.empty() && source.query_sql.empty()) {
      return Status::InvalidArgument("expected a table (or querySql) to read or write")
          .WithField(table_field);
    }
  }
  return sources;
}

std::vector<ParamDef> SqlSourceParams(std::string_view type) {
  const std::string t(type);
  return {
      // Only datasource has an example: `ferry template` shows one way to name the database.
      Param("datasource", ParamType::kString,
            "name of a data source stored with `ferry datasource add --type " + t +
                "`; or, instead of it, connection or jdbcUrl",
            "warehouse"),
      Param("connection", ParamType::kAny,
            "instead of datasource: an inline connection {\"host\", \"port\", \"database\", "
            "\"user\", \"passwordEnv\" | \"passwordFile\" | \"password\", \"options\"}, or "
            "DataX's list [{\"jdbcUrl\": [\"jdbc:" +
                t + "://host:port/db\"], \"table\": [...]}] with one entry per database"),
      Param("jdbcUrl", ParamType::kStringOrList,
            "instead of datasource: jdbc:" + t +
                "://host:port/database[?key=value] (a list: the first that connects is used)"),
      Param("username", ParamType::kString, "user for jdbcUrl connections"),
      Param("password", ParamType::kString,
            "password for jdbcUrl connections (prefer a datasource or passwordEnv; never logged)"),
  };
}

}  // namespace ferry
