#include "ferry/verify/verifier.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "ferry/common/strings.h"
#include "ferry/plugin/column_projection.h"
#include "ferry/types/convert.h"
#include "ferry/types/record_batch.h"
#include "ferry/verify/canonical_row.h"

namespace ferry::verify {
namespace {

using nlohmann::json;

// Counts what a reader refuses while verifying; the first reason is kept for the report.
class CountingDirtySink : public DirtySink {
 public:
  Status AddRecord(const std::string&, const Status& reason, const Value*, size_t) override {
    Note(reason);
    return Status::OK();
  }
  Status AddRaw(const std::string&, const Status& reason, const std::string& where,
                const std::string&) override {
    Note(reason.WithPrefix(where));
    return Status::OK();
  }
  int64_t count() const { return count_; }
  const std::string& first() const { return first_; }

 private:
  void Note(const Status& reason) {
    std::lock_guard lock(mu_);
    if (count_++ == 0) first_ = reason.message();
  }
  std::mutex mu_;
  int64_t count_ = 0;
  std::string first_;
};

struct Bucket {
  int64_t count = 0;
  uint64_t sum_a = 0;
  uint64_t sum_b = 0;
  bool operator==(const Bucket&) const = default;
};

// One prepared side: its reader, its splits and which output columns take part.
struct Side {
  std::string name;  // "source" / "destination"
  bool is_source = false;
  std::unique_ptr<Reader> reader;
  std::vector<Split> splits;
  size_t num_columns = 0;
  CountingDirtySink dirty;
  std::atomic<int64_t> rows_read{0};  // by Ferry, every pass
};

// A row in a differing bucket, kept for the row-by-row diff.
struct KeptRow {
  std::vector<std::string> cells;    // canonical bytes per compared column
  std::vector<std::string> display;  // per compared column
};

struct Layout {
  std::vector<size_t> compared;    // output column indexes that take part
  std::vector<std::string> names;  // their source names
  std::vector<size_t> key;         // indexes into `compared`; empty: multiset
  // Per compared column: the destination holds text there and the source's type is known, so
  // the destination's text is read back as that type (typed read-back; README).
  std::vector<TypeId> dest_parse_as;
  // Per compared column: the destination holds text and the source's type is decided per value
  // (SQLite), so source values compare by the text a writer makes of them.
  std::vector<bool> as_text;
  // Per compared column: the source's type is decided per value but it stores whatever reads as
  // a number as a number (ColumnInfo::numeric), and the destination holds text or numbers there:
  // numbers and texts that read as numbers compare by value on both sides ("7" == "7.000" ==
  // 7.0; doubles by their shortest exact text, so 0.3 and the next double still differ).
  std::vector<bool> by_number;
  std::string date_format;  // the writer's dateFormat (Java pattern) for dates read back
  // The source's split plan as key ranges over compared column `range_column`; empty: none.
  std::vector<SplitKeyRange> ranges;  // sorted by lo
  size_t range_column = 0;
};

// A destination text read back as the source's type `type`; nullopt when it is not one.
std::optional<Value> ParseBack(std::string_view text, TypeId type, const Layout& layout,
                               std::string* storage) {
  if (type == TypeId::kBytes) {
    auto bytes = DecodeHex(text);
    if (!bytes.ok()) return std::nullopt;
    *storage = std::move(*bytes);
    return Value::View(TypeId::kBytes, *storage);
  }
  bool dated = type == TypeId::kTimestamp || type == TypeId::kDate;
  if (dated && !layout.date_format.empty()) {
    auto micros = ParseJavaPattern(text, layout.date_format);
    if (!micros.ok()) return std::nullopt;
    Value v;
    v.type = type;
    v.i = type == TypeId::kDate ? *micros / 86'400'000'000LL : *micros;
    return v;
  }
  auto v = ParseAs(type, text);
  if (!v.ok()) return std::nullopt;
  if (type == TypeId::kDecimal) {
    *storage = std::string(v->text());
    return Value::View(TypeId::kDecimal, *storage);
  }
  return *v;
}

// A value of a by_number column: a number, or a text that reads as one, as a decimal by value;
// any other text as it is.
Value NumberOrText(const Value& v, std::string* storage) {
  Value text = v;
  if (v.type != TypeId::kString) {
    storage->clear();
    AppendValueText(v, storage);
    text = Value::View(TypeId::kString, *storage);
  }
  auto number = ParseAs(TypeId::kDecimal, text.text());
  if (!number.ok()) return text;
  *storage = std::string(number->text());
  return Value::View(TypeId::kDecimal, *storage);
}

// One cell as it is compared: by value in a by_number column; a source value as the text a
// writer makes of it (as_text), or a destination text read back as the source's type
// (dest_parse_as); otherwise as it is.
Value CellValue(const Value& v, const Layout& layout, size_t i, bool source, std::string* storage) {
  if (v.is_null()) return v;
  if (layout.by_number[i] && v.type != TypeId::kBytes) return NumberOrText(v, storage);
  if (!source) {
    if (layout.dest_parse_as[i] == TypeId::kNull || v.type != TypeId::kString) return v;
    auto parsed = ParseBack(v.text(), layout.dest_parse_as[i], layout, storage);
    return parsed ? *parsed : v;
  }
  if (!layout.as_text[i] || v.type == TypeId::kString) return v;
  storage->clear();
  if (v.type == TypeId::kBytes) {
    AppendHex(v.text(), storage);
  } else {
    AppendValueText(v, storage);
  }
  return Value::View(TypeId::kString, *storage);
}

void AppendCell(const Value& v, const Layout& layout, size_t i, bool source, std::string* out) {
  std::string storage;
  AppendCanonical(CellValue(v, layout, i, source, &storage), out);
}

struct EncodedRow {
  std::string key;
  std::string row;
};

void Encode(const Value* row, const Layout& layout, bool source, EncodedRow* out) {
  out->key.clear();
  out->row.clear();
  for (size_t i = 0; i < layout.compared.size(); ++i) {
    AppendCell(row[layout.compared[i]], layout, i, source, &out->row);
  }
  for (size_t k : layout.key) AppendCell(row[layout.compared[k]], layout, k, source, &out->key);
}

// The index of the split range (Layout::ranges) holding this row's splitPk value; ranges.size()
// for a row outside every range (a NULL key, a key the plan left to its outside split).
size_t RangeOf(const Value* row, const Layout& layout) {
  const std::vector<SplitKeyRange>& r = layout.ranges;
  std::string storage;
  Value v = CellValue(row[layout.compared[layout.range_column]], layout, layout.range_column,
                      /*source=*/false, &storage);
  if (v.type == TypeId::kString || v.type == TypeId::kDecimal) {  // a key read back from text
    auto key = ParseAs(TypeId::kInt64, v.text());
    if (key.ok()) v = *key;
  }
  if (v.type != TypeId::kInt64) return r.size();
  auto after = std::upper_bound(r.begin(), r.end(), v.i,
                                [](int64_t x, const SplitKeyRange& k) { return x < k.lo; });
  for (auto it = after; it != r.begin();) {
    --it;
    if (v.i <= it->hi) return static_cast<size_t>(it - r.begin());
  }
  return r.size();
}

int BucketOf(const EncodedRow& r, const Layout& layout, int buckets) {
  const std::string& basis = layout.key.empty() ? r.row : r.key;
  return static_cast<int>(HashBytes(basis).a % static_cast<uint64_t>(buckets));
}

// Reads one split of `side`, calling `fn(row)` for each record.
Status ScanSplit(Side& side, const Split& split, const std::function<void(const Value*)>& fn) {
  RecordBatch batch(side.num_columns);
  {
    ASSIGN_OR_RETURN(std::unique_ptr<ReaderTask> task, side.reader->OpenTask(split));
    TaskContext ctx;
    ctx.split = &split;
    ctx.dirty = &side.dirty;
    bool more = true;
    while (more) {
      batch.Reset(side.num_columns);
      auto next = task->Next(&batch, 4096, ctx);
      if (!next.ok()) {
        return next.status().WithPrefix("reading the " + side.name + " (split " + split.id + ")");
      }
      more = *next;
      side.rows_read += static_cast<int64_t>(batch.num_rows());
      for (size_t r = 0; r < batch.num_rows(); ++r) fn(batch.row(r));
    }
  }
  return Status::OK();
}

// Reads every split of `side` in plan order.
Status Scan(Side& side, const std::function<void(const Value*)>& fn) {
  for (const Split& split : side.splits) RETURN_NOT_OK(ScanSplit(side, split, fn));
  return Status::OK();
}

// Pass 1 for one side: up to `threads` workers take splits in turn, each summing into buckets
// of its own; sums commute, so the merged buckets do not depend on who read what.
Status Summarize(Side& side, const Layout& layout, int num_buckets, int threads,
                 std::vector<Bucket>* buckets, std::vector<Bucket>* ranges, int64_t* rows) {
  threads = std::max(1, std::min<int>(threads, static_cast<int>(side.splits.size())));
  const size_t num_ranges = layout.ranges.empty() ? 0 : layout.ranges.size() + 1;
  std::vector<std::vector<Bucket>> partial(threads, std::vector<Bucket>(num_buckets));
  std::vector<std::vector<Bucket>> partial_ranges(threads, std::vector<Bucket>(num_ranges));
  std::vector<int64_t> counts(threads);
  std::vector<Status> errors(threads);
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  {
    std::vector<std::jthread> workers;
    for (int t = 0; t < threads; ++t) {
      workers.emplace_back([&, t] {
        EncodedRow enc;
        auto add = [&](const Value* row) {
          Encode(row, layout, side.is_source, &enc);
          RowHash h = HashBytes(enc.row);
          Bucket& b = partial[t][BucketOf(enc, layout, num_buckets)];
          ++b.count;
          b.sum_a += h.a;
          b.sum_b += h.b;
          if (num_ranges > 0) {
            Bucket& r = partial_ranges[t][RangeOf(row, layout)];
            ++r.count;
            r.sum_a += h.a;
            r.sum_b += h.b;
          }
          ++counts[t];
        };
        for (size_t i = next++; !failed && i < side.splits.size(); i = next++) {
          errors[t] = ScanSplit(side, side.splits[i], add);
          if (!errors[t].ok()) failed = true;
        }
      });
    }
  }
  for (const Status& st : errors) RETURN_NOT_OK(st);
  auto merge = [](const std::vector<Bucket>& from, std::vector<Bucket>* into) {
    for (size_t b = 0; b < from.size(); ++b) {
      (*into)[b].count += from[b].count;
      (*into)[b].sum_a += from[b].sum_a;
      (*into)[b].sum_b += from[b].sum_b;
    }
  };
  buckets->assign(num_buckets, Bucket{});
  ranges->assign(num_ranges, Bucket{});
  for (int t = 0; t < threads; ++t) {
    *rows += counts[t];
    merge(partial[t], buckets);
    merge(partial_ranges[t], ranges);
  }
  return Status::OK();
}

Status PrepareReader(const PluginInfo& plugin, const json* param, const JobModel& job, int64_t now,
                     const DataSourceCatalog* datasources, Side* side) {
  side->reader = plugin.make_reader();
  StepContext ctx{param, side->name, job.setting.concurrent, now, "", ""};
  ctx.datasources = datasources;
  return side->reader->Prepare(ctx);
}

std::string Unquote(std::string_view name) {
  if (name.size() >= 2 && (name.front() == '"' || name.front() == '`') &&
      name.back() == name.front()) {
    return std::string(name.substr(1, name.size() - 2));
  }
  return std::string(name);
}

int64_t LocalNowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The source's `column` entries, one per output column (a "*" spans the source's columns);
// nullopt when the reader has no such list (querySql, files).
std::optional<std::vector<ColumnProjection::Entry>> SourceEntries(const json& param,
                                                                  size_t num_outputs) {
  auto it = param.find("column");
  if (it == param.end() || !it->is_array() || it->empty() || !(*it)[0].is_string()) {
    return std::nullopt;
  }
  auto projection = ColumnProjection::Parse(*it, 0);
  if (!projection.ok()) return std::nullopt;
  std::vector<ColumnProjection::Entry> out;
  size_t fixed = projection->size() - (projection->has_star() ? 1 : 0);
  for (const auto& e : projection->entries()) {
    if (e.kind == ColumnProjection::Kind::kStar) {
      for (size_t i = fixed; i < num_outputs; ++i) out.push_back({});
    } else {
      out.push_back(e);
    }
  }
  if (out.size() != num_outputs) return std::nullopt;
  return out;
}

std::string SqlLiteral(const ColumnProjection::Entry& e) {
  if (e.constant_type == TypeId::kString) {
    std::string out = "'";
    for (char c : e.constant) out += c == '\'' ? std::string("''") : std::string(1, c);
    return out + "'";
  }
  return e.constant;
}

// The destination filter (README "Verifying a job"): --dest-where; else the constant columns
// the job writes (every row it wrote carries them); else the job's own where when source and
// destination are the same engine and every column keeps its name; else none, with a note.
void ChooseDestWhere(const JobModel& job, const VerifyOptions& options,
                     const std::optional<std::vector<ColumnProjection::Entry>>& entries,
                     const std::vector<std::string>& dest_columns, VerifyReport* report) {
  if (options.dest_where) {
    report->dest_where = *options.dest_where;
    report->dest_where_origin = "--dest-where";
    return;
  }
  std::string source_where = ParamOr<std::string>(job.reader.parameter, "where", "");
  if (entries && !dest_columns.empty()) {
    std::vector<std::string> terms, names;
    for (size_t i = 0; i < entries->size(); ++i) {
      const auto& e = (*entries)[i];
      if (e.kind != ColumnProjection::Kind::kConstant) continue;
      terms.push_back(dest_columns[i] +
                      (e.constant_type == TypeId::kNull ? " IS NULL" : " = " + SqlLiteral(e)));
      names.push_back(dest_columns[i]);
    }
    if (!terms.empty()) {
      report->dest_where = Join(terms, " AND ");
      report->dest_where_origin = "constant column(s) " + Join(names, ", ");
      return;
    }
    bool same_names = job.reader.plugin == job.writer.plugin;
    for (size_t i = 0; same_names && i < entries->size(); ++i) {
      same_names = (*entries)[i].kind == ColumnProjection::Kind::kSource &&
                   EqualsIgnoreCase(Unquote((*entries)[i].name), Unquote(dest_columns[i]));
    }
    if (same_names && !source_where.empty()) {
      report->dest_where = source_where;
      report->dest_where_origin = "the job's where (same engine, same column names)";
      return;
    }
  }
  if (!source_where.empty()) {
    report->notes.push_back(
        "the source has a where but no destination-side equivalent was found: every destination "
        "row is compared (rows the job did not write count as extra); give --dest-where");
  }
}

// The destination read back through its plugin's own reader: the writer's connection and
// table, its columns, and the destination filter.
Result<json> DestReaderParam(const JobModel& job, const PluginInfo& plugin,
                             const std::string& dest_where) {
  static const std::set<std::string> kExcluded = {"column",   "where",       "splitPk",
                                                  "querySql", "splitFactor", "fetchSize"};
  std::set<std::string> accepted;
  for (const ParamDef& p : plugin.reader_params) accepted.insert(p.name);
  json param = json::object();
  for (const auto& [k, v] : job.writer.parameter.items()) {
    if (accepted.contains(k) && !kExcluded.contains(k)) param[k] = v;
  }
  param["column"] =
      job.writer.parameter.contains("column") ? job.writer.parameter["column"] : json::array({"*"});
  if (!dest_where.empty()) param["where"] = dest_where;
  // A file written with a header line is read back without it.
  auto header = job.writer.parameter.find("header");
  if (accepted.contains("skipHeader") && header != job.writer.parameter.end() &&
      header->is_array() && !header->empty()) {
    param["skipHeader"] = true;
  }
  return param;
}

std::string KeyText(const KeptRow& row, const Layout& layout) {
  if (layout.key.empty()) return "(" + Join(row.display, ", ") + ")";
  std::vector<std::string> parts;
  for (size_t k : layout.key) parts.push_back(layout.names[k] + "=" + row.display[k]);
  return Join(parts, ", ");
}

void AddDifference(RowDifference d, const VerifyOptions& options, VerifyReport* report) {
  if (d.kind == "missing") ++report->missing;
  if (d.kind == "extra") ++report->extra;
  if (d.kind == "duplicate") ++report->duplicate;
  if (d.kind == "changed") ++report->changed;
  if (report->differences.size() < options.max_reported) {
    report->differences.push_back(std::move(d));
  }
}

// Several rows share a key (a NULL splitPk, a key that is not unique): they are matched as a
// multiset within the key, whatever order each side returned them in.
void DiffRowsOfOneKey(const std::vector<KeptRow>& src, const std::vector<KeptRow>& dst,
                      const Layout& layout, const VerifyOptions& options, VerifyReport* report) {
  std::map<std::string, std::pair<int64_t, const KeptRow*>> balance;  // source - destination
  auto add = [&](const std::vector<KeptRow>& rows, int64_t sign) {
    for (const KeptRow& row : rows) {
      std::string enc;
      for (const std::string& cell : row.cells) enc += cell;
      auto& slot = balance[enc];
      slot.first += sign;
      slot.second = &row;
    }
  };
  add(src, 1);
  add(dst, -1);
  for (const auto& [enc, entry] : balance) {
    auto [n, row] = entry;
    if (n == 0) continue;
    RowDifference d;
    // The key as the source shows it whenever the source has rows under it (the destination's
    // cells may be text read back).
    d.key = KeyText(src.empty() ? *row : src[0], layout);
    d.source_count = static_cast<int64_t>(src.size());
    d.dest_count = static_cast<int64_t>(dst.size());
    bool in_source = std::any_of(src.begin(), src.end(),
                                 [row = row](const KeptRow& r) { return r.cells == row->cells; });
    if (n > 0) {
      d.kind = "missing";
    } else {
      d.kind = in_source ? "duplicate" : "extra";
    }
    if (!in_source || n > 0) d.key += " row (" + Join(row->display, ", ") + ")";
    for (int64_t i = 0; i < (n > 0 ? n : -n); ++i) AddDifference(d, options, report);
  }
}

void DiffKey(const std::vector<KeptRow>& src, const std::vector<KeptRow>& dst, const Layout& layout,
             const VerifyOptions& options, VerifyReport* report) {
  if (!layout.key.empty() && (src.size() > 1 || dst.size() > 1)) {
    DiffRowsOfOneKey(src, dst, layout, options, report);
    return;
  }
  RowDifference d;
  d.key = KeyText(src.empty() ? dst[0] : src[0], layout);
  d.source_count = static_cast<int64_t>(src.size());
  d.dest_count = static_cast<int64_t>(dst.size());
  if (dst.size() < src.size()) {
    d.kind = "missing";
    AddDifference(d, options, report);
  } else if (src.empty()) {
    d.kind = "extra";
    AddDifference(d, options, report);
  } else if (dst.size() > src.size()) {
    d.kind = "duplicate";
    AddDifference(d, options, report);
  }
  if (layout.key.empty() || src.empty() || dst.empty()) return;
  // One row on each side: the first column that differs.
  for (size_t c = 0; c < layout.compared.size(); ++c) {
    if (src[0].cells[c] == dst[0].cells[c]) continue;
    RowDifference changed = d;
    changed.kind = "changed";
    changed.column = layout.names[c];
    changed.source_value = src[0].display[c];
    changed.dest_value = dst[0].display[c];
    AddDifference(changed, options, report);
    return;
  }
}

// The positions of `wanted` among `names` (case-insensitive, quotes ignored); nullopt when one
// is missing.
std::optional<std::vector<size_t>> FindColumns(const std::vector<std::string>& names,
                                               const std::vector<std::string>& wanted) {
  std::vector<size_t> out;
  for (const std::string& w : wanted) {
    size_t found = names.size();
    for (size_t c = 0; c < names.size() && found == names.size(); ++c) {
      if (EqualsIgnoreCase(Unquote(names[c]), Unquote(w))) found = c;
    }
    if (found == names.size()) return std::nullopt;
    out.push_back(found);
  }
  return out;
}

Result<Layout> MakeLayout(Reader& source_reader, const std::vector<ColumnInfo>& columns,
                          const std::optional<std::vector<ColumnProjection::Entry>>& entries,
                          const JobModel& job, const VerifyOptions& options, VerifyReport* report) {
  Layout layout;
  for (size_t i = 0; i < columns.size(); ++i) {
    if (entries) {
      auto kind = (*entries)[i].kind;
      if (kind == ColumnProjection::Kind::kNow || kind == ColumnProjection::Kind::kUuid ||
          kind == ColumnProjection::Kind::kCurrentDate) {
        report->notes.push_back("column " + columns[i].name + " is computed at run time (" +
                                (*entries)[i].name + "): not compared");
        continue;
      }
    }
    layout.compared.push_back(i);
    layout.names.push_back(columns[i].name);
  }
  std::vector<std::string> key = options.key;
  std::string origin = "--key";
  if (key.empty()) {
    ASSIGN_OR_RETURN(SourceRowKey row_key, source_reader.RowKey());
    key = std::move(row_key.columns);
    origin = row_key.origin;
    if (!key.empty() && !FindColumns(layout.names, key)) {
      report->notes.push_back("the source's " + origin + " (" + Join(key, ", ") +
                              ") is not among the compared columns");
      key.clear();
    }
  }
  if (key.empty()) {
    std::string split_pk = ParamOr<std::string>(job.reader.parameter, "splitPk", "");
    if (!split_pk.empty()) key.push_back(split_pk);
    origin = "splitPk";
  }
  auto found = FindColumns(layout.names, key);
  if (!found) {
    return Status::InvalidArgument(
        fmt::format("{} column(s) {} not among the compared columns of the source ({})", origin,
                    Join(key, ", "), Join(layout.names, ", ")));
  }
  layout.key = *found;
  report->key = layout.key.empty() ? "whole row (multiset)" : Join(key, ", ") + " (" + origin + ")";
  return layout;
}

// The source's split plan as sorted key ranges of its splitPk, when the splitPk is compared.
void AddRanges(const Side& source, Layout* layout) {
  for (const Split& split : source.splits) {
    auto range = source.reader->KeyRangeOf(split);
    if (range) layout->ranges.push_back(*range);
  }
  if (layout->ranges.empty()) return;
  auto column = FindColumns(layout->names, {layout->ranges[0].column});
  if (!column) {
    layout->ranges.clear();
    return;
  }
  layout->range_column = (*column)[0];
  std::stable_sort(layout->ranges.begin(), layout->ranges.end(),
                   [](const SplitKeyRange& a, const SplitKeyRange& b) { return a.lo < b.lo; });
  auto same = [](const SplitKeyRange& a, const SplitKeyRange& b) {
    return a.lo == b.lo && a.hi == b.hi;
  };
  layout->ranges.erase(std::unique(layout->ranges.begin(), layout->ranges.end(), same),
                       layout->ranges.end());
}

// Per split range: both sides' figures; a range differs when its count or hash sums do.
void ReportRanges(const Layout& layout, const std::vector<Bucket>& src,
                  const std::vector<Bucket>& dst, VerifyReport* report) {
  if (layout.ranges.empty()) return;
  const std::string& column = layout.names[layout.range_column];
  for (size_t i = 0; i < src.size(); ++i) {
    if (i == layout.ranges.size() && src[i].count == 0 && dst[i].count == 0) continue;
    RangeFigures r;
    r.range = i < layout.ranges.size()
                  ? fmt::format("{} {}..{}", column, layout.ranges[i].lo, layout.ranges[i].hi)
                  : column + " NULL or outside every range";
    r.source_rows = src[i].count;
    r.dest_rows = dst[i].count;
    r.equal = src[i] == dst[i];
    report->differing_ranges += !r.equal;
    report->ranges.push_back(std::move(r));
  }
}

// Both sources' in-database checksums, when both offer the same method and every compared
// column compares as it is stored (no text read back, no per-value numbers); else nullopt.
struct ChecksumPair {
  ChecksumSource* source = nullptr;
  ChecksumSource* dest = nullptr;
};

std::optional<ChecksumPair> UsableChecksums(Side& source, Side& dest, const Layout& layout) {
  auto any = [](const auto& v, auto pred) {
    return std::find_if(v.begin(), v.end(), pred) != v.end();
  };
  auto yes = [](bool b) { return b; };
  if (any(layout.as_text, yes) || any(layout.by_number, yes) ||
      any(layout.dest_parse_as, [](TypeId t) { return t != TypeId::kNull; })) {
    return std::nullopt;
  }
  ChecksumPair pair{source.reader->checksum_source(), dest.reader->checksum_source()};
  if (pair.source == nullptr || pair.dest == nullptr ||
      pair.source->checksum_method() != pair.dest->checksum_method()) {
    return std::nullopt;
  }
  return pair;
}

struct TotalPair {
  ChecksumTotal source;
  ChecksumTotal dest;
  bool Same(bool count_only) const {
    return count_only ? source.count == dest.count : source == dest;
  }
};

// Both sides' totals of the rows passing each side's `filter` (its own SQL), computed at once;
// nullopt when a side cannot compute them.
Result<std::optional<TotalPair>> BothTotals(const ChecksumPair& pair, const Layout& layout,
                                            const std::string& source_filter,
                                            const std::string& dest_filter) {
  using Total = std::optional<ChecksumTotal>;
  ChecksumRequest source_request{layout.compared, source_filter};
  ChecksumRequest dest_request{layout.compared, dest_filter};
  Result<Total> dest_total = Total();
  Result<Total> source_total = Total();
  {
    std::jthread dest_thread([&] { dest_total = pair.dest->ChecksumRows(dest_request); });
    source_total = pair.source->ChecksumRows(source_request);
  }
  RETURN_NOT_OK(source_total.status());
  RETURN_NOT_OK(dest_total.status());
  if (!source_total->has_value() || !dest_total->has_value()) return std::optional<TotalPair>();
  return std::optional<TotalPair>(TotalPair{**source_total, **dest_total});
}

// Both sources summarize their own rows (same method) and agree: equal without reading a row.
// Anything else — a side that cannot, a failure, a difference — leaves it to Ferry's own pass,
// whose canonical values decide (the note says why).
bool InDatabaseEqual(Side& source, Side& dest, const Layout& layout, bool count_only,
                     VerifyReport* report) {
  auto pair = UsableChecksums(source, dest, layout);
  if (!pair) return false;
  auto totals = BothTotals(*pair, layout, "", "");
  if (!totals.ok()) {
    report->notes.push_back("in-database checksum failed (" + totals.status().message() +
                            "); compared in Ferry");
    return false;
  }
  if (!totals->has_value()) return false;
  if (!(**totals).Same(count_only)) {
    report->notes.push_back("the in-database checksums (" + pair->source->checksum_method() +
                            ") differ; compared in Ferry");
    return false;
  }
  report->source_rows = (**totals).source.count;
  report->dest_rows = (**totals).dest.count;
  report->method = "in-database (" + pair->source->checksum_method() + ")";
  return true;
}

// Where the destination holds text and the source does not: the destination's text is read
// back as the source's type when that type is known (typed read-back), else the source's values
// compare by the text a writer makes of them. The writer's dateFormat reads dates back.
void ChooseTextComparison(const std::vector<ColumnInfo>& columns,
                          const std::vector<ColumnInfo>& dest_info, const JobModel& job,
                          Layout* layout, VerifyReport* report) {
  std::vector<std::string> typed, text, numbers;
  for (size_t i = 0; i < layout->compared.size(); ++i) {
    size_t c = layout->compared[i];
    TypeId d = dest_info[c].type;
    bool holds_text = d == TypeId::kString && columns[c].type != TypeId::kString;
    bool known = columns[c].type != TypeId::kNull;
    bool holds_numbers = d == TypeId::kInt64 || d == TypeId::kDouble || d == TypeId::kDecimal;
    layout->dest_parse_as.push_back(holds_text && known ? columns[c].type : TypeId::kNull);
    layout->as_text.push_back(holds_text && !known);
    layout->by_number.push_back(!known && columns[c].numeric && (holds_text || holds_numbers));
    if (holds_text) (known ? typed : text).push_back(columns[c].name);
    if (!holds_text && layout->by_number.back()) numbers.push_back(columns[c].name);
  }
  layout->date_format = ParamOr<std::string>(job.writer.parameter, "dateFormat", "");
  if (!typed.empty()) {
    report->notes.push_back("the destination holds text in " + Join(typed, ", ") +
                            ": read back as the source's types");
  }
  if (!numbers.empty()) {
    report->notes.push_back("the source's types are decided per value in " + Join(numbers, ", ") +
                            ": numbers there compare by value (doubles by their shortest exact "
                            "text)");
  }
  if (!text.empty()) {
    report->notes.push_back("the destination holds text in " + Join(text, ", ") +
                            " and the source's type is decided per value: the source's values "
                            "there compare by their text (by value where the source stores "
                            "numbers as numbers)");
  }
}

void NoteRefusedRecords(const Side& side, VerifyReport* report) {
  if (side.dirty.count() == 0) return;
  report->notes.push_back(
      fmt::format("the {} reader refused {} record(s) (not compared); the "
                  "first: {}",
                  side.name, side.dirty.count(), side.dirty.first()));
}

// Reads both sides once, keeps the rows `wanted` picks (by their encoding) and diffs them key by
// key into the report.
Status DiffRows(Side& source, Side& dest, const Layout& layout, const VerifyOptions& options,
                const std::function<bool(const EncodedRow&)>& wanted, VerifyReport* report) {
  std::map<std::string, std::pair<std::vector<KeptRow>, std::vector<KeptRow>>> rows;
  EncodedRow enc;
  auto keep = [&](bool is_source) {
    return [&, is_source](const Value* row) {
      Encode(row, layout, is_source, &enc);
      if (!wanted(enc)) return;
      KeptRow kept;
      for (size_t i = 0; i < layout.compared.size(); ++i) {
        std::string storage, cell;
        Value v = CellValue(row[layout.compared[i]], layout, i, is_source, &storage);
        AppendCanonical(v, &cell);
        kept.cells.push_back(std::move(cell));
        kept.display.push_back(DisplayValue(is_source ? row[layout.compared[i]] : v));
      }
      auto& slot = rows[layout.key.empty() ? enc.row : enc.key];
      (is_source ? slot.first : slot.second).push_back(std::move(kept));
    };
  };
  RETURN_NOT_OK(Scan(source, keep(true)));
  RETURN_NOT_OK(Scan(dest, keep(false)));
  for (const auto& [key, sides] : rows) DiffKey(sides.first, sides.second, layout, options, report);
  return Status::OK();
}

// Ferry's own pass. Pass 1: per key bucket (and per split range, reported when `with_ranges`),
// a count and an order-independent sum of row hashes; both sides are read at once, each over
// `concurrent` threads. Pass 2: the rows of differing buckets, by key, diffed — as many buckets
// as --max-diff-rows allows.
Status CompareInFerry(Side& source, Side& dest, const Layout& layout, const JobModel& job,
                      const VerifyOptions& options, bool with_ranges, VerifyReport* report) {
  std::vector<Bucket> src_buckets, dst_buckets, src_ranges, dst_ranges;
  Status dest_status;
  {
    std::jthread dest_thread([&] {
      dest_status = Summarize(dest, layout, options.buckets, job.setting.concurrent, &dst_buckets,
                              &dst_ranges, &report->dest_rows);
    });
    Status source_status = Summarize(source, layout, options.buckets, job.setting.concurrent,
                                     &src_buckets, &src_ranges, &report->source_rows);
    dest_thread.join();
    RETURN_NOT_OK(source_status);
  }
  RETURN_NOT_OK(dest_status);
  if (options.count_only) {
    for (auto* ranges : {&src_ranges, &dst_ranges}) {
      for (Bucket& r : *ranges) r.sum_a = r.sum_b = 0;
    }
  }
  if (with_ranges) ReportRanges(layout, src_ranges, dst_ranges, report);
  std::vector<bool> differs(options.buckets);
  int differing = 0;
  for (int b = 0; b < options.buckets; ++b) {
    differs[b] = options.count_only ? src_buckets[b].count != dst_buckets[b].count
                                    : !(src_buckets[b] == dst_buckets[b]);
    differing += differs[b];
  }
  report->differing_buckets += differing;
  int64_t held = 0;
  int diffed = 0;
  for (int b = 0; b < options.buckets; ++b) {
    if (!differs[b]) continue;
    int64_t rows_in_bucket = src_buckets[b].count + dst_buckets[b].count;
    if (diffed > 0 && held + rows_in_bucket > options.max_diff_rows) {
      differs[b] = false;
      continue;
    }
    held += rows_in_bucket;
    ++diffed;
  }
  report->partial = diffed < differing;
  if (report->partial) {
    report->notes.push_back(fmt::format(
        "{} of {} differing key buckets were diffed row by row (--max-diff-rows {}); the "
        "differences listed and counted are theirs only",
        diffed, differing, options.max_diff_rows));
  }
  if (differing == 0) return Status::OK();
  return DiffRows(
      source, dest, layout, options,
      [&](const EncodedRow& enc) { return differs[BucketOf(enc, layout, options.buckets)]; },
      report);
}

// A key interval [lo, hi] of the split key, both sides' totals in it.
struct KeyInterval {
  int64_t lo = 0, hi = 0;
  TotalPair totals;
};

std::string BetweenSql(const std::string& key, int64_t lo, int64_t hi) {
  return fmt::format("{} BETWEEN {} AND {}", key, lo, hi);
}

// Rows in any of `intervals` (and, with `outside`, rows whose key is NULL or in none of `plan`).
std::string IntervalsSql(const std::string& key, const std::vector<KeyInterval>& intervals,
                         bool outside, const std::vector<SplitKeyRange>& plan) {
  std::vector<std::string> terms;
  for (const KeyInterval& i : intervals) terms.push_back(BetweenSql(key, i.lo, i.hi));
  if (outside) {
    std::vector<std::string> in_plan;
    for (const SplitKeyRange& r : plan) in_plan.push_back(BetweenSql(key, r.lo, r.hi));
    terms.push_back(key + " IS NULL OR NOT (" + Join(in_plan, " OR ") + ")");
  }
  return "(" + Join(terms, " OR ") + ")";
}

ChecksumTotal Minus(const ChecksumTotal& x, const ChecksumTotal& y) {
  return {x.count - y.count, x.sum_a - y.sum_a, x.sum_b - y.sum_b};
}

// The split key's SQL spelling on each side.
struct KeySql {
  std::string source;
  std::string dest;
};

// Halves a differing key interval in the database while either side holds more than
// options.bisect_rows rows in it: the left half is asked, the right one is the parent minus it
// (the sums add up). The differing leaves go to `out`.
Status Bisect(const ChecksumPair& pair, const Layout& layout, const KeySql& key,
              const VerifyOptions& options, KeyInterval interval, int depth,
              std::vector<KeyInterval>* out) {
  int64_t rows = std::max(interval.totals.source.count, interval.totals.dest.count);
  if (rows <= options.bisect_rows || interval.lo >= interval.hi || depth >= 32 ||
      out->size() >= 64) {
    out->push_back(interval);
    return Status::OK();
  }
  int64_t mid = static_cast<int64_t>((static_cast<__int128>(interval.lo) + interval.hi) >> 1);
  ASSIGN_OR_RETURN(auto left, BothTotals(pair, layout, BetweenSql(key.source, interval.lo, mid),
                                         BetweenSql(key.dest, interval.lo, mid)));
  if (!left) {
    out->push_back(interval);
    return Status::OK();
  }
  KeyInterval halves[2] = {
      {interval.lo, mid, *left},
      {mid + 1,
       interval.hi,
       {Minus(interval.totals.source, left->source), Minus(interval.totals.dest, left->dest)}}};
  for (const KeyInterval& half : halves) {
    if (half.totals.Same(options.count_only)) continue;
    RETURN_NOT_OK(Bisect(pair, layout, key, options, half, depth + 1, out));
  }
  return Status::OK();
}

// `base` AND `condition`, the user's text closed by a newline (it may end in a comment).
std::string AndWhere(const std::string& base, const std::string& condition) {
  return base.empty() ? condition : "(" + base + "\n) AND " + condition;
}

// Readers of both sides restricted to the rows `source_filter` / `dest_filter` pick (ANDed to
// the where each already has), their splits planned.
Status PrepareRestricted(const PluginInfo& r, const PluginInfo& w, const JobModel& job,
                         json dest_param, const std::string& source_filter,
                         const std::string& dest_filter, int64_t now,
                         const DataSourceCatalog* datasources, Side* source, Side* dest) {
  json source_param = job.reader.parameter;
  source_param["where"] = AndWhere(ParamOr<std::string>(source_param, "where", ""), source_filter);
  dest_param["where"] = AndWhere(ParamOr<std::string>(dest_param, "where", ""), dest_filter);
  RETURN_NOT_OK(PrepareReader(r, &source_param, job, now, datasources, source));
  RETURN_NOT_OK(PrepareReader(w, &dest_param, job, now, datasources, dest));
  for (Side* side : {source, dest}) {
    side->num_columns = side->reader->OutputColumns().size();
    ASSIGN_OR_RETURN(side->splits, side->reader->PlanSplits(job.setting.concurrent));
  }
  return Status::OK();
}

// The in-database path per key range (README "Verifying a job"): when both sides checksum in
// the database and the source has a split plan over a compared integer key, each range of the
// plan (and the rows outside it) is summed on both sides. Equal ranges are done; a differing one
// is halved in the database down to options.bisect_rows rows, and only those key intervals are
// read by Ferry and diffed by row. False: this path does not apply (the caller goes on).
Result<bool> CompareByKeyRanges(Side& source, Side& dest, const Layout& layout, const JobModel& job,
                                const PluginInfo& r, const PluginInfo& w, const json& dest_param,
                                const std::vector<std::string>& dest_columns,
                                const VerifyOptions& options, int64_t now, VerifyReport* report) {
  std::string split_pk = ParamOr<std::string>(job.reader.parameter, "splitPk", "");
  if (layout.ranges.empty() || split_pk.empty()) return false;
  for (size_t i = 1; i < layout.ranges.size(); ++i) {
    // Sharded tables cut their own plans: overlapping ranges would count a row twice.
    if (layout.ranges[i].lo <= layout.ranges[i - 1].hi) return false;
  }
  auto pair = UsableChecksums(source, dest, layout);
  if (!pair) return false;
  KeySql key{split_pk,
             dest_columns.empty() ? split_pk : dest_columns[layout.compared[layout.range_column]]};
  std::vector<KeyInterval> plan;
  for (const SplitKeyRange& range : layout.ranges) {
    auto totals = BothTotals(*pair, layout, BetweenSql(key.source, range.lo, range.hi),
                             BetweenSql(key.dest, range.lo, range.hi));
    if (!totals.ok()) {
      report->notes.push_back("in-database checksum failed (" + totals.status().message() +
                              "); compared in Ferry");
      return false;
    }
    if (!totals->has_value()) return false;
    plan.push_back({range.lo, range.hi, **totals});
  }
  std::string outside_source = IntervalsSql(key.source, {}, true, layout.ranges);
  ASSIGN_OR_RETURN(auto outside, BothTotals(*pair, layout, outside_source,
                                            IntervalsSql(key.dest, {}, true, layout.ranges)));
  if (!outside) return false;

  const std::string& column = layout.names[layout.range_column];
  std::vector<KeyInterval> suspect;
  for (const KeyInterval& range : plan) {
    RangeFigures f{fmt::format("{} {}..{}", column, range.lo, range.hi), range.totals.source.count,
                   range.totals.dest.count, range.totals.Same(options.count_only)};
    if (!f.equal) RETURN_NOT_OK(Bisect(*pair, layout, key, options, range, 0, &suspect));
    report->ranges.push_back(std::move(f));
  }
  bool outside_differs = !outside->Same(options.count_only);
  if (outside->source.count > 0 || outside->dest.count > 0) {
    report->ranges.push_back({column + " NULL or outside every range", outside->source.count,
                              outside->dest.count, !outside_differs});
  }
  for (const RangeFigures& f : report->ranges) {
    report->differing_ranges += !f.equal;
    report->source_rows += f.source_rows;
    report->dest_rows += f.dest_rows;
  }
  const std::string method = pair->source->checksum_method();
  report->method = "in-database (" + method + ")";
  if (report->differing_ranges == 0) {
    report->equal = true;
    return true;
  }
  report->method += " per key range; differing ranges compared in Ferry";
  report->notes.push_back(fmt::format(
      "the in-database checksums ({}) differ in {} of {} key ranges; Ferry read the rows of {} "
      "key interval(s){} in them",
      method, report->differing_ranges, report->ranges.size(), suspect.size(),
      outside_differs ? " and the rows outside the plan" : ""));

  Side src, dst;
  src.name = "source";
  src.is_source = true;
  dst.name = "destination";
  Status st = PrepareRestricted(r, w, job, dest_param,
                                IntervalsSql(key.source, suspect, outside_differs, layout.ranges),
                                IntervalsSql(key.dest, suspect, outside_differs, layout.ranges),
                                now, options.datasources, &src, &dst);
  if (!st.ok()) return st.WithPrefix("reading the differing key ranges");
  int64_t rows = outside_differs ? outside->source.count + outside->dest.count : 0;
  for (const KeyInterval& i : suspect) rows += i.totals.source.count + i.totals.dest.count;
  int64_t source_rows = report->source_rows, dest_rows = report->dest_rows;
  if (rows <= options.max_diff_rows) {
    // Small enough to hold: one read of each side, every row diffed.
    RETURN_NOT_OK(DiffRows(
        src, dst, layout, options, [](const EncodedRow&) { return true; }, report));
  } else {
    RETURN_NOT_OK(CompareInFerry(src, dst, layout, job, options, /*with_ranges=*/false, report));
    report->source_rows = source_rows;
    report->dest_rows = dest_rows;
  }
  NoteRefusedRecords(src, report);
  NoteRefusedRecords(dst, report);
  report->rows_read_for_bisection = src.rows_read + dst.rows_read;
  bool found = report->missing + report->extra + report->duplicate + report->changed > 0 ||
               report->differing_buckets > 0;
  report->equal = !found && src.dirty.count() == 0 && dst.dirty.count() == 0;
  if (!found) {
    // The database's hashes differ where Ferry's typed comparison finds equal values (another
    // numeric type, another text form): Ferry decides.
    for (RangeFigures& f : report->ranges) f.equal = true;
    report->differing_ranges = 0;
    report->notes.push_back("Ferry's typed comparison finds those ranges equal");
  }
  return true;
}

}  // namespace

Status CheckVerifiable(const JobModel& job, const Registry& registry) {
  const PluginInfo* w = registry.Find(job.writer.plugin);
  bool reads_back = false;
  if (w != nullptr && w->make_reader) {
    for (const ParamDef& p : w->reader_params) reads_back |= p.name == "table" || p.name == "path";
  }
  if (!reads_back) {
    return Status::InvalidArgument("the destination plugin " + job.writer.plugin +
                                   " has no reader to read the destination back with");
  }
  return Status::OK();
}

Result<VerifyReport> VerifyJob(
    const JobModel& job, const Registry& registry, const VerifyOptions& options,
    const std::function<std::string(const StepModel&, const Status&)>& locate) {
  auto started = std::chrono::steady_clock::now();
  VerifyReport report;
  report.buckets = options.buckets;
  const PluginInfo* r = registry.Find(job.reader.plugin);
  const PluginInfo* w = registry.Find(job.writer.plugin);
  if (r == nullptr || !r->make_reader) {
    return Status::InvalidArgument("unknown reader plugin " + job.reader.plugin);
  }
  RETURN_NOT_OK(CheckVerifiable(job, registry));
  int64_t now = LocalNowMicros();
  Side source, dest;
  source.name = "source";
  source.is_source = true;
  dest.name = "destination";
  Status st = PrepareReader(*r, &job.reader.parameter, job, now, options.datasources, &source);
  if (!st.ok()) return Status(st.code(), locate ? locate(job.reader, st) : st.message());
  std::vector<ColumnInfo> columns = source.reader->OutputColumns();
  source.num_columns = columns.size();
  auto entries = SourceEntries(job.reader.parameter, columns.size());

  std::vector<std::string> dest_columns;
  if (job.writer.parameter.contains("column")) {
    for (const json& c : job.writer.parameter["column"]) {
      if (c.is_string()) dest_columns.push_back(c.get<std::string>());
    }
  }
  if (dest_columns.size() == 1 && dest_columns[0] == "*") dest_columns.clear();
  if (!dest_columns.empty() && dest_columns.size() != columns.size()) {
    return Status::InvalidArgument(
        fmt::format("the reader yields {} columns but the writer lists {}", columns.size(),
                    dest_columns.size()));
  }
  ChooseDestWhere(job, options, entries, dest_columns, &report);
  report.dest_table = job.writer.parameter.value("table", json()).dump();
  ASSIGN_OR_RETURN(Layout layout,
                   MakeLayout(*source.reader, columns, entries, job, options, &report));

  ASSIGN_OR_RETURN(json dest_param, DestReaderParam(job, *w, report.dest_where));
  // The destination is cut into key ranges too when its key column can be a splitPk there
  // (an integer column of a plugin with splitPk); otherwise it is read whole.
  if (w->split_pk && layout.key.size() == 1 && !dest_columns.empty() &&
      job.setting.concurrent > 1) {
    json split_param = dest_param;
    split_param["splitPk"] = Unquote(dest_columns[layout.compared[layout.key[0]]]);
    if (PrepareReader(*w, &split_param, job, now, options.datasources, &dest).ok()) {
      dest_param = std::move(split_param);
    }
  }
  st = PrepareReader(*w, &dest_param, job, now, options.datasources, &dest);
  if (!st.ok()) {
    return Status(st.code(), "reading the destination back: " +
                                 (locate ? locate(job.writer, st) : st.message()));
  }
  std::vector<ColumnInfo> dest_info = dest.reader->OutputColumns();
  dest.num_columns = dest_info.size();
  if (dest.num_columns != source.num_columns) {
    return Status::InvalidArgument(
        fmt::format("the source yields {} columns but the destination table has {}",
                    source.num_columns, dest.num_columns));
  }
  ChooseTextComparison(columns, dest_info, job, &layout, &report);
  auto planned = source.reader->PlanSplits(job.setting.concurrent);
  if (!planned.ok()) return planned.status();
  source.splits = std::move(planned).value();
  AddRanges(source, &layout);
  planned = dest.reader->PlanSplits(job.setting.concurrent);
  if (!planned.ok()) return planned.status();
  dest.splits = std::move(planned).value();

  if (options.in_database) {
    ASSIGN_OR_RETURN(bool decided, CompareByKeyRanges(source, dest, layout, job, *r, *w, dest_param,
                                                      dest_columns, options, now, &report));
    if (decided) {
      report.elapsed_seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      return report;
    }
  }
  if (options.in_database && InDatabaseEqual(source, dest, layout, options.count_only, &report)) {
    report.equal = true;
    report.elapsed_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return report;
  }
  RETURN_NOT_OK(CompareInFerry(source, dest, layout, job, options, /*with_ranges=*/true, &report));
  NoteRefusedRecords(source, &report);
  NoteRefusedRecords(dest, &report);
  report.equal =
      report.differing_buckets == 0 && source.dirty.count() == 0 && dest.dirty.count() == 0;
  report.rows_read_for_bisection = source.rows_read + dest.rows_read;
  report.elapsed_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

namespace {

nlohmann::ordered_json RangesJson(const std::vector<RangeFigures>& ranges) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const RangeFigures& r : ranges) {
    out.push_back({{"range", r.range},
                   {"source_rows", r.source_rows},
                   {"dest_rows", r.dest_rows},
                   {"equal", r.equal}});
  }
  return out;
}

}  // namespace

nlohmann::ordered_json VerifyReport::ToJson() const {
  nlohmann::ordered_json diffs = nlohmann::ordered_json::array();
  for (const RowDifference& d : differences) {
    nlohmann::ordered_json j = {{"kind", d.kind},
                                {"key", d.key},
                                {"source_count", d.source_count},
                                {"dest_count", d.dest_count}};
    if (d.kind == "changed") {
      j["column"] = d.column;
      j["source_value"] = d.source_value;
      j["dest_value"] = d.dest_value;
    }
    diffs.push_back(std::move(j));
  }
  return {{"status", equal ? "EQUAL" : "DIFFERENT"},
          {"source_rows", source_rows},
          {"dest_rows", dest_rows},
          {"key", key},
          {"method", method},
          {"dest_table", dest_table},
          {"dest_where", dest_where.empty() ? nlohmann::ordered_json(nullptr)
                                            : nlohmann::ordered_json(dest_where)},
          {"dest_where_origin", dest_where_origin},
          {"buckets", buckets},
          {"differing_buckets", differing_buckets},
          {"differing_ranges", differing_ranges},
          {"rows_read_for_bisection", rows_read_for_bisection},
          {"ranges", RangesJson(ranges)},
          {"missing", missing},
          {"extra", extra},
          {"duplicate", duplicate},
          {"changed", changed},
          {"partial", partial},
          {"differences", diffs},
          {"notes", notes},
          {"elapsed_seconds", std::round(elapsed_seconds * 1000) / 1000}};
}

std::string VerifyReport::ToText() const {
  std::string out;
  out += fmt::format("source rows       {}\n", GroupDigits(source_rows));
  out += fmt::format(
      "destination rows  {}  (table {}{})\n", GroupDigits(dest_rows), dest_table,
      dest_where.empty() ? "" : ", where " + dest_where + " [" + dest_where_origin + "]");
  out += fmt::format("key               {}\n", key);
  out += fmt::format("compared by       {}\n", method);
  if (!ranges.empty()) {
    out += fmt::format("split ranges      {}, {} differ\n", ranges.size(), differing_ranges);
  }
  for (const RangeFigures& r : ranges) {
    if (r.equal) continue;
    out += fmt::format("range differs     {}: source {} rows, destination {} rows\n", r.range,
                       GroupDigits(r.source_rows), GroupDigits(r.dest_rows));
  }
  if (!equal || rows_read_for_bisection > 0) {
    out += fmt::format("rows read by Ferry {}\n", GroupDigits(rows_read_for_bisection));
  }
  for (const RowDifference& d : differences) {
    if (d.kind == "changed") {
      out += fmt::format("changed    {}: column {}: source {}, destination {}\n", d.key, d.column,
                         d.source_value, d.dest_value);
    } else {
      out += fmt::format("{:<10} {} (source {}, destination {})\n", d.kind, d.key, d.source_count,
                         d.dest_count);
    }
  }
  int64_t listed = missing + extra + duplicate + changed;
  if (listed > static_cast<int64_t>(differences.size())) {
    out += fmt::format("... {} more difference(s) not listed\n",
                       listed - static_cast<int64_t>(differences.size()));
  }
  for (const std::string& n : notes) out += "note: " + n + "\n";
  out +=
      equal ? fmt::format("EQUAL ({:.1f}s)\n", elapsed_seconds)
            : fmt::format("DIFFERENT: {}{} missing, {} extra, {} duplicate, {} changed ({:.1f}s)\n",
                          partial ? "at least " : "", missing, extra, duplicate, changed,
                          elapsed_seconds);
  return out;
}

}  // namespace ferry::verify
