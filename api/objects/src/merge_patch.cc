#include "ferry/api/merge_patch.h"

namespace ferry::api {

using nlohmann::json;

json applyMergePatch(json target, const json& patch) {
  if (!patch.is_object()) return patch;
  if (!target.is_object()) target = json::object();
  for (const auto& [k, v] : patch.items()) {
    if (v.is_null()) {
      target.erase(k);
      continue;
    }
    auto it = target.find(k);
    // A key new to the target still goes through MergePatch so nulls nested in it vanish.
    json base = it == target.end() ? json() : std::move(*it);
    target[k] = applyMergePatch(std::move(base), v);
  }
  return target;
}

json createMergePatch(const json& original, const json& modified) {
  if (!original.is_object() || !modified.is_object()) return modified;
  json patch = json::object();
  for (const auto& [k, v] : original.items()) {
    if (!modified.contains(k)) patch[k] = nullptr;
  }
  for (const auto& [k, v] : modified.items()) {
    auto it = original.find(k);
    if (it == original.end()) {
      patch[k] = v;
    } else if (*it != v) {
      patch[k] = (it->is_object() && v.is_object()) ? createMergePatch(*it, v) : v;
    }
  }
  return patch;
}

}  // namespace ferry::api
