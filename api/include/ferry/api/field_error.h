// Errors about objects, in the shape the Kubernetes API reports them: a Status with reason
// Invalid (HTTP 422) and details.causes[]{reason, message, field}.
#pragma once

#include <string>
#include <vector>

namespace ferry::api {

// One cause of an Invalid error. `type` is the FieldValueRequired-style reason
// (see k8s.io/apimachinery/pkg/util/validation/field: "FieldValueRequired",
// "FieldValueInvalid", "FieldValueNotSupported", "FieldValueDuplicate", "FieldValueForbidden",
// "FieldValueTooLong", "FieldValueTypeInvalid").
struct FieldError {
  std::string type;
  std::string field;    // JSON path as kube-apiserver prints it: "spec.ports[0].port"
  std::string message;  // human text, e.g. "Invalid value: 70000: must be between 1 and 65535"
};

using FieldErrors = std::vector<FieldError>;

}  // namespace ferry::api
