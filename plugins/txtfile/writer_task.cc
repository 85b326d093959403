#include "plugins/txtfile/writer_task.h"

#include <unistd.h>

#include "plugins/txtfile/file_util.h"

namespace ferry::txtfile {

TxtfileWriterTask::TxtfileWriterTask(std::shared_ptr<const WriterPlan> plan, std::string split_id)
    : plan_(std::move(plan)),
      split_id_(std::move(split_id)),
      temp_path_(plan_->layout.TempPartPath(split_id_)),
      formatter_(plan_->options.dialect, plan_->options.date_format) {}

TxtfileWriterTask::~TxtfileWriterTask() { Abort(); }

Result<std::optional<SplitFigures>> TxtfileWriterTask::Begin() {
  Abort();
  ASSIGN_OR_RETURN(fd_, OpenForWrite(temp_path_, /*append=*/false));
  owns_temp_ = true;
  sink_ = MakeFdSink(fd_, temp_path_);
  if (plan_->options.file_mode == FileMode::kPerSplit) {
    RETURN_NOT_OK(sink_->Append(plan_->header_block));
  }
  stream_ = MakeOutputStream(plan_->options.compression, sink_.get());
  return SplitOpened();
}

Status TxtfileWriterTask::Write(const RecordBatch& batch, size_t begin, size_t end) {
  if (fd_ < 0) return Status::Internal("txtfile writer: Write before Begin");
  for (size_t r = begin; r < end; ++r) {
    formatter_.AppendRow(batch.row(r), batch.num_columns(), &buffer_);
  }
  return buffer_.size() >= kFlushBytes ? Flush() : Status::OK();
}

Status TxtfileWriterTask::Flush() {
  Status st = stream_->Write(buffer_);
  buffer_.clear();
  return st;
}

Status TxtfileWriterTask::Commit(const SplitFigures&) {
  if (fd_ < 0) return Status::Internal("txtfile writer: Commit before Begin");
  RETURN_NOT_OK(Flush());
  RETURN_NOT_OK(stream_->Finish());
  stream_.reset();
  sink_.reset();
  int fd = fd_;
  fd_ = -1;
  RETURN_NOT_OK(SyncAndClose(fd, temp_path_));
  RETURN_NOT_OK(RenameFile(temp_path_, plan_->layout.PartPath(split_id_)));
  owns_temp_ = false;
  return SyncDirectory(plan_->layout.dir());
}

void TxtfileWriterTask::CloseFile() {
  stream_.reset();
  sink_.reset();
  buffer_.clear();
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void TxtfileWriterTask::Abort() {
  CloseFile();
  if (owns_temp_) (void)RemoveFile(temp_path_);
  owns_temp_ = false;
}

}  // namespace ferry::txtfile
