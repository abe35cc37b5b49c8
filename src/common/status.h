// Status and Result<T>: expected failures as values.
//
// A Status is either OK or an error code with a one-line message meant for the user ("TaskManager
// on n3 did not register within 90 s; see ..."). Result<T> holds a T or a non-OK Status. Both are
// plain values: copyable, movable, and safe to pass between threads; they carry no shared state.
#ifndef JF_COMMON_STATUS_H_
#define JF_COMMON_STATUS_H_

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

#include <fmt/format.h>

namespace jf {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,  // the user's input is wrong: exit 254
  kNotFound,
  kTimeout,
  kUnavailable,  // retryable: a daemon not up yet, a leader election
  kFailedPrecondition,
  kInternal,
  kCancelled,
};

const char* StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  std::string ToString() const;

  // Returns a copy whose message is prefixed with `context: `.
  Status WithContext(const std::string& context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

template <typename... Args>
Status InvalidArgument(fmt::format_string<Args...> f, Args&&... args) {
  return Status(StatusCode::kInvalidArgument, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
Status NotFound(fmt::format_string<Args...> f, Args&&... args) {
  return Status(StatusCode::kNotFound, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
Status Timeout(fmt::format_string<Args...> f, Args&&... args) {
  return Status(StatusCode::kTimeout, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
Status Unavailable(fmt::format_string<Args...> f, Args&&... args) {
  return Status(StatusCode::kUnavailable, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
Status FailedPrecondition(fmt::format_string<Args...> f, Args&&... args) {
  return Status(StatusCode::kFailedPrecondition, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
Status Cancelled(fmt::format_string<Args...> f, Args&&... args) {
  return Status(StatusCode::kCancelled, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
Status Internal(fmt::format_string<Args...> f, Args&&... args) {
  return Status(StatusCode::kInternal, fmt::format(f, std::forward<Args>(args)...));
}

// Holds a T or an error Status (never an OK Status without a value).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT
    assert(!std::get<Status>(v_).ok());
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }

  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T value_or(T other) const { return ok() ? std::get<T>(v_) : std::move(other); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace jf

// Evaluates `expr` (a Status); returns it from the enclosing function if it is not OK.
#define JF_RETURN_IF_ERROR(expr)        \
  do {                                  \
    ::jf::Status jf_status_ = (expr);   \
    if (!jf_status_.ok()) return jf_status_; \
  } while (0)

#define JF_CONCAT_INNER_(a, b) a##b
#define JF_CONCAT_(a, b) JF_CONCAT_INNER_(a, b)
// `JF_ASSIGN_OR_RETURN(auto x, F());` binds x to F()'s value or returns its Status.
#define JF_ASSIGN_OR_RETURN(lhs, expr)                                   \
  auto JF_CONCAT_(jf_result_, __LINE__) = (expr);                        \
  if (!JF_CONCAT_(jf_result_, __LINE__).ok())                            \
    return JF_CONCAT_(jf_result_, __LINE__).status();                    \
  lhs = std::move(JF_CONCAT_(jf_result_, __LINE__)).value()

#endif  // JF_COMMON_STATUS_H_
