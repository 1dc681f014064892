// Status and Result: how the store reports an outcome without exceptions.
//
// The codes mirror what the API layer needs to pick an HTTP status (NotFound -> 404,
// AlreadyExists/Conflict -> 409, Compacted -> 410 Gone, Unavailable -> 503) and what an etcd v3
// backend can map its errors onto (ErrCompacted, ErrFutureRev, a failed Txn compare).
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace ferry::controlplane::store {

enum class StatusCode {
  kOk,
  kNotFound,         // the key does not exist (at the revision read)
  kAlreadyExists,    // create() of a key that exists
  kConflict,         // a mod_revision precondition or txn compare did not hold
  kCompacted,        // the revision asked for is older than the compaction point (HTTP 410)
  kFutureRevision,   // the revision asked for has not been written yet
  kInvalidArgument,  // empty key, oversized value, duplicate key in one txn, ...
  kOverflow,         // a watcher fell too far behind and was cut off: re-list, then re-watch
  kCancelled,        // the watch was cancelled by its owner
  kUnavailable,      // the store is closed, locked by another process, or failed on I/O
};

std::string_view statusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status okStatus() { return {}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "Conflict: /registry/x: expected mod_revision 4, have 7"
  std::string toString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// A value or the Status that explains its absence (std::expected arrives with C++23).
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(v_).ok() && "a Result built from a Status must carry an error");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }
  StatusCode code() const { return ok() ? StatusCode::kOk : std::get<Status>(v_).code(); }
  Status status() const { return ok() ? Status{} : std::get<Status>(v_); }

  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace ferry::controlplane::store
