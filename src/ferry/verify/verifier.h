// Verifier: `ferry verify` (DESIGN 11). Compares a job's source view — what its reader yields,
// with the job's resolved parameters — with the rows at its destination, read back through the
// destination plugin's own reader. Rows are keyed by the source's splitPk (or --key), or compared
// as a multiset without one. Each side is hashed into key buckets (count + an order-independent
// sum of 128-bit hashes of canonical rows); only buckets that differ are read again and diffed
// row by row, so memory holds the differing buckets, not the tables.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "ferry/common/status.h"
#include "ferry/job/job_model.h"
#include "ferry/plugin/datasource_catalog.h"
#include "ferry/plugin/registry.h"

namespace ferry::verify {

struct VerifyOptions {
  // Source output columns that identify a row; empty: the source's primary/unique key, else its
  // splitPk, else none (multiset).
  std::vector<std::string> key;
  // Destination filter (SQL in the destination's dialect); unset: derived from the job (README).
  std::optional<std::string> dest_where;
  size_t max_reported = 100;  // row differences listed in the report (all are counted)
  int buckets = 65536;
  // setting.verify "count": buckets compare row counts only (a changed value goes unnoticed).
  bool count_only = false;
  // Rows (both sides) the row-by-row diff may hold; differing buckets beyond it are counted in
  // the report but not diffed, and a note says so.
  int64_t max_diff_rows = 200'000;
  // Ask the sources for their own summaries first (when both offer the same method): equal
  // summaries decide equal; otherwise Ferry compares.
  bool in_database = true;
  // On the in-database path, a differing key range is halved in the database while either side
  // holds more rows than this in it; only the smallest differing intervals are read by Ferry.
  int64_t bisect_rows = 1000;
  // Resolves `"datasource": "NAME"` on either side; null: the job may name none.
  const DataSourceCatalog* datasources = nullptr;
};

struct RowDifference {
  std::string kind;  // "missing", "extra", "duplicate", "changed"
  std::string key;   // "id=42", or the whole row without a key
  int64_t source_count = 0;
  int64_t dest_count = 0;
  std::string column;  // changed: the first differing column (source name)
  std::string source_value;
  std::string dest_value;
};

// One range of the source's split plan (its splitPk from lo to hi), both sides' rows in it.
struct RangeFigures {
  std::string range;  // "id 1..5000", "id NULL or outside every range"
  int64_t source_rows = 0;
  int64_t dest_rows = 0;
  bool equal = true;  // count and hash sums agree
};

struct VerifyReport {
  bool equal = false;
  int64_t source_rows = 0;
  int64_t dest_rows = 0;
  std::string key;  // "id (splitPk)", "whole row (multiset)"
  std::string dest_table;
  std::string dest_where;          // empty: every destination row is in scope
  std::string dest_where_origin;   // "--dest-where", "constant column ds", "the job's where", ""
  std::vector<std::string> notes;  // skipped columns, an unfiltered destination, ...
  int buckets = 0;
  int differing_buckets = 0;
  // Per range of the source's split plan (when it has splitPk ranges and the splitPk is
  // compared), from the databases' checksums or from Ferry's pass.
  std::vector<RangeFigures> ranges;
  int differing_ranges = 0;
  // Rows Ferry read from both sides (every pass) to find and name the differences: 0 when the
  // databases' checksums decided equal, the differing key intervals' rows when they differed.
  int64_t rows_read_for_bisection = 0;
  int64_t missing = 0, extra = 0, duplicate = 0, changed = 0;
  bool partial = false;  // some differing buckets were not diffed: the four counts are lower bounds
  std::vector<RowDifference> differences;  // at most VerifyOptions::max_reported
  double elapsed_seconds = 0;
  // "ferry" (both sides read and hashed by Ferry) or "in-database (METHOD)": the sources
  // summarized their own rows (per key range when there is a split plan) and agreed, so no row
  // was read; "... per key range; differing ranges compared in Ferry" when some ranges differed.
  std::string method = "ferry";

  nlohmann::ordered_json ToJson() const;
  std::string ToText() const;
};

// Whether `ferry verify` can read this job's destination back (its plugin has a reader).
Status CheckVerifiable(const JobModel& job, const Registry& registry);

// Errors: InvalidArgument / FailedPrecondition / NotFound mean the job or the options are wrong
// (nothing compared, exit 2); any other code is a failure while reading (exit 1).
Result<VerifyReport> VerifyJob(
    const JobModel& job, const Registry& registry, const VerifyOptions& options,
    const std::function<std::string(const StepModel&, const Status&)>& locate);

}  // namespace ferry::verify
