// metadata validation shared by every kind: ValidateObjectMeta / ValidateObjectMetaUpdate of
// pkg/apis/core/validation (apimachinery's rules plus the core finalizer-name rule).
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "ferry/api/field_error.h"
#include "ferry/api/names.h"

namespace ferry::api {

enum class Scope {
  kNamespaced,
  kCluster,
  kUnknown,  // kinds ferry has no table for: metadata.namespace is not checked
};

struct ObjectMetaRules {
  Scope scope = Scope::kNamespaced;
  NameValidator name = nameIsDnsSubdomain;
};

// On create. Expects name generation already done, except that an empty name with a
// generateName is accepted (the server appends the suffix after validation in ferry; kube does it
// before). A namespaced object needs metadata.namespace (the server fills it from the URL); a
// cluster-scoped one must not carry one (kube clears it before validating — the server should
// too; this check is the backstop).
FieldErrors validateObjectMeta(const nlohmann::json& obj, const ObjectMetaRules& rules);

// On update. name, namespace, uid, creationTimestamp, deletionTimestamp and
// deletionGracePeriodSeconds may not change; generation may not go down; resourceVersion must be
// set (the server copies the stored one in for unconditional updates and patches before
// validating, as kube's store does); no finalizer may be added once deletionTimestamp is set.
FieldErrors validateObjectMetaUpdate(const nlohmann::json& obj, const nlohmann::json& old);

// ValidateLabels: every key a qualified name, every value a label value. Errors name the map
// ("metadata.labels"), not the key, as kube does.
FieldErrors validateLabels(const nlohmann::json* labels, std::string_view path);
// ValidateAnnotations: keys qualified names (case-insensitive), keys+values at most 256 KiB.
FieldErrors validateAnnotations(const nlohmann::json* annotations, std::string_view path);

// kube-apiserver's storage refuses to create an object whose metadata.resourceVersion parses as
// a non-zero integer: 500 InternalError "resourceVersion should not be set on objects to be
// created" (it is not a validation error, and "0" or a non-numeric value passes).
inline constexpr std::string_view kResourceVersionSetOnCreate =
    "resourceVersion should not be set on objects to be created";
bool resourceVersionSetOnCreate(const nlohmann::json& obj);

}  // namespace ferry::api
