// Builders for FieldError in the exact shape kube-apiserver reports them: the `type` is the
// CauseType (k8s.io/apimachinery/pkg/util/validation/field ErrorType) and `message` is
// field.Error.ErrorBody(), e.g. `Invalid value: "Foo": a lowercase RFC 1123 label must ...`.
// Values print as Go's %v / %q would print them, so the text matches byte for byte where the
// Go value is a string, an integer or a bool.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/api/field_error.h"

namespace ferry::api::field {

// CauseType strings (field.ErrorType).
inline constexpr std::string_view kRequired = "FieldValueRequired";
inline constexpr std::string_view kInvalid = "FieldValueInvalid";
inline constexpr std::string_view kNotSupported = "FieldValueNotSupported";
inline constexpr std::string_view kDuplicate = "FieldValueDuplicate";
inline constexpr std::string_view kForbidden = "FieldValueForbidden";
inline constexpr std::string_view kTooLong = "FieldValueTooLong";
inline constexpr std::string_view kTooMany = "FieldValueTooMany";
inline constexpr std::string_view kTypeInvalid = "FieldValueTypeInvalid";
inline constexpr std::string_view kInternal = "InternalError";

// The message kube prints for a ValidateImmutableField failure.
inline constexpr std::string_view kImmutable = "field is immutable";

// Go's strconv.Quote for the ASCII/UTF-8 text we handle: "a\"b".
std::string goQuote(std::string_view s);
// A JSON value printed the way field.Error prints a Go value: strings quoted, numbers and bools
// bare, anything else as compact JSON.
std::string formatValue(const nlohmann::json& value);

FieldError required(std::string path, std::string_view detail = {});
FieldError invalid(std::string path, const nlohmann::json& value, std::string_view detail);
FieldError notSupported(std::string path, const nlohmann::json& value,
                        const std::vector<std::string_view>& supported);
FieldError duplicate(std::string path, const nlohmann::json& value);
FieldError forbidden(std::string path, std::string_view detail);
FieldError tooLong(std::string path, int64_t max_bytes);
FieldError tooMany(std::string path, int64_t actual, int64_t max_items);
// For values kube prints with %#v (slices, structs): the caller supplies the Go text.
FieldError invalidGo(std::string path, std::string_view go_value, std::string_view detail);
FieldError duplicateGo(std::string path, std::string_view go_value);
// `[]string{"a", "b"}` — %#v of a string slice; `type_name` for named string types
// ("[]core.IPFamily").
std::string goStringSlice(const std::vector<std::string>& values,
                          std::string_view type_name = "[]string");
// A value of the wrong JSON type (kube's decoder would reject the body; we report the field).
FieldError typeInvalid(std::string path, const nlohmann::json& value, std::string_view detail);

// FieldPath helpers: child("spec", "ports") = "spec.ports", index("spec.ports", 0) =
// "spec.ports[0]", key("data", "tls.crt") = "data[tls.crt]" (field.Path.Key prints no quotes).
std::string child(std::string_view base, std::string_view name);
std::string index(std::string_view base, size_t i);
std::string key(std::string_view base, std::string_view k);

// "<field>: <message>" as field.Error.Error() prints one cause.
std::string describe(const FieldError& e);
// The Status.message of a 422 Invalid, as apierrors.NewInvalid builds it:
// `Service "web" is invalid: spec.ports[0].port: Invalid value: 0: ...`, several causes as
// "[a, b]" (utilerrors.Aggregate, duplicates removed). `qualified_kind` is GroupKind.String():
// "Service", "Ingress.networking.k8s.io".
std::string invalidStatusMessage(std::string_view qualified_kind, std::string_view name,
                                 const FieldErrors& errors);

}  // namespace ferry::api::field
