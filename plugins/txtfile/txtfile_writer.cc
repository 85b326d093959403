#include "plugins/txtfile/txtfile_writer.h"

#include <unistd.h>

#include "plugins/txtfile/file_util.h"
#include "plugins/txtfile/publish_journal.h"

namespace ferry::txtfile {
namespace {

// The directory `path` will be created in: the nearest ancestor that exists.
std::string NearestExistingAncestor(std::string path) {
  while (!path.empty() && !PathExists(path)) {
    size_t slash = path.find_last_of('/');
    if (slash == std::string::npos) return ".";
    path = slash == 0 ? "/" : path.substr(0, slash);
  }
  return path.empty() ? "." : path;
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (size_t k = 0; k < names.size() && k < 5; ++k) out += (k ? ", " : "") + names[k];
  if (names.size() > 5) out += ", ...";
  return out;
}

}  // namespace

Status TxtfileWriter::Prepare(const StepContext& ctx, const std::vector<ColumnInfo>& input) {
  try {
    return PrepareChecked(ctx, input);
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidArgument(std::string("bad parameter: ") + e.what());
  }
}

Status TxtfileWriter::PrepareChecked(const StepContext& ctx, const std::vector<ColumnInfo>& input) {
  ASSIGN_OR_RETURN(WriterOptions options, ParseWriterOptions(ctx.param()));
  if (!options.header.empty() && options.header.size() != input.size()) {
    return Status::InvalidArgument("header names " + std::to_string(options.header.size()) +
                                   " columns but the reader produces " +
                                   std::to_string(input.size()))
        .WithField("header");
  }
  std::string header_block;
  if (!options.header.empty()) {
    std::string line;
    CsvFormatter(options.dialect, options.date_format).AppendHeader(options.header, &line);
    ASSIGN_OR_RETURN(header_block, EncodeBlock(options.compression, line));
  }
  OutputLayout layout(options.dir, options.file_name, options.compression);
  journal_path_ = ctx.run_dir.empty() ? "" : JoinPath(ctx.run_dir, kPublishJournalName);
  plan_ = std::make_shared<WriterPlan>(
      WriterPlan{std::move(options), std::move(layout), std::move(header_block)});
  RETURN_NOT_OK(CheckDirectory());
  if (plan_->options.write_mode == WriteMode::kNonConflict) RETURN_NOT_OK(CheckNoConflict());
  return Status::OK();
}

Status TxtfileWriter::CheckDirectory() const {
  const std::string& dir = plan_->options.dir;
  std::string existing = NearestExistingAncestor(dir);
  if (existing == dir && !ListFilesWithPrefix(dir, "").ok()) {
    return Status::FailedPrecondition(dir + " is not a readable directory").WithField("path");
  }
  if (::access(existing.c_str(), W_OK | X_OK) != 0) {
    return Status::FailedPrecondition("cannot write into " + existing).WithField("path");
  }
  return Status::OK();
}

Result<std::set<std::string>> TxtfileWriter::OutputsOfThisRun() const {
  std::set<std::string> paths;
  if (journal_path_.empty()) return paths;
  ASSIGN_OR_RETURN(auto journal, ReadPublishJournal(journal_path_));
  if (!journal) return paths;
  for (const OutputFile& out : journal->outputs) paths.insert(out.path);
  return paths;
}

Status TxtfileWriter::CheckNoConflict() const {
  const std::string& dir = plan_->options.dir;
  ASSIGN_OR_RETURN(auto names, ListFilesWithPrefix(dir, plan_->options.file_name));
  ASSIGN_OR_RETURN(auto ours, OutputsOfThisRun());
  std::erase_if(names, [&](const std::string& name) { return ours.count(JoinPath(dir, name)); });
  if (names.empty()) return Status::OK();
  return Status::FailedPrecondition("writeMode nonConflict: " + plan_->options.dir +
                                    " already holds files starting with \"" +
                                    plan_->options.file_name + "\": " + JoinNames(names))
      .WithField("writeMode");
}

Status TxtfileWriter::Truncate() const {
  ASSIGN_OR_RETURN(auto names, ListFilesWithPrefix(plan_->options.dir, plan_->options.file_name));
  for (const std::string& name : names) {
    RETURN_NOT_OK(RemoveFile(JoinPath(plan_->options.dir, name)));
  }
  return Status::OK();
}

Status TxtfileWriter::Start(bool resuming) {
  if (!plan_) return Status::Internal("txtfile writer: Start before Prepare");
  RETURN_NOT_OK(MakeDirectories(plan_->options.dir));
  if (resuming) return Status::OK();
  switch (plan_->options.write_mode) {
    case WriteMode::kTruncate:
      return Truncate();
    case WriteMode::kNonConflict:
      return CheckNoConflict();
    case WriteMode::kAppend:
      return Status::OK();
  }
  return Status::OK();
}

Result<std::unique_ptr<WriterTask>> TxtfileWriter::OpenTask(const Split& split) {
  if (!plan_) return Status::Internal("txtfile writer: OpenTask before Prepare");
  return std::unique_ptr<WriterTask>(new TxtfileWriterTask(plan_, split.id));
}

SharedPath TxtfileWriter::SharedDirectory() const {
  return plan_ ? SharedPath{plan_->options.dir, "path"} : SharedPath{};
}

Status TxtfileWriter::Finalize(bool succeeded, const std::vector<std::string>& committed) {
  if (!plan_) return Status::Internal("txtfile writer: Finalize before Prepare");
  if (!succeeded) return Status::OK();  // committed parts stay for `ferry run --resume`
  PublishSettings settings;
  settings.file_mode = plan_->options.file_mode;
  settings.append = plan_->options.write_mode == WriteMode::kAppend;
  settings.header_block = plan_->header_block;
  settings.journal_path = journal_path_;
  return PartPublisher(plan_->layout, std::move(settings), publish_hook_).Publish(committed);
}

}  // namespace ferry::txtfile
