// Label selectors: the string form of the `labelSelector` query parameter (k8s.io/apimachinery
// pkg/labels.Parse) and the structured metav1.LabelSelector of Service-less APIs
// (LabelSelectorAsSelector), both matched against metadata.labels.
//
// Grammar (labels.Parse):
//   selector    := requirement ("," requirement)*
//   requirement := ["!"] KEY | KEY ("=" | "==" | "!=" | ">" | "<") VALUE
//                | KEY ("in" | "notin") "(" VALUE ("," VALUE)* ")"
// Whitespace separates tokens; keys must be qualified names and values valid label values.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/api/result.h"

namespace ferry::api {

enum class SelectorOperator {
  kIn,
  kNotIn,
  kEquals,        // =
  kDoubleEquals,  // ==
  kNotEquals,     // !=
  kExists,        // key
  kDoesNotExist,  // !key
  kGreaterThan,   // key>5 (integer compare)
  kLessThan,      // key<5
};

struct LabelRequirement {
  std::string key;
  SelectorOperator op = SelectorOperator::kExists;
  std::vector<std::string> values;  // sorted, unique (sets.String)

  // `labels` is a metadata.labels object (anything else counts as no labels).
  bool matches(const nlohmann::json& labels) const;
  std::string toString() const;
};

class LabelSelector {
 public:
  // Matches everything (the empty selector, and `{}` as a LabelSelector).
  LabelSelector() = default;
  static LabelSelector nothing();

  // The query-parameter form. Errors read like kube's ("unable to parse requirement: ...",
  // "found ',', expected: identifier after ','"); kube-apiserver answers them with 400.
  static Result<LabelSelector> parse(std::string_view text);
  // metav1.LabelSelector {matchLabels, matchExpressions[{key, operator, values}]}. A null
  // selector selects nothing (LabelSelectorAsSelector(nil)), {} everything.
  static Result<LabelSelector> fromJson(const nlohmann::json& selector);

  bool matches(const nlohmann::json& labels) const;
  // Reads obj.metadata.labels.
  bool matchesObject(const nlohmann::json& obj) const;

  bool selectsEverything() const { return !nothing_ && requirements_.empty(); }
  bool selectsNothing() const { return nothing_; }
  const std::vector<LabelRequirement>& requirements() const { return requirements_; }
  // Canonical text: requirements sorted by key, joined by ','.
  std::string toString() const;

 private:
  std::vector<LabelRequirement> requirements_;  // AND of all
  bool nothing_ = false;
};

// labels.NewRequirement: checks the key, the operator's arity and every value.
Result<LabelRequirement> makeLabelRequirement(std::string key, SelectorOperator op,
                                              std::vector<std::string> values);

}  // namespace ferry::api
