#include "ferry/api/json_patch.h"

#include <optional>

namespace ferry::api {
namespace {

using nlohmann::json;

constexpr const char* opName(JsonPatchOpKind k) {
  switch (k) {
    case JsonPatchOpKind::kAdd:
      return "add";
    case JsonPatchOpKind::kRemove:
      return "remove";
    case JsonPatchOpKind::kReplace:
      return "replace";
    case JsonPatchOpKind::kMove:
      return "move";
    case JsonPatchOpKind::kCopy:
      return "copy";
    case JsonPatchOpKind::kTest:
      return "test";
  }
  return "?";
}

std::optional<JsonPatchOpKind> opKind(const std::string& s) {
  if (s == "add") return JsonPatchOpKind::kAdd;
  if (s == "remove") return JsonPatchOpKind::kRemove;
  if (s == "replace") return JsonPatchOpKind::kReplace;
  if (s == "move") return JsonPatchOpKind::kMove;
  if (s == "copy") return JsonPatchOpKind::kCopy;
  if (s == "test") return JsonPatchOpKind::kTest;
  return std::nullopt;
}

using Failure = std::optional<std::string>;

std::string quoted(const std::string& s) {
  return "\"" + s + "\"";
}

std::string missing(const char* op, const std::string& what, const std::string& path) {
  return std::string(op) + " operation does not apply: doc is missing " + what + ": " +
         quoted(path) + ": missing value";
}

// The container that holds the value `tokens` names: tokens[0..n-1] walked from `doc` by the
// same walk as resolveJsonPointer (the document is ours to modify).
json* parentOf(json& doc, const JsonPointer& tokens) {
  std::span<const std::string> prefix(tokens.data(), tokens.empty() ? 0 : tokens.size() - 1);
  return const_cast<json*>(resolveJsonPointer(doc, prefix));
}

// add (§4.1), or with `replace` the assignment of §4.3 to a target known to exist.
Failure add(json& doc, const JsonPointer& path, const std::string& text, json value, const char* op,
            bool replace = false) {
  if (path.empty()) {
    doc = std::move(value);
    return std::nullopt;
  }
  json* parent = parentOf(doc, path);
  const std::string& last = path.back();
  if (parent != nullptr && parent->is_object()) {
    (*parent)[last] = std::move(value);
    return std::nullopt;
  }
  if (parent != nullptr && parent->is_array()) {
    if (last == "-") {
      parent->push_back(std::move(value));
      return std::nullopt;
    }
    auto idx = parseArrayIndex(last);
    if (replace && idx && *idx < parent->size()) {
      (*parent)[*idx] = std::move(value);
      return std::nullopt;
    }
    if (!idx || *idx > parent->size()) {
      return std::string(op) + " operation does not apply: invalid array index " + quoted(last) +
             " in path " + quoted(text) + " (array length " + std::to_string(parent->size()) + ")";
    }
    parent->insert(parent->begin() + static_cast<std::ptrdiff_t>(*idx), std::move(value));
    return std::nullopt;
  }
  return missing(op, "path", text);
}

Failure remove(json& doc, const JsonPointer& path, const std::string& text, const char* op) {
  if (path.empty()) return std::string(op) + " operation does not apply: cannot remove the root";
  json* parent = parentOf(doc, path);
  const std::string& last = path.back();
  if (parent != nullptr && parent->is_object() && parent->erase(last) == 1) return std::nullopt;
  if (parent != nullptr && parent->is_array()) {
    auto idx = parseArrayIndex(last);
    if (idx && *idx < parent->size()) {
      parent->erase(*idx);
      return std::nullopt;
    }
  }
  return missing(op, "path", text);
}

bool isProperPrefix(const JsonPointer& a, const JsonPointer& b) {
  if (a.size() >= b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

Failure applyOne(json& doc, const JsonPatchOp& op) {
  const char* name = opName(op.kind);
  switch (op.kind) {
    case JsonPatchOpKind::kAdd:
      return add(doc, op.path, op.path_text, op.value, name);
    case JsonPatchOpKind::kRemove:
      return remove(doc, op.path, op.path_text, name);
    case JsonPatchOpKind::kReplace: {
      // Unlike add, replace needs the target to exist (§4.3).
      if (resolveJsonPointer(doc, op.path) == nullptr) return missing(name, "path", op.path_text);
      return add(doc, op.path, op.path_text, op.value, name, /*replace=*/true);
    }
    case JsonPatchOpKind::kMove: {
      const json* source = resolveJsonPointer(doc, op.from);
      if (source == nullptr) return missing(name, "from path", op.from_text);
      if (op.from == op.path) return std::nullopt;
      if (isProperPrefix(op.from, op.path)) {
        return std::string(name) + " operation does not apply: cannot move " +
               quoted(op.from_text) + " into its own child " + quoted(op.path_text);
      }
      json value = *source;
      if (auto f = remove(doc, op.from, op.from_text, name)) return f;
      return add(doc, op.path, op.path_text, std::move(value), name);
    }
    case JsonPatchOpKind::kCopy: {
      const json* source = resolveJsonPointer(doc, op.from);
      if (source == nullptr) return missing(name, "from path", op.from_text);
      return add(doc, op.path, op.path_text, *source, name);
    }
    case JsonPatchOpKind::kTest: {
      const json* target = resolveJsonPointer(doc, op.path);
      // §4.6: numbers compare by value, objects without regard to member order.
      if (target == nullptr || *target != op.value) {
        return "testing value " + op.path_text + " failed: test failed";
      }
      return std::nullopt;
    }
  }
  return std::string("unknown operation");
}

}  // namespace

Result<JsonPatch> parseJsonPatch(const json& patch) {
  if (!patch.is_array()) return Error{"a JSON patch must be an array of operations"};
  if (patch.size() > kMaxJsonPatchOperations) {
    return Error{"The allowed maximum operations in a JSON patch is " +
                 std::to_string(kMaxJsonPatchOperations) + ", got " + std::to_string(patch.size())};
  }
  JsonPatch ops;
  ops.reserve(patch.size());
  for (size_t i = 0; i < patch.size(); ++i) {
    const json& raw = patch[i];
    std::string where = "operation " + std::to_string(i) + ": ";
    if (!raw.is_object()) return Error{where + "must be an object"};
    auto op_it = raw.find("op");
    if (op_it == raw.end() || !op_it->is_string()) {
      return Error{where + "missing or non-string \"op\""};
    }
    auto kind = opKind(op_it->get<std::string>());
    if (!kind) return Error{where + "Unexpected kind: " + op_it->get<std::string>()};
    JsonPatchOp op;
    op.kind = *kind;
    auto path_it = raw.find("path");
    if (path_it == raw.end() || !path_it->is_string()) {
      return Error{where + opName(op.kind) + " operation: missing or non-string \"path\""};
    }
    op.path_text = path_it->get<std::string>();
    auto path = parseJsonPointer(op.path_text);
    if (!path) return Error{where + path.error()};
    op.path = std::move(*path);
    if (op.kind == JsonPatchOpKind::kMove || op.kind == JsonPatchOpKind::kCopy) {
      auto from_it = raw.find("from");
      if (from_it == raw.end() || !from_it->is_string()) {
        return Error{where + opName(op.kind) + " operation: missing or non-string \"from\""};
      }
      op.from_text = from_it->get<std::string>();
      auto from = parseJsonPointer(op.from_text);
      if (!from) return Error{where + from.error()};
      op.from = std::move(*from);
    }
    if (op.kind == JsonPatchOpKind::kAdd || op.kind == JsonPatchOpKind::kReplace ||
        op.kind == JsonPatchOpKind::kTest) {
      auto value_it = raw.find("value");
      if (value_it == raw.end()) {
        return Error{where + opName(op.kind) + " operation: missing \"value\""};
      }
      op.value = *value_it;
    }
    ops.push_back(std::move(op));
  }
  return ops;
}

Result<json> applyJsonPatch(const json& doc, const JsonPatch& patch) {
  json out = doc;
  for (const auto& op : patch) {
    if (auto failure = applyOne(out, op)) return Error{std::move(*failure)};
  }
  return out;
}

Result<json> applyJsonPatch(const json& doc, const json& patch) {
  auto parsed = parseJsonPatch(patch);
  if (!parsed) return Error{parsed.error()};
  return applyJsonPatch(doc, *parsed);
}

}  // namespace ferry::api
