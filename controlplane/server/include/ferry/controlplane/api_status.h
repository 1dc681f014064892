// Errors as the Kubernetes API reports them: a meta/v1 Status object with an HTTP code, a
// machine-readable reason (NotFound, AlreadyExists, Conflict, Invalid, Gone, ...) and, for
// Invalid, details.causes[] naming each bad field. kubectl prints these verbatim.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "ferry/api/field_error.h"

namespace ferry::controlplane {

struct StatusDetails {
  std::string name;
  std::string group;
  std::string kind;  // the resource (plural) as kube-apiserver puts it, e.g. "services"
};

struct ApiStatus {
  int code = 500;
  std::string reason;  // "NotFound", "AlreadyExists", "Conflict", "Invalid", "Gone", ...
  std::string message;
  StatusDetails details;
  api::FieldErrors causes;

  nlohmann::json toJson() const;

  static ApiStatus notFound(const StatusDetails& d);
  static ApiStatus alreadyExists(const StatusDetails& d);
  static ApiStatus conflict(const StatusDetails& d, const std::string& why);
  static ApiStatus invalid(const StatusDetails& d, const std::string& kind, api::FieldErrors causes);
  static ApiStatus badRequest(const std::string& message);
  static ApiStatus gone(const std::string& message);
  static ApiStatus methodNotAllowed(const std::string& message);
  static ApiStatus unsupportedMediaType(const std::string& message);
  static ApiStatus internal(const std::string& message);
  static ApiStatus unavailable(const std::string& message);
  static ApiStatus unauthorized();
  static ApiStatus forbidden(const std::string& message);
  static ApiStatus tooLarge(const std::string& message);
};

// A value or the Status explaining why not.
template <class T>
class ApiResult {
 public:
  ApiResult(T v) : v_(std::move(v)) {}              // NOLINT(google-explicit-constructor)
  ApiResult(ApiStatus s) : v_(std::move(s)) {}      // NOLINT(google-explicit-constructor)
  bool ok() const { return std::holds_alternative<T>(v_); }
  T& value() { return std::get<T>(v_); }
  const T& value() const { return std::get<T>(v_); }
  T* operator->() { return &value(); }
  T& operator*() { return value(); }
  const ApiStatus& status() const { return std::get<ApiStatus>(v_); }

 private:
  std::variant<T, ApiStatus> v_;
};

}  // namespace ferry::controlplane
