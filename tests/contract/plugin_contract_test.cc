// The plugin contract suite (STYLE.md "Tests"): every writer takes the same table of tricky
// values, its reader reads them back, and the values must come back exactly — or exactly as the
// plugin documents its type mapping (SQLite has no date type, so a date comes back as its text).
// A new plugin adds one ContractTarget below and counts once it passes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <mutex>

#include "ferry/exec/job_runner.h"
#include "ferry/plugin/registry.h"
#include "ferry/types/convert.h"
#include "tests/support/ferry_cli.h"
#include "tests/support/mariadb_test_server.h"
#include "tests/support/pg_test_server.h"

namespace ferry::testing {
namespace {

using json = nlohmann::json;

// The tricky table: one column per type, rows mixing extremes, NULLs and awkward text.
const std::vector<std::string> kColumns = {"id", "s", "i", "d", "dec", "dt", "ts", "b", "bo"};

std::string Bytes(std::initializer_list<int> b) {
  std::string s;
  for (int c : b) s.push_back(static_cast<char>(c));
  return s;
}

struct Cell {
  TypeId type;
  std::string text;  // canonical text (strings/bytes raw)
  double d = 0;      // doubles compared by bits
};

std::vector<std::vector<Cell>> TrickyRows() {
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  auto s = [](std::string t) { return Cell{TypeId::kString, std::move(t)}; };
  auto i = [](int64_t v) { return Cell{TypeId::kInt64, std::to_string(v)}; };
  auto d = [](double v) { return Cell{TypeId::kDouble, ValueText(Value::Double(v)), v}; };
  auto dec = [](std::string t) { return Cell{TypeId::kDecimal, std::move(t)}; };
  auto dt = [](std::string t) { return Cell{TypeId::kDate, std::move(t)}; };
  auto ts = [](std::string t) { return Cell{TypeId::kTimestamp, std::move(t)}; };
  auto b = [](std::string t) { return Cell{TypeId::kBytes, std::move(t)}; };
  auto bo = [](bool v) { return Cell{TypeId::kBool, v ? "true" : "false"}; };
  Cell null{TypeId::kNull, ""};
  return {
      {i(1), null, null, null, null, null, null, null, null},
      {i(2), s(""), i(0), d(0.0), dec("0"), dt("0001-01-01"), ts("0001-01-01 00:00:00"), b(""),
       bo(false)},
      {i(3), s("\\N"), i(kMax), d(1e308), dec("12345678901234567890123456789012345678"),
       dt("9999-12-31"), ts("9999-12-31 23:59:59.999999"), b(Bytes({0})), bo(true)},
      {i(4), s("line1\r\nline2\ttab \"quoted\" back\\slash"), i(kMin), d(5e-324),
       dec("-0.00000000000000000000000000000000000001"), dt("2024-02-29"),
       ts("2025-10-31 12:00:00.000001"), b(Bytes({0, 255, 0, 1})), bo(true)},
      {i(5), s("中文 😀 e\xcc\x81 𝄞"), i(-1), d(-1.7976931348623157e308), dec("-1.50"),
       dt("1970-01-01"), ts("1969-12-31 23:59:59.5"), b(Bytes({0xde, 0xad, 0xbe, 0xef, 0})),
       bo(false)},
      {i(6), s(" padded, \"comma\" "), i(42), d(0.1), dec("3.14159265358979323846264338327950288"),
       dt("2000-02-29"), ts("2000-01-01 00:00:00"), b(Bytes({'\\', 'N'})), bo(true)},
      {i(7), s("NULL"), i(7), d(2.2250738585072014e-308), dec("100"), dt("2025-12-31"),
       ts("2025-12-31 23:59:59"), b(Bytes({'\n', '\r', ',', '"'})), bo(false)},
  };
}

Value ToValue(const Cell& c) {
  switch (c.type) {
    case TypeId::kNull:
      return Value::Null();
    case TypeId::kDouble:
      return Value::Double(c.d);
    case TypeId::kString:
    case TypeId::kBytes:
    case TypeId::kDecimal:
      return Value::View(c.type, c.text);
    default:
      return *ParseAs(c.type, c.text);
  }
}

// What came back, as comparable text: "type:text" (doubles by their bits).
std::string Describe(const Value& v) {
  if (v.type == TypeId::kDouble) {
    uint64_t bits;
    std::memcpy(&bits, &v.d, sizeof(bits));
    return std::string("double:") + ValueText(v) + "/" + std::to_string(bits);
  }
  std::string text = v.type == TypeId::kBytes ? "" : ValueText(v);
  if (v.type == TypeId::kBytes) AppendHex(v.text(), &text);
  return std::string(TypeName(v.type)) + ":" + text;
}

// --- test plugins: a source of the tricky rows and a sink that keeps what arrives ----------

class TrickySource : public Reader {
 public:
  Status Prepare(const StepContext&) override { return Status::OK(); }
  std::vector<ColumnInfo> OutputColumns() const override {
    std::vector<ColumnInfo> cols;
    for (const std::string& c : kColumns) cols.push_back({c, TypeId::kNull});
    return cols;
  }
  Result<std::vector<Split>> PlanSplits(int) override { return std::vector<Split>{{"0000", {}}}; }
  Result<std::unique_ptr<ReaderTask>> OpenTask(const Split&) override {
    struct Task : ReaderTask {
      std::vector<std::vector<Cell>> rows = TrickyRows();
      Result<bool> Next(RecordBatch* batch, size_t, TaskContext&) override {
        for (const auto& row : rows) {
          Value* out = batch->AppendRow();
          for (size_t c = 0; c < row.size(); ++c) {
            Value v = ToValue(row[c]);
            out[c] = v.has_text() ? batch->CopyText(v.type, v.text()) : v;
          }
        }
        return false;
      }
    };
    return std::unique_ptr<ReaderTask>(new Task());
  }
};

std::mutex g_sink_mu;
std::vector<std::vector<std::string>> g_sink_rows;

class CapturingSink : public Writer {
 public:
  Status Prepare(const StepContext&, const std::vector<ColumnInfo>&) override {
    return Status::OK();
  }
  Status Start(bool) override { return Status::OK(); }
  Result<std::unique_ptr<WriterTask>> OpenTask(const Split&) override {
    struct Task : WriterTask {
      Result<std::optional<SplitFigures>> Begin() override { return SplitOpened(); }
      Status Write(const RecordBatch& batch, size_t begin, size_t end) override {
        std::lock_guard lock(g_sink_mu);
        for (size_t r = begin; r < end; ++r) {
          std::vector<std::string> row;
          for (size_t c = 0; c < batch.num_columns(); ++c) row.push_back(Describe(batch.at(r, c)));
          g_sink_rows.push_back(row);
        }
        return Status::OK();
      }
      Status Commit(const SplitFigures&) override { return Status::OK(); }
      void Abort() override {}
    };
    return std::unique_ptr<WriterTask>(new Task());
  }
  Status Finalize(bool, const std::vector<std::string>&) override { return Status::OK(); }
};

const Registry& ContractRegistry() {
  static const Registry* registry = [] {
    auto* r = new Registry();
    RegisterBuiltinPlugins(r);
    PluginInfo source;
    source.name = "tricky";
    source.make_reader = [] { return std::make_unique<TrickySource>(); };
    r->Add(source);
    PluginInfo sink;
    sink.name = "capture";
    sink.make_writer = [] { return std::make_unique<CapturingSink>(); };
    r->Add(sink);
    return r;
  }();
  return *registry;
}

// --- the targets ----------------------------------------------------------------------------

struct ContractTarget {
  std::string name;
  std::string plugin;
  // Makes the destination in `dir` and returns the writer's and the reader's parameters.
  std::function<std::pair<json, json>(const TempDir& dir)> setup;
  // The value the plugin is documented to give back for `c`.
  std::function<std::string(const Cell& c)> expected;
};

void PrintTo(const ContractTarget& t, std::ostream* os) { *os << t.name; }

std::string Exact(const Cell& c) { return Describe(ToValue(c)); }

ContractTarget SqliteTarget() {
  return {"sqlite", "sqlite",
          [](const TempDir& dir) {
            SqliteExec(dir / "t.db",
                       "CREATE TABLE tricky (id INTEGER PRIMARY KEY, s TEXT, i INTEGER, d REAL, "
                       "dec TEXT, dt TEXT, ts TEXT, b BLOB, bo INTEGER)");
            json writer = {{"path", dir / "t.db"}, {"table", "tricky"}, {"column", {"*"}}};
            json reader = {
                {"path", dir / "t.db"}, {"table", "tricky"}, {"column", {"*"}}, {"splitPk", "id"}};
            return std::pair{writer, reader};
          },
          // SQLite's storage classes: decimals, dates and timestamps are TEXT, booleans
          // INTEGER; a REAL column stores -0.0 as 0 (SQLite's own behaviour).
          [](const Cell& c) {
            switch (c.type) {
              case TypeId::kDecimal:
              case TypeId::kDate:
              case TypeId::kTimestamp:
                return "string:" + c.text;
              case TypeId::kBool:
                return std::string("long:") + (c.text == "true" ? "1" : "0");
              default:
                return Exact(c);
            }
          }};
}

ContractTarget TxtfileTarget(const char* format, const char* compress) {
  return {std::string("txtfile_") + format + "_" + compress, "txtfile",
          [format, compress](const TempDir& dir) {
            json writer = {{"path", dir / "out"},
                           {"fileName", "tricky"},
                           {"fileFormat", format},
                           {"compress", compress},
                           {"writeMode", "truncate"}};
            json columns = json::array();
            const char* types[] = {"long", "string",    "long",  "double", "decimal",
                                   "date", "timestamp", "bytes", "bool"};
            for (int k = 0; k < 9; ++k) columns.push_back({{"index", k}, {"type", types[k]}});
            json reader = {{"path", dir / "out/tricky*"},
                           {"fileFormat", format},
                           {"compress", compress},
                           {"column", columns}};
            return std::pair{writer, reader};
          },
          Exact};
}

// PostgreSQL with a native type per column: every value comes back exactly.
ContractTarget PostgresqlTarget() {
  return {
      "postgresql", "postgresql",
      [](const TempDir& dir) {
        std::string schema = "contract_" + dir.path().substr(dir.path().rfind('-') + 1);
        for (char& ch : schema)
          ch = std::isalnum(static_cast<unsigned char>(ch)) ? std::tolower(ch) : '_';
        PgExec("DROP SCHEMA IF EXISTS " + schema + " CASCADE; CREATE SCHEMA " + schema +
               "; CREATE TABLE " + schema +
               ".tricky (id bigint PRIMARY KEY, s text, i bigint, "
               "d double precision, dec numeric, dt date, ts timestamp(6), b bytea, bo boolean)");
        json conn = TestPgServer().ConnectionJson();
        json writer = {{"connection", conn}, {"table", schema + ".tricky"}, {"column", {"*"}}};
        json reader = {{"connection", conn},
                       {"table", schema + ".tricky"},
                       {"column", {"*"}},
                       {"splitPk", "id"}};
        return std::pair{writer, reader};
      },
      Exact};
}

// MySQL/MariaDB on the throwaway test server. DECIMAL holds at most 65 digits with 30 after the
// point, so the 38-digit decimals (38 integer digits, or 38 fractional) cannot be a DECIMAL
// column: `dec` is VARCHAR and comes back as text; BOOLEAN is TINYINT(1) and comes back as 0/1.
ContractTarget MysqlTarget() {
  return {"mysql", "mysql",
          [](const TempDir&) {
            const std::string db = MariadbCreateDatabase("contract");
            MariadbExec(db,
                        "CREATE TABLE tricky (id BIGINT PRIMARY KEY, s TEXT, i BIGINT, d DOUBLE, "
                        "`dec` VARCHAR(100), dt DATE, ts DATETIME(6), b BLOB, bo BOOLEAN)");
            json conn = MariadbConnectionJson(db);
            json writer = {{"connection", conn}, {"table", "tricky"}, {"column", {"*"}}};
            json reader = {
                {"connection", conn}, {"table", {"tricky"}}, {"column", {"*"}}, {"splitPk", "id"}};
            return std::pair{writer, reader};
          },
          [](const Cell& c) {
            switch (c.type) {
              case TypeId::kDecimal:
                return "string:" + c.text;
              case TypeId::kBool:
                return std::string("long:") + (c.text == "true" ? "1" : "0");
              default:
                return Exact(c);
            }
          }};
}

JobModel MakeJob(const std::string& reader, json reader_param, const std::string& writer,
                 json writer_param) {
  JobModel job;
  job.file = "contract.json";
  job.reader = {"Reader", "reader", reader, std::move(reader_param), "steps[0]"};
  job.writer = {"Writer", "writer", writer, std::move(writer_param), "steps[1]"};
  job.setting.concurrent = 2;
  job.setting.error_limit_records = 0;
  return job;
}

// Fills defaults the way `ferry run` does, by loading through the job loader's rules.
json WithDefaults(const std::string& plugin, bool reader, json param) {
  const PluginInfo* info = ContractRegistry().Find(plugin);
  for (const ParamDef& d : reader ? info->reader_params : info->writer_params) {
    if (!param.contains(d.name) && !d.default_value.is_null()) param[d.name] = d.default_value;
  }
  return param;
}

class PluginContract : public ::testing::TestWithParam<ContractTarget> {};

TEST_P(PluginContract, TrickyValuesSurviveTheWriterAndComeBackThroughTheReader) {
  const ContractTarget& target = GetParam();
  TempDir dir;
  auto [writer_param, reader_param] = target.setup(dir);
  RunOptions options;
  options.progress_interval = std::chrono::seconds(0);

  options.run_dir = dir / "run-write";
  RunReport write = RunJob(MakeJob("tricky", json::object(), target.plugin,
                                   WithDefaults(target.plugin, false, writer_param)),
                           ContractRegistry(), options, {});
  ASSERT_TRUE(write.status.ok()) << write.status.message();
  EXPECT_EQ(write.summary.records_written, 7);

  {
    std::lock_guard lock(g_sink_mu);
    g_sink_rows.clear();
  }
  options.run_dir = dir / "run-read";
  RunReport read = RunJob(MakeJob(target.plugin, WithDefaults(target.plugin, true, reader_param),
                                  "capture", json::object()),
                          ContractRegistry(), options, {});
  ASSERT_TRUE(read.status.ok()) << read.status.message();

  std::vector<std::vector<std::string>> expected;
  for (const auto& row : TrickyRows()) {
    std::vector<std::string> e;
    for (const Cell& c : row) e.push_back(c.type == TypeId::kNull ? "null:" : target.expected(c));
    expected.push_back(e);
  }
  std::lock_guard lock(g_sink_mu);
  auto got = g_sink_rows;
  std::sort(got.begin(), got.end(), [](const auto& a, const auto& b) {
    return std::stoll(a[0].substr(5)) < std::stoll(b[0].substr(5));
  });
  ASSERT_EQ(got.size(), expected.size());
  for (size_t r = 0; r < got.size(); ++r) {
    for (size_t c = 0; c < kColumns.size(); ++c) {
      EXPECT_EQ(got[r][c], expected[r][c]) << "row " << r + 1 << ", column " << kColumns[c];
    }
  }
}

INSTANTIATE_TEST_SUITE_P(EveryPlugin, PluginContract,
                         ::testing::Values(SqliteTarget(), TxtfileTarget("csv", "none"),
                                           TxtfileTarget("csv", "gzip"),
                                           TxtfileTarget("text", "zstd"), PostgresqlTarget(),
                                           MysqlTarget()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace ferry::testing
