#include "plugins/txtfile/part_publisher.h"

#include "ferry/common/fault_point.h"
#include "plugins/txtfile/compressed_io.h"
#include "plugins/txtfile/file_util.h"

namespace ferry::txtfile {
namespace {

Status FaultPointHook(const char* point) {
  FaultPoint(point);
  return Status::OK();
}

Status MissingPart(const OutputLayout& layout, const std::string& split_id) {
  return Status::FailedPrecondition("the part file of committed split " + split_id + " (" +
                                    layout.PartPath(split_id) + ") is missing");
}

Status CheckPartsExist(const OutputLayout& layout, const std::vector<std::string>& split_ids) {
  for (const std::string& id : split_ids) {
    if (!PathExists(layout.PartPath(id))) return MissingPart(layout, id);
  }
  return Status::OK();
}

// The size of `path`, 0 when it does not exist.
Result<uint64_t> SizeOrZero(const std::string& path) {
  auto size = FileSize(path);
  if (size.status().code() == StatusCode::kNotFound) return uint64_t{0};
  return size;
}

// Bytes of `part` to skip when appending it: its header block, when it starts with one.
Result<uint64_t> HeaderBytesIn(const std::string& part, const std::string& header_block) {
  if (header_block.empty()) return uint64_t{0};
  ASSIGN_OR_RETURN(std::string prefix, ReadPrefix(part, header_block.size()));
  return prefix == header_block ? uint64_t{header_block.size()} : uint64_t{0};
}

}  // namespace

PartPublisher::PartPublisher(OutputLayout layout, PublishSettings settings, PublishHook hook)
    : layout_(std::move(layout)),
      settings_(std::move(settings)),
      hook_(hook ? std::move(hook) : PublishHook(FaultPointHook)) {}

Status PartPublisher::Publish(const std::vector<std::string>& split_ids) {
  std::optional<PublishJournal> journal;
  if (!settings_.journal_path.empty()) {
    ASSIGN_OR_RETURN(journal, ReadPublishJournal(settings_.journal_path));
  }
  if (!journal) {
    ASSIGN_OR_RETURN(journal, Plan(split_ids));
    RETURN_NOT_OK(Journal(*journal));
  }
  if (!journal->done) {
    for (const OutputFile& out : journal->outputs) RETURN_NOT_OK(Make(out));
    RETURN_NOT_OK(SyncDirectory(layout_.dir()));
    RETURN_NOT_OK(Hook(kPublishDonePoint));
    journal->done = true;
    RETURN_NOT_OK(Journal(*journal));
  }
  RETURN_NOT_OK(Hook(kPublishCleanupPoint));
  return RemoveLeftovers(*journal);
}

Result<PublishJournal> PartPublisher::Plan(const std::vector<std::string>& split_ids) const {
  RETURN_NOT_OK(CheckPartsExist(layout_, split_ids));
  PublishJournal journal;
  if (settings_.file_mode == FileMode::kSingle) {
    ASSIGN_OR_RETURN(OutputFile out, PlanSingle(split_ids));
    journal.outputs.push_back(std::move(out));
    return journal;
  }
  for (const std::string& id : split_ids) {
    ASSIGN_OR_RETURN(OutputFile out, PlanSplitFile(id));
    journal.outputs.push_back(std::move(out));
  }
  return journal;
}

// Appends to a non-empty file (without a header: the file has one); a lone part without a
// header is renamed into place; otherwise the file is assembled.
Result<OutputFile> PartPublisher::PlanSingle(const std::vector<std::string>& split_ids) const {
  OutputFile out;
  out.path = layout_.SingleFilePath();
  out.split_ids = split_ids;
  ASSIGN_OR_RETURN(uint64_t size, SizeOrZero(out.path));
  if (settings_.append && size > 0) {
    out.make = OutputFile::Make::kAppend;
    out.base_size = size;
  } else if (split_ids.size() == 1 && settings_.header_block.empty()) {
    out.make = OutputFile::Make::kRename;
  } else {
    out.make = OutputFile::Make::kAssemble;
    out.with_header = !settings_.header_block.empty();
  }
  return out;
}

// Appends the part's rows (not its header) to a non-empty file; otherwise renames it.
Result<OutputFile> PartPublisher::PlanSplitFile(const std::string& split_id) const {
  OutputFile out;
  out.path = layout_.SplitFilePath(split_id);
  out.split_ids = {split_id};
  ASSIGN_OR_RETURN(uint64_t size, SizeOrZero(out.path));
  if (settings_.append && size > 0) {
    out.make = OutputFile::Make::kAppend;
    out.base_size = size;
    ASSIGN_OR_RETURN(out.skip, HeaderBytesIn(layout_.PartPath(split_id), settings_.header_block));
  } else {
    out.make = OutputFile::Make::kRename;
  }
  return out;
}

Status PartPublisher::Make(const OutputFile& out) const {
  switch (out.make) {
    case OutputFile::Make::kAssemble:
      return Assemble(out);
    case OutputFile::Make::kRename:
      return Rename(out);
    case OutputFile::Make::kAppend:
      return Append(out);
  }
  return Status::Internal("txtfile publish: unknown step");
}

Status PartPublisher::AppendParts(int fd, const std::string& path, const OutputFile& out,
                                  uint64_t skip) const {
  for (const std::string& id : out.split_ids) {
    RETURN_NOT_OK(Hook(kPublishStepPoint));
    RETURN_NOT_OK(AppendFileTo(layout_.PartPath(id), skip, fd, path));
  }
  return Status::OK();
}

// Always from scratch: a temp left by an interrupted attempt is overwritten.
Status PartPublisher::Assemble(const OutputFile& out) const {
  RETURN_NOT_OK(CheckPartsExist(layout_, out.split_ids));
  std::string temp = layout_.SingleTempPath();
  ASSIGN_OR_RETURN(int fd, OpenForWrite(temp, /*append=*/false));
  Status st = out.with_header ? MakeFdSink(fd, temp)->Append(settings_.header_block) : Status::OK();
  if (st.ok()) st = AppendParts(fd, temp, out, /*skip=*/0);
  Status closed = SyncAndClose(fd, temp);
  RETURN_NOT_OK(st);
  RETURN_NOT_OK(closed);
  RETURN_NOT_OK(Hook(kPublishStepPoint));
  return RenameFile(temp, out.path);
}

// A missing part was renamed into place by the attempt this one resumes: parts are removed
// only once the journal says done.
Status PartPublisher::Rename(const OutputFile& out) const {
  const std::string& id = out.split_ids.at(0);
  if (PathExists(layout_.PartPath(id))) {
    RETURN_NOT_OK(Hook(kPublishStepPoint));
    return RenameFile(layout_.PartPath(id), out.path);
  }
  if (!settings_.journal_path.empty() && PathExists(out.path)) return Status::OK();
  return MissingPart(layout_, id);
}

// Cutting the file back first makes a repeated append (after an interrupted one) add the rows
// once.
Status PartPublisher::Append(const OutputFile& out) const {
  RETURN_NOT_OK(CheckPartsExist(layout_, out.split_ids));
  ASSIGN_OR_RETURN(uint64_t size, FileSize(out.path));
  if (size < out.base_size) {
    return Status::FailedPrecondition(
        out.path + " holds " + std::to_string(size) + " bytes, fewer than the " +
        std::to_string(out.base_size) +
        " it held when publishing started: it was changed by something else");
  }
  RETURN_NOT_OK(TruncateFile(out.path, out.base_size));
  ASSIGN_OR_RETURN(int fd, OpenForWrite(out.path, /*append=*/true));
  Status st = AppendParts(fd, out.path, out, out.skip);
  Status closed = SyncAndClose(fd, out.path);
  RETURN_NOT_OK(st);
  return closed;
}

Status PartPublisher::RemoveLeftovers(const PublishJournal& journal) const {
  for (const OutputFile& out : journal.outputs) {
    for (const std::string& id : out.split_ids) {
      RETURN_NOT_OK(RemoveFile(layout_.PartPath(id)));
      RETURN_NOT_OK(RemoveFile(layout_.TempPartPath(id)));
    }
  }
  return RemoveFile(layout_.SingleTempPath());
}

Status PartPublisher::Journal(const PublishJournal& journal) const {
  if (settings_.journal_path.empty()) return Status::OK();
  return WritePublishJournal(settings_.journal_path, journal);
}

}  // namespace ferry::txtfile
