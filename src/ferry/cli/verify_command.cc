// `ferry verify JOB`: compares the job's source view with its destination (DESIGN 11) and says
// whether they hold the same rows. Exit 0 equal, 1 different (or a read failed), 2 invalid.
#include <iostream>

#include "ferry/cli/commands.h"
#include "ferry/cli/param_flags.h"
#include "ferry/common/log.h"
#include "ferry/datasource/datasource_store.h"
#include "ferry/job/job_loader.h"
#include "ferry/verify/verifier.h"

namespace ferry {
namespace {

struct VerifyFlags {
  std::string job;
  ParamFlags params;
  bool json = false;
  std::vector<std::string> key;
  std::string dest_where;
  bool dest_where_given = false;
  size_t max_reported = 100;
  int64_t max_diff_rows = 200'000;
  bool in_database = true;
};

bool IsInvalid(const Status& st) {
  return st.code() == StatusCode::kInvalidArgument ||
         st.code() == StatusCode::kFailedPrecondition || st.code() == StatusCode::kNotFound;
}

int Verify(const VerifyFlags& flags) {
  const Registry& registry = Registry::Builtin();
  auto params = flags.params.Build();
  if (!params.ok()) {
    std::cerr << "ferry verify: " << params.status().message() << "\n";
    return kExitInvalid;
  }
  auto job = LoadJob(flags.job, *params, registry);
  if (!job.ok()) {
    std::cerr << MaskSecrets(job.status().message()) << "\n";
    return kExitInvalid;
  }
  verify::VerifyOptions options;
  options.key = flags.key;
  if (flags.dest_where_given) options.dest_where = flags.dest_where;
  options.max_reported = flags.max_reported;
  options.max_diff_rows = flags.max_diff_rows;
  options.in_database = flags.in_database;
  options.datasources = &DefaultDataSourceCatalog();
  auto report = verify::VerifyJob(
      job->model, registry, options,
      [&](const StepModel& step, const Status& s) { return LocateStepError(*job, step, s); });
  if (!report.ok()) {
    std::cerr << "ferry verify: " << MaskSecrets(report.status().message()) << "\n";
    return IsInvalid(report.status()) ? kExitInvalid : kExitFailed;
  }
  if (flags.json) {
    nlohmann::ordered_json j = report->ToJson();
    j["job"] = flags.job;
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << report->ToText();
  }
  return report->equal ? kExitOk : kExitFailed;
}

}  // namespace

void AddVerifyCommand(CLI::App* app, int* exit_code) {
  auto flags = std::make_shared<VerifyFlags>();
  CLI::App* cmd = app->add_subcommand(
      "verify", "compare a job's source view with its destination: exit 0 equal, 1 different");
  cmd->add_option("job", flags->job, "the job file")->required();
  flags->params.AddTo(cmd);
  cmd->add_flag("--json", flags->json, "print a machine-readable report");
  cmd->add_option("--key", flags->key,
                  "source column(s) that identify a row (default: the source's primary or unique "
                  "key, else its splitPk; none: rows compared as a multiset)")
      ->delimiter(',');
  cmd->add_option("--dest-where", flags->dest_where,
                  "filter on the destination (its SQL dialect): the rows this job wrote; \"\" "
                  "for none (default: derived from the job, see README)")
      ->each([flags](const std::string&) { flags->dest_where_given = true; });
  cmd->add_option("--max-differences", flags->max_reported, "row differences listed (default 100)");
  cmd->add_option("--max-diff-rows", flags->max_diff_rows,
                  "rows of differing buckets held for the row-by-row diff (default 200000)");
  cmd->add_flag("--in-database,!--no-in-database", flags->in_database,
                "let both databases hash their own rows first when they offer the same method "
                "(default on; equal hashes decide equal, a difference is compared in Ferry); "
                "--no-in-database reads and hashes every row in Ferry");
  cmd->callback([flags, exit_code] { *exit_code = Verify(*flags); });
}

}  // namespace ferry
