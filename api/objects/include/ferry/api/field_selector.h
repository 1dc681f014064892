// Field selectors: the `fieldSelector` query parameter (k8s.io/apimachinery pkg/fields
// ParseSelector): comma-separated `<field>=<value>`, `<field>==<value>`, `<field>!=<value>`,
// where values escape '\', ',' and '=' with a backslash. Fields are dotted paths into the
// object; which ones a kind supports is the server's (per-kind) choice — kube-apiserver answers
// any other with 400 "field label not supported: <field>".
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/api/result.h"

namespace ferry::api {

struct FieldRequirement {
  std::string field;  // "metadata.name", "spec.nodeName"
  std::string value;  // unescaped
  bool negate = false;
};

class FieldSelector {
 public:
  FieldSelector() = default;  // matches everything

  // `supported` lists the fields besides metadata.name and metadata.namespace (always allowed).
  static Result<FieldSelector> parse(std::string_view text,
                                     const std::vector<std::string>& supported = {});
  // parse() with supportedFieldSelectors(kind).
  static Result<FieldSelector> parseForKind(std::string_view text, std::string_view kind);

  // A field reads as the string kube's field set would hold: strings as they are, integers in
  // decimal, booleans "true"/"false", and absent (or null, or non-scalar) as "" — so
  // `spec.nodeName=` selects unscheduled pods.
  bool matches(const nlohmann::json& obj) const;

  bool empty() const { return requirements_.empty(); }
  const std::vector<FieldRequirement>& requirements() const { return requirements_; }

 private:
  std::vector<FieldRequirement> requirements_;  // AND of all
};

// The value of a dotted path as a field selector compares it (see matches()).
std::string fieldSelectorValue(const nlohmann::json& obj, std::string_view path);

// The extra fields kube-apiserver supports per kind (its AddFieldLabelConversionFunc tables,
// trimmed to what ferry stores): Pod spec.nodeName/status.phase/..., Event involvedObject.*,
// Secret type, Node spec.unschedulable, Namespace status.phase, Service spec.clusterIP/type.
std::vector<std::string> supportedFieldSelectors(std::string_view kind);

}  // namespace ferry::api
