#include "ferry/api/strategic_merge_patch.h"

#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace ferry::api {
namespace {

using nlohmann::json;
using Failure = std::optional<std::string>;

constexpr std::string_view kDirective = "$patch";
constexpr std::string_view kRetainKeys = "$retainKeys";
constexpr std::string_view kSetElementOrderPrefix = "$setElementOrder/";
constexpr std::string_view kDeleteFromPrimitiveListPrefix = "$deleteFromPrimitiveList/";
// Nesting beyond any real object: a bound on recursion for hostile input.
constexpr int kMaxDepth = 256;

bool startsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

std::string child(const std::string& path, std::string_view name) {
  return path.empty() ? std::string(name) : path + "." + std::string(name);
}

std::string compact(const json& v) {
  return v.dump(-1, ' ', false, json::error_handler_t::replace);
}

// mergepatch.ErrNoMergeKey
std::string noMergeKey(const json& m, const std::string& key) {
  return "map: " + compact(m) + " does not contain declared merge key: " + key;
}

// The value of `key` in element `e`, or nullptr (elements that are not maps have none).
const json* mergeValue(const json& e, const std::string& key) {
  if (!e.is_object()) return nullptr;
  auto it = e.find(key);
  return it == e.end() ? nullptr : &*it;
}

// Position of `item` in `list`: by merge key for maps, by value for scalars. -1 if absent.
long indexOf(const json& list, const json& item, const std::string& key) {
  const json* want = key.empty() ? &item : mergeValue(item, key);
  if (want == nullptr) return -1;
  for (size_t i = 0; i < list.size(); ++i) {
    const json* have = key.empty() ? &list[i] : mergeValue(list[i], key);
    if (have != nullptr && *have == *want) return static_cast<long>(i);
  }
  return -1;
}

// Splits `merged` into the elements present in `by` and the rest (server-only), keeping order.
Failure partition(const json& merged, const json& by, const std::string& key, json& in_by,
                  json& server_only) {
  in_by = json::array();
  server_only = json::array();
  for (const auto& e : merged) {
    if (!key.empty() && mergeValue(e, key) == nullptr) return noMergeKey(e, key);
    (indexOf(by, e, key) >= 0 ? in_by : server_only).push_back(e);
  }
  return std::nullopt;
}

// normalizeSliceOrder: stable sort by position in `order`; elements it does not name go last.
Failure sortByOrder(json& items, const json& order, const std::string& key) {
  if (!key.empty()) {
    for (const json* list : std::initializer_list<const json*>{&items, &order}) {
      for (const auto& e : *list) {
        if (mergeValue(e, key) == nullptr) return noMergeKey(e, key);
      }
    }
  }
  std::vector<std::pair<long, json>> keyed;
  keyed.reserve(items.size());
  for (auto& e : items) {
    long i = indexOf(order, e, key);
    keyed.emplace_back(i < 0 ? static_cast<long>(order.size()) : i, std::move(e));
  }
  std::stable_sort(keyed.begin(), keyed.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  items = json::array();
  for (auto& [i, e] : keyed) items.push_back(std::move(e));
  return std::nullopt;
}

// normalizeElementOrder + mergeSortedSlice: patch items in `patch_order`, server-only items in
// `server_order`, then each server-only item goes in front of the first patch item that comes
// after it in the live list. Relative orders within both groups are kept.
Failure orderElements(json patch_items, json server_only, const json& patch_order,
                      const json& server_order, const std::string& key, json& out) {
  if (auto f = sortByOrder(patch_items, patch_order, key)) return f;
  if (auto f = sortByOrder(server_only, server_order, key)) return f;
  out = json::array();
  size_t i = 0;
  size_t j = 0;
  while (i < server_only.size() || j < patch_items.size()) {
    if (i >= server_only.size()) {
      out.push_back(std::move(patch_items[j++]));
    } else if (j >= patch_items.size()) {
      out.push_back(std::move(server_only[i++]));
    } else {
      long li = indexOf(server_order, server_only[i], key);
      long ri = indexOf(server_order, patch_items[j], key);
      if (li >= 0 && ri >= 0 && li < ri) {
        out.push_back(std::move(server_only[i++]));
      } else {
        out.push_back(std::move(patch_items[j++]));
      }
    }
  }
  return std::nullopt;
}

enum class ElementKind { kNone, kMap, kScalar };

// sliceElementType: all elements of both lists must be maps, or all scalars.
Failure elementKind(const json& a, const json& b, const std::string& path, ElementKind& kind) {
  kind = ElementKind::kNone;
  for (const auto* list : {&a, &b}) {
    for (const auto& e : *list) {
      if (e.is_array()) return std::string("lists of lists are not supported");
      ElementKind k = e.is_object() ? ElementKind::kMap : ElementKind::kScalar;
      if (kind != ElementKind::kNone && kind != k) {
        return "list " + path + " mixes maps and scalars: " + compact(e);
      }
      kind = k;
    }
  }
  return std::nullopt;
}

class Merger {
 public:
  explicit Merger(const PatchSchema& schema) : schema_(schema) {}

  Failure mergeMap(json& original, json patch, const std::string& path, int depth) {
    if (depth > kMaxDepth) return std::string("patch nests too deeply");
    if (auto it = patch.find(kDirective); it != patch.end()) {
      std::string directive = it->is_string() ? it->get<std::string>() : compact(*it);
      if (directive == "replace") {
        patch.erase(it);
        json fresh = json::object();
        if (auto f = mergeMap(fresh, std::move(patch), path, depth + 1)) return f;
        original = std::move(fresh);
        return std::nullopt;
      }
      if (directive == "delete") {
        original = json::object();
        return std::nullopt;
      }
      if (directive != "merge") {
        return "unknown patch type: " + directive + " in map: " + compact(patch);
      }
      patch.erase(it);
    }
    if (!original.is_object()) original = json::object();
    if (auto f = retainKeys(original, patch)) return f;
    if (auto f = setElementOrders(original, patch, path, depth)) return f;

    std::vector<std::pair<std::string, json>> deletions;
    for (auto& [k, v] : patch.items()) {
      if (startsWith(k, kDeleteFromPrimitiveListPrefix)) {
        deletions.emplace_back(k.substr(kDeleteFromPrimitiveListPrefix.size()), std::move(v));
        continue;
      }
      // Other '$' keys are not fields of any Kubernetes type (nor valid map keys in labels,
      // annotations or data); the typed decoder would drop them, so do we.
      if (startsWith(k, "$")) continue;
      if (auto f = mergeField(original, k, std::move(v), path, depth)) return f;
    }
    // After the regular fields, as kube does when a list and its deletions arrive together.
    for (auto& [k, v] : deletions) {
      if (auto f = deleteFromPrimitiveList(original, k, v)) return f;
    }
    return std::nullopt;
  }

  // A patch value the object does not have yet: merged into an empty value of its own type so
  // nested nulls and directives are resolved rather than stored.
  Failure fresh(json& slot, json patch, const std::string& path, int depth) {
    if (patch.is_object()) {
      slot = json::object();
      return mergeMap(slot, std::move(patch), path, depth + 1);
    }
    if (patch.is_array()) {
      slot = json::array();
      return mergeListField(slot, std::move(patch), path, depth);
    }
    slot = std::move(patch);
    return std::nullopt;
  }

 private:
  Failure mergeField(json& original, const std::string& k, json v, const std::string& path,
                     int depth) {
    if (v.is_null()) {
      original.erase(k);
      return std::nullopt;
    }
    std::string sub = child(path, k);
    auto it = original.find(k);
    bool same_kind = it != original.end() &&
                     ((it->is_object() && v.is_object()) || (it->is_array() && v.is_array()));
    if (!same_kind) {
      json slot;
      if (auto f = fresh(slot, std::move(v), sub, depth)) return f;
      original[k] = std::move(slot);
      return std::nullopt;
    }
    if (v.is_object()) return mergeMap(*it, std::move(v), sub, depth + 1);
    return mergeListField(*it, std::move(v), sub, depth);
  }

  // mergeSliceHandler: merge lists merge, all others are replaced by the patch.
  Failure mergeListField(json& original, json patch, const std::string& path, int depth) {
    if (const ListPatchStrategy* s = schema_.find(path)) {
      return mergeList(original, std::move(patch), path, s->merge_key, depth);
    }
    json out = json::array();
    for (auto& e : patch) {
      if (e.is_object()) {
        json m = json::object();
        if (auto f = mergeMap(m, std::move(e), path, depth + 1)) return f;
        out.push_back(std::move(m));
      } else {
        out.push_back(std::move(e));
      }
    }
    original = std::move(out);
    return std::nullopt;
  }

  // mergeSlice.
  Failure mergeList(json& original, json patch, const std::string& path, const std::string& key,
                    int depth) {
    if (original.empty() && patch.empty()) return std::nullopt;
    ElementKind kind = ElementKind::kNone;
    if (auto f = elementKind(original, patch, path, kind)) return f;

    if (kind != ElementKind::kMap) {
      // A set of scalars: union, keeping the first occurrence of each value.
      json merged = json::array();
      for (const auto* list : {&original, &patch}) {
        for (const auto& e : *list) {
          if (indexOf(merged, e, {}) < 0) merged.push_back(e);
        }
      }
      json in_patch;
      json server_only;
      if (auto f = partition(merged, patch, {}, in_patch, server_only)) return f;
      json out;
      if (auto f = orderElements(std::move(in_patch), std::move(server_only), patch, original, {},
                                 out)) {
        return f;
      }
      original = std::move(out);
      return std::nullopt;
    }

    if (key.empty()) return "cannot merge lists without merge key for " + path;

    // mergeSliceWithSpecialElements: deletions and a whole-list replace.
    json base = original;
    json plain = json::array();
    bool replace = false;
    for (auto& e : patch) {
      auto d = e.find(kDirective);
      if (d == e.end()) {
        plain.push_back(std::move(e));
        continue;
      }
      std::string directive = d->is_string() ? d->get<std::string>() : compact(*d);
      if (directive == "delete") {
        const json* v = mergeValue(e, key);
        if (v == nullptr) return noMergeKey(e, key);
        json kept = json::array();
        for (auto& o : base) {
          const json* ov = mergeValue(o, key);
          if (ov == nullptr || *ov != *v) kept.push_back(std::move(o));
        }
        base = std::move(kept);
      } else if (directive == "replace") {
        replace = true;
      } else if (directive == "merge") {
        return std::string("merging lists cannot yet be specified in the patch");
      } else {
        return "unknown patch type: " + directive + " in map: " + compact(e);
      }
    }
    if (replace) {
      base = json::array();
      for (auto& e : plain) {
        json m = json::object();
        if (auto f = mergeMap(m, std::move(e), path, depth + 1)) return f;
        base.push_back(std::move(m));
      }
      plain = json::array();
    }

    // mergeSliceWithoutSpecialElements: merge by key, append the new.
    const json server_order = base;
    for (auto& e : plain) {
      const json* v = mergeValue(e, key);
      if (v == nullptr) return noMergeKey(e, key);
      long at = indexOf(base, e, key);
      json element = e;  // `plain` keeps the merge keys for ordering below
      if (at >= 0) {
        if (auto f = mergeMap(base[static_cast<size_t>(at)], std::move(element), path, depth + 1)) {
          return f;
        }
      } else {
        json m = json::object();
        if (auto f = mergeMap(m, std::move(element), path, depth + 1)) return f;
        base.push_back(std::move(m));
      }
    }
    json in_patch;
    json server_only;
    if (auto f = partition(base, plain, key, in_patch, server_only)) return f;
    json out;
    if (auto f = orderElements(std::move(in_patch), std::move(server_only), plain, server_order,
                               key, out)) {
      return f;
    }
    original = std::move(out);
    return std::nullopt;
  }

  // applyRetainKeysDirective.
  static Failure retainKeys(json& original, json& patch) {
    auto it = patch.find(kRetainKeys);
    if (it == patch.end()) return std::nullopt;
    json keys = std::move(*it);
    patch.erase(it);
    const std::string bad = "invalid patch format of retainKeys";
    if (!keys.is_array()) return bad;
    std::set<std::string> keep;
    for (const auto& k : keys) {
      if (k.is_string()) keep.insert(k.get<std::string>());
    }
    for (const auto& [k, v] : patch.items()) {
      if (v.is_null() || startsWith(k, kDeleteFromPrimitiveListPrefix) ||
          startsWith(k, kSetElementOrderPrefix)) {
        continue;
      }
      if (keep.count(k) == 0) return bad;
    }
    for (auto o = original.begin(); o != original.end();) {
      if (keep.count(o.key()) == 0) {
        o = original.erase(o);
      } else {
        ++o;
      }
    }
    return std::nullopt;
  }

  // mergePatchIntoOriginal: each "$setElementOrder/<f>" with its list <f>.
  Failure setElementOrders(json& original, json& patch, const std::string& path, int depth) {
    std::vector<std::string> directives;
    for (const auto& [k, v] : patch.items()) {
      if (startsWith(k, kSetElementOrderPrefix)) directives.push_back(k);
    }
    for (const auto& directive : directives) {
      json order = std::move(patch[directive]);
      patch.erase(directive);
      const std::string bad = "invalid patch format of setElementOrder list";
      std::string name = directive.substr(kSetElementOrderPrefix.size());
      if (!order.is_array() || name.empty()) return bad;
      std::string sub = child(path, name);
      const ListPatchStrategy* strategy = schema_.find(sub);
      std::string key = strategy != nullptr ? strategy->merge_key : std::string();

      auto o = original.find(name);
      auto p = patch.find(name);
      bool have_original = o != original.end();
      bool have_patch = p != patch.end();
      if ((have_original && !o->is_array()) || (have_patch && !p->is_array())) return bad;
      json original_list = have_original ? *o : json::array();
      json patch_list = have_patch ? *p : json::array();
      if (auto f = checkOrderCoversPatch(patch_list, order, key)) return f;

      json merged;
      if (have_original && !have_patch) {
        merged = original_list;
      } else if (have_patch) {
        merged = original_list;
        if (auto f = mergeListField(merged, patch_list, sub, depth)) return f;
        patch.erase(name);
      } else {
        continue;
      }
      json in_order;
      json server_only;
      if (auto f = partition(merged, order, key, in_order, server_only)) return f;
      json out;
      if (auto f = orderElements(std::move(in_order), std::move(server_only), order, original_list,
                                 key, out)) {
        return f;
      }
      original[name] = std::move(out);
    }
    return std::nullopt;
  }

  // validatePatchWithSetOrderList: the patch's own elements (deletions aside) must appear in
  // the order list, in the same relative order.
  static Failure checkOrderCoversPatch(const json& patch_list, const json& order,
                                       const std::string& key) {
    if (patch_list.empty() || order.empty()) return std::nullopt;
    size_t pi = 0;
    size_t si = 0;
    std::vector<const json*> wanted;
    for (const auto& e : patch_list) {
      if (!key.empty() && e.is_object() && e.contains(kDirective)) continue;
      wanted.push_back(&e);
    }
    while (pi < wanted.size() && si < order.size()) {
      const json* a = key.empty() ? wanted[pi] : mergeValue(*wanted[pi], key);
      const json* b = key.empty() ? &order[si] : mergeValue(order[si], key);
      if (a != nullptr && b != nullptr && *a == *b) ++pi;
      ++si;
    }
    if (pi < wanted.size()) {
      return "The order in patch list:\n" + compact(patch_list) + "\n doesn't match " +
             std::string(kSetElementOrderPrefix) + " list:\n" + compact(order) + "\n";
    }
    return std::nullopt;
  }

  static Failure deleteFromPrimitiveList(json& original, const std::string& name,
                                         const json& values) {
    if (values.is_null()) {
      original.erase(name);
      return std::nullopt;
    }
    auto it = original.find(name);
    if (it == original.end() || !it->is_array() || !values.is_array()) return std::nullopt;
    for (const auto& v : values) {
      if (v.is_object() || v.is_array())
        return std::string("invalid patch format of primitive list");
    }
    json kept = json::array();
    for (auto& e : *it) {
      if (indexOf(values, e, {}) < 0) kept.push_back(std::move(e));
    }
    *it = std::move(kept);
    return std::nullopt;
  }

  const PatchSchema& schema_;
};

}  // namespace

Result<json> applyStrategicMergePatch(const json& original, const json& patch,
                                      const PatchSchema& schema) {
  if (!patch.is_object()) return Error{"a strategic merge patch must be a JSON object"};
  json out = original.is_object() ? original : json::object();
  Merger merger(schema);
  if (auto f = merger.mergeMap(out, patch, "", 0)) return Error{std::move(*f)};
  return out;
}

Result<json> applyStrategicMergePatch(const json& original, const json& patch,
                                      std::string_view kind) {
  return applyStrategicMergePatch(original, patch, PatchSchema::forKind(kind));
}

}  // namespace ferry::api
