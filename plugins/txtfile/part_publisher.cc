#include "plugins/txtfile/part_publisher.h"

#include "plugins/txtfile/compressed_io.h"
#include "plugins/txtfile/file_util.h"

namespace ferry::txtfile {
namespace {

Status CheckPartsExist(const OutputLayout& layout, const std::vector<std::string>& split_ids) {
  for (const std::string& id : split_ids) {
    if (!PathExists(layout.PartPath(id))) {
      return Status::FailedPrecondition("the part file of committed split " + id + " (" +
                                        layout.PartPath(id) + ") is missing");
    }
  }
  return Status::OK();
}

bool NonEmptyFile(const std::string& path) {
  auto size = FileSize(path);
  return size.ok() && *size > 0;
}

// Appends the parts to `fd` in order, then syncs and closes it.
Status WriteParts(int fd, const std::string& path, const OutputLayout& layout,
                  const std::vector<std::string>& split_ids, const std::string& header_block) {
  auto sink = MakeFdSink(fd, path);
  Status st = sink->Append(header_block);
  for (size_t k = 0; st.ok() && k < split_ids.size(); ++k) {
    st = AppendFileTo(layout.PartPath(split_ids[k]), 0, fd, path);
  }
  Status closed = SyncAndClose(fd, path);
  return st.ok() ? closed : st;
}

// Bytes of `part` to skip when appending it: its header block, when it starts with one.
Result<uint64_t> HeaderBytesIn(const std::string& part, const std::string& header_block) {
  if (header_block.empty()) return uint64_t{0};
  ASSIGN_OR_RETURN(std::string prefix, ReadPrefix(part, header_block.size()));
  return prefix == header_block ? uint64_t{header_block.size()} : uint64_t{0};
}

}  // namespace

Status PublishSingle(const OutputLayout& layout, const std::vector<std::string>& split_ids,
                     const std::string& header_block, bool append) {
  RETURN_NOT_OK(CheckPartsExist(layout, split_ids));
  std::string final_path = layout.SingleFilePath();
  if (append && NonEmptyFile(final_path)) {
    ASSIGN_OR_RETURN(int fd, OpenForWrite(final_path, /*append=*/true));
    RETURN_NOT_OK(WriteParts(fd, final_path, layout, split_ids, ""));
  } else if (split_ids.size() == 1 && header_block.empty()) {
    RETURN_NOT_OK(RenameFile(layout.PartPath(split_ids[0]), final_path));
  } else {
    std::string temp = layout.SingleTempPath();
    ASSIGN_OR_RETURN(int fd, OpenForWrite(temp, /*append=*/false));
    Status st = WriteParts(fd, temp, layout, split_ids, header_block);
    if (st.ok()) st = RenameFile(temp, final_path);
    if (!st.ok()) {
      (void)RemoveFile(temp);
      return st;
    }
  }
  return SyncDirectory(layout.dir());
}

Status PublishPerSplit(const OutputLayout& layout, const std::vector<std::string>& split_ids,
                       const std::string& header_block, bool append) {
  RETURN_NOT_OK(CheckPartsExist(layout, split_ids));
  for (const std::string& id : split_ids) {
    std::string part = layout.PartPath(id);
    std::string final_path = layout.SplitFilePath(id);
    if (append && NonEmptyFile(final_path)) {
      ASSIGN_OR_RETURN(uint64_t skip, HeaderBytesIn(part, header_block));
      ASSIGN_OR_RETURN(int fd, OpenForWrite(final_path, /*append=*/true));
      Status st = AppendFileTo(part, skip, fd, final_path);
      Status closed = SyncAndClose(fd, final_path);
      RETURN_NOT_OK(st);
      RETURN_NOT_OK(closed);
    } else {
      RETURN_NOT_OK(RenameFile(part, final_path));
    }
  }
  return SyncDirectory(layout.dir());
}

Status RemoveParts(const OutputLayout& layout, const std::vector<std::string>& split_ids) {
  for (const std::string& id : split_ids) {
    RETURN_NOT_OK(RemoveFile(layout.PartPath(id)));
    RETURN_NOT_OK(RemoveFile(layout.TempPartPath(id)));
  }
  return Status::OK();
}

}  // namespace ferry::txtfile
