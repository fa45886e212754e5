// Status and Result<T>: expected errors as values.
//
// Every engine call that can fail for a reason the caller should handle (bad
// input, a conflict, a store that is full or locked) returns a Status or a
// Result<T>. Exceptions thrown by third-party libraries (yaml-cpp, cereal,
// nlohmann-json, SQLite wrappers) are converted to a Status at the edge where
// the library is called, so no exception crosses a subsystem boundary.
#ifndef STEADFAST_STATUS_H_
#define STEADFAST_STATUS_H_

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace steadfast {

// Stable codes; their numeric values never change (they may be persisted).
enum class StatusCode : int {
  kOk = 0,
  kInvalidArgument = 1,     // the caller's input is wrong; retrying will not help
  kNotFound = 2,            // the named thing does not exist
  kAlreadyExists = 3,       // create of something that exists with the same content
  kConflict = 4,            // exists with different content, or a state precondition failed
  kFailedPrecondition = 5,  // the operation is not allowed in the current state
  kUnavailable = 6,         // transient: retry later
  kInternal = 7,            // a bug or an unexpected library failure
  kCorruption = 8,          // stored data cannot be decoded
  kResourceExhausted = 9,   // disk full, queue full, rate limited
  kBusy = 10,               // database locked by another process
  kDeadlineExceeded = 11,   // a timeout fired
  kCancelled = 12,          // the work was cancelled
  kLeaseLost = 13,          // another worker owns the task now
  kPermissionDenied = 14,   // the principal may not do this (wrong role, four-eyes)
  kAborted = 15,            // a write inside a transaction refused; all of it was rolled back: retry at a higher level
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
  static Status Conflict(std::string m) { return {StatusCode::kConflict, std::move(m)}; }
  static Status FailedPrecondition(std::string m) { return {StatusCode::kFailedPrecondition, std::move(m)}; }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }
  static Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
  static Status ResourceExhausted(std::string m) { return {StatusCode::kResourceExhausted, std::move(m)}; }
  static Status Busy(std::string m) { return {StatusCode::kBusy, std::move(m)}; }
  static Status DeadlineExceeded(std::string m) { return {StatusCode::kDeadlineExceeded, std::move(m)}; }
  static Status Cancelled(std::string m) { return {StatusCode::kCancelled, std::move(m)}; }
  static Status LeaseLost(std::string m) { return {StatusCode::kLeaseLost, std::move(m)}; }
  static Status PermissionDenied(std::string m) { return {StatusCode::kPermissionDenied, std::move(m)}; }
  static Status Aborted(std::string m) { return {StatusCode::kAborted, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "<code name>: <message>", or "ok".
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Either a T or a non-ok Status. Accessing value() of an error is a bug.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) { assert(!std::get<Status>(v_).ok()); }  // NOLINT

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { assert(ok()); return std::get<T>(v_); }
  const T& value() const& { assert(ok()); return std::get<T>(v_); }
  T&& value() && { assert(ok()); return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace steadfast

// Propagates a non-ok Status from an expression returning Status.
#define SF_RETURN_IF_ERROR(expr)              \
  do {                                        \
    ::steadfast::Status sf_status_ = (expr);  \
    if (!sf_status_.ok()) return sf_status_;  \
  } while (0)

#define SF_CONCAT_INNER(a, b) a##b
#define SF_CONCAT(a, b) SF_CONCAT_INNER(a, b)
// Assigns the value of a Result expression to lhs, or returns its Status.
#define SF_ASSIGN_OR_RETURN(lhs, expr) SF_ASSIGN_OR_RETURN_IMPL(SF_CONCAT(sf_result_, __LINE__), lhs, expr)
#define SF_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                             \
  if (!tmp.ok()) return tmp.status();            \
  lhs = std::move(tmp).value()

#endif  // STEADFAST_STATUS_H_
