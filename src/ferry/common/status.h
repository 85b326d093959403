// Status and Result<T>: errors are values. The code tells the caller what to do next:
// Unavailable / Aborted retry, InvalidArgument / FailedPrecondition fail the job, DataError makes
// one record dirty, Cancelled means the job was asked to stop.
#pragma once

#include <cassert>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace ferry {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // the job or command line is wrong: fail before any row moves
  kFailedPrecondition,  // the source/destination is not as the job needs it: fail the job
  kNotFound,            // a named thing (file, table, data source) does not exist
  kUnavailable,         // transient: the call may be retried
  kAborted,             // transient: the split must be retried from its start
  kDataError,           // one record is refused: it is dirty
  kCancelled,           // the job was asked to stop
  kIOError,             // local file or stream failure
  kInternal,            // a bug
  kCommitUnknown,       // a commit's outcome is unknown (connection lost during COMMIT): never
                        // retry blindly; resolve it from the destination's commit marker
};

const char* StatusCodeName(StatusCode code);

// One pointer wide, as in LevelDB and Arrow: an OK Status is a null pointer, so returning OK
// on a hot path (a field parsed, a row written) costs nothing.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message)
      : rep_(code == StatusCode::kOk
                 ? nullptr
                 : std::make_unique<Rep>(Rep{code, std::move(message), {}, {}})) {}
  Status(const Status& other) : rep_(other.rep_ ? std::make_unique<Rep>(*other.rep_) : nullptr) {}
  Status& operator=(const Status& other) {
    if (this != &other) rep_ = other.rep_ ? std::make_unique<Rep>(*other.rep_) : nullptr;
    return *this;
  }
  Status(Status&&) noexcept = default;
  Status& operator=(Status&&) noexcept = default;

  static Status OK() { return Status(); }
  static Status InvalidArgument(std::string m) {
    return {StatusCode::kInvalidArgument, std::move(m)};
  }
  static Status FailedPrecondition(std::string m) {
    return {StatusCode::kFailedPrecondition, std::move(m)};
  }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status Aborted(std::string m) { return {StatusCode::kAborted, std::move(m)}; }
  static Status DataError(std::string m) { return {StatusCode::kDataError, std::move(m)}; }
  static Status Cancelled(std::string m) { return {StatusCode::kCancelled, std::move(m)}; }
  static Status IOError(std::string m) { return {StatusCode::kIOError, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }
  static Status CommitUnknown(std::string m) { return {StatusCode::kCommitUnknown, std::move(m)}; }

  bool ok() const { return rep_ == nullptr; }
  StatusCode code() const { return rep_ ? rep_->code : StatusCode::kOk; }
  const std::string& message() const { return rep_ ? rep_->message : Empty(); }

  // The parameter the error is about, relative to the step's `parameter` object
  // (e.g. "splitPk" or "column[2]"); empty when the error is not about one field.
  const std::string& field() const { return rep_ ? rep_->field : Empty(); }
  Status WithField(std::string field) && {
    if (rep_) rep_->field = std::move(field);
    return std::move(*this);
  }
  // The column of a record a DataError is about; empty when unknown.
  const std::string& column() const { return rep_ ? rep_->column : Empty(); }
  Status WithColumn(std::string column) && {
    if (rep_) rep_->column = std::move(column);
    return std::move(*this);
  }
  Status WithPrefix(const std::string& prefix) const {
    Status s = *this;
    if (s.rep_) s.rep_->message = prefix + ": " + s.rep_->message;
    return s;
  }

  bool IsTransient() const {
    return code() == StatusCode::kUnavailable || code() == StatusCode::kAborted;
  }
  std::string ToString() const;

 private:
  struct Rep {
    StatusCode code;
    std::string message;
    std::string field;
    std::string column;
  };
  static const std::string& Empty() {
    static const std::string kEmpty;
    return kEmpty;
  }
  std::unique_ptr<Rep> rep_;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design, as in Arrow
  Result(Status status) : v_(std::move(status)) { assert(!std::get<Status>(v_).ok()); }  // NOLINT

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T ValueOr(T fallback) const& { return ok() ? value() : std::move(fallback); }

 private:
  std::variant<T, Status> v_;
};

namespace internal {
inline Status ToStatus(Status s) { return s; }
template <typename T>
Status ToStatus(const Result<T>& r) {
  return r.status();
}
}  // namespace internal

}  // namespace ferry

#define FERRY_CONCAT_INNER(a, b) a##b
#define FERRY_CONCAT(a, b) FERRY_CONCAT_INNER(a, b)

#define RETURN_NOT_OK(expr)                                    \
  do {                                                         \
    ::ferry::Status _st = ::ferry::internal::ToStatus((expr)); \
    if (!_st.ok()) return _st;                                 \
  } while (false)

#define FERRY_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                \
  if (!tmp.ok()) return tmp.status();               \
  lhs = std::move(tmp).value()

#define ASSIGN_OR_RETURN(lhs, expr) \
  FERRY_ASSIGN_OR_RETURN_IMPL(FERRY_CONCAT(_result_, __LINE__), lhs, expr)
