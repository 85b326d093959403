#include "plugins/txtfile/input_window.h"

#include <cstring>

namespace ferry::txtfile {

InputWindow::InputWindow(std::unique_ptr<InputStream> input, size_t chunk)
    : input_(std::move(input)), buffer_(new char[chunk]), capacity_(chunk) {}

Status InputWindow::Fill() {
  if (eof_) return Status::OK();
  size_t kept = end_ - begin_;
  if (begin_ > 0) {
    std::memmove(buffer_.get(), buffer_.get() + begin_, kept);
    begin_ = 0;
    end_ = kept;
  }
  if (end_ == capacity_) {  // one record fills the whole buffer
    std::unique_ptr<char[]> bigger(new char[capacity_ * 2]);
    std::memcpy(bigger.get(), buffer_.get(), end_);
    buffer_ = std::move(bigger);
    capacity_ *= 2;
  }
  ASSIGN_OR_RETURN(size_t got, input_->Read(buffer_.get() + end_, capacity_ - end_));
  end_ += got;
  if (got == 0) eof_ = true;
  return Status::OK();
}

Status InputWindow::FillAtLeast(size_t n) {
  while (!eof_ && end_ - begin_ < n) RETURN_NOT_OK(Fill());
  return Status::OK();
}

}  // namespace ferry::txtfile
