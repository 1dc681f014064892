#include "ferry/api/field_selector.h"

#include <algorithm>

namespace ferry::api {
namespace {

using nlohmann::json;

// splitTerms: split on commas that are not escaped.
std::vector<std::string> splitTerms(std::string_view s) {
  std::vector<std::string> terms;
  std::string cur;
  bool escaped = false;
  for (char c : s) {
    if (escaped) {
      cur += c;
      escaped = false;
    } else if (c == '\\') {
      cur += c;
      escaped = true;
    } else if (c == ',') {
      terms.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  terms.push_back(std::move(cur));
  return terms;
}

// UnescapeValue: "\\", "\," and "\=" only; a bare ',' or '=' is an error.
Result<std::string> unescape(std::string_view s) {
  std::string out;
  bool slash = false;
  for (char c : s) {
    if (slash) {
      if (c != '\\' && c != ',' && c != '=') {
        return Error{"invalid field selector: invalid escape sequence: \\" + std::string(1, c)};
      }
      out += c;
      slash = false;
      continue;
    }
    if (c == '\\') {
      slash = true;
    } else if (c == ',' || c == '=') {
      // Go prints the rune with %v: its code point.
      return Error{"invalid field selector: unescaped character in value: " +
                   std::to_string(static_cast<int>(c))};
    } else {
      out += c;
    }
  }
  if (slash) return Error{"invalid field selector: invalid escape sequence: \\"};
  return out;
}

}  // namespace

std::string fieldSelectorValue(const json& obj, std::string_view path) {
  const json* cur = &obj;
  size_t start = 0;
  while (true) {
    size_t dot = path.find('.', start);
    std::string name(path.substr(start, dot == std::string_view::npos ? dot : dot - start));
    if (!cur->is_object()) return "";
    auto it = cur->find(name);
    if (it == cur->end()) return "";
    cur = &*it;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (cur->is_string()) return cur->get<std::string>();
  if (cur->is_boolean()) return cur->get<bool>() ? "true" : "false";
  if (cur->is_number()) return cur->dump();
  return "";
}

Result<FieldSelector> FieldSelector::parse(std::string_view text,
                                           const std::vector<std::string>& supported) {
  FieldSelector sel;
  auto terms = splitTerms(text);
  std::sort(terms.begin(), terms.end());
  for (const auto& term : terms) {
    if (term.empty()) continue;
    // splitTerm: the first operator occurrence wins, "!=" and "==" before "=".
    size_t at = std::string::npos;
    size_t len = 0;
    bool negate = false;
    for (size_t i = 0; i < term.size() && at == std::string::npos; ++i) {
      std::string_view rest = std::string_view(term).substr(i);
      if (rest.substr(0, 2) == "!=" || rest.substr(0, 2) == "==") {
        at = i;
        len = 2;
        negate = rest.front() == '!';
      } else if (rest.front() == '=') {
        at = i;
        len = 1;
      }
    }
    if (at == std::string::npos) {
      return Error{"invalid selector: '" + std::string(text) + "'; can't understand '" + term +
                   "'"};
    }
    auto value = unescape(std::string_view(term).substr(at + len));
    if (!value) return Error{value.error()};
    sel.requirements_.push_back(FieldRequirement{term.substr(0, at), std::move(*value), negate});
  }
  for (const auto& r : sel.requirements_) {
    bool ok = r.field == "metadata.name" || r.field == "metadata.namespace" ||
              std::find(supported.begin(), supported.end(), r.field) != supported.end();
    if (!ok) return Error{"field label not supported: " + r.field};
  }
  return sel;
}

Result<FieldSelector> FieldSelector::parseForKind(std::string_view text, std::string_view kind) {
  return parse(text, supportedFieldSelectors(kind));
}

bool FieldSelector::matches(const json& obj) const {
  return std::all_of(requirements_.begin(), requirements_.end(), [&](const FieldRequirement& r) {
    return (fieldSelectorValue(obj, r.field) == r.value) != r.negate;
  });
}

std::vector<std::string> supportedFieldSelectors(std::string_view kind) {
  if (kind == "Pod") {
    return {
        "spec.nodeName",    "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
        "spec.hostNetwork", "status.phase",       "status.podIP",       "status.nominatedNodeName"};
  }
  if (kind == "Event") {
    return {"involvedObject.kind",       "involvedObject.namespace",
            "involvedObject.name",       "involvedObject.uid",
            "involvedObject.apiVersion", "involvedObject.resourceVersion",
            "involvedObject.fieldPath",  "reason",
            "reportingComponent",        "type"};
  }
  if (kind == "Secret") return {"type"};
  if (kind == "Node") return {"spec.unschedulable"};
  if (kind == "Namespace") return {"status.phase"};
  if (kind == "Service") return {"spec.clusterIP", "spec.type"};
  return {};
}

}  // namespace ferry::api
