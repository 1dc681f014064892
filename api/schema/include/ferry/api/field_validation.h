// Server-side field validation (kube-apiserver's fieldValidation=Strict|Warn|Ignore): the
// fields of an object that its kind's OpenAPI schema does not declare. kubectl sends
// fieldValidation=Strict and leaves this check to the server, so a typo in a manifest
// ("spec.prots") must be reported, not silently dropped.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/api/resources.h"

namespace ferry::api {

enum class FieldValidation { kIgnore, kWarn, kStrict };

// The query parameter's value ("" = kube's default, Warn); nullopt for anything else.
std::optional<FieldValidation> parseFieldValidation(std::string_view text);

// Paths of the fields `obj` has that `type`'s schema does not know, in kube's notation
// ("spec.foo", "spec.ports[0].bar"), in document order. Free-form objects, maps and fields
// marked x-kubernetes-preserve-unknown-fields accept anything; keys starting with '$' (patch
// directives) are never reported.
std::vector<std::string> unknownFields(const ResourceType& type, const nlohmann::json& obj);

}  // namespace ferry::api
