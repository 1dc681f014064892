#include "json_access.h"

#include <limits>

namespace ferry::controlplane::detail {
namespace {

const Json& emptyObject() {
  static const Json kEmpty = Json::object();
  return kEmpty;
}

const Json& emptyArray() {
  static const Json kEmpty = Json::array();
  return kEmpty;
}

}  // namespace

const Json* member(const Json& obj, std::string_view key) {
  if (!obj.is_object()) {
    return nullptr;
  }
  auto it = obj.find(std::string(key));
  return it == obj.end() ? nullptr : &*it;
}

const Json& objectAt(const Json& obj, std::string_view key) {
  const Json* m = member(obj, key);
  return m != nullptr && m->is_object() ? *m : emptyObject();
}

const Json& arrayAt(const Json& obj, std::string_view key) {
  const Json* m = member(obj, key);
  return m != nullptr && m->is_array() ? *m : emptyArray();
}

std::optional<std::string> stringAt(const Json& obj, std::string_view key) {
  const Json* m = member(obj, key);
  if (m == nullptr || !m->is_string()) {
    return std::nullopt;
  }
  return m->get_ref<const std::string&>();
}

std::string stringOr(const Json& obj, std::string_view key, std::string_view fallback) {
  auto s = stringAt(obj, key);
  return s ? *s : std::string(fallback);
}

std::optional<bool> boolAt(const Json& obj, std::string_view key) {
  const Json* m = member(obj, key);
  if (m == nullptr || !m->is_boolean()) {
    return std::nullopt;
  }
  return m->get<bool>();
}

std::optional<int64_t> intAt(const Json& obj, std::string_view key) {
  const Json* m = member(obj, key);
  if (m == nullptr) {
    return std::nullopt;
  }
  if (m->is_number_unsigned()) {
    auto u = m->get<uint64_t>();
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return std::nullopt;
    }
    return static_cast<int64_t>(u);
  }
  if (m->is_number_integer()) {
    return m->get<int64_t>();
  }
  return std::nullopt;
}

const Json& metadataOf(const Json& obj) {
  return objectAt(obj, "metadata");
}
std::string nameOf(const Json& obj) {
  return stringOr(metadataOf(obj), "name");
}
std::string namespaceOf(const Json& obj) {
  return stringOr(metadataOf(obj), "namespace");
}
std::string uidOf(const Json& obj) {
  return stringOr(metadataOf(obj), "uid");
}

bool hasDeletionTimestamp(const Json& obj) {
  const Json* ts = member(metadataOf(obj), "deletionTimestamp");
  return ts != nullptr && !ts->is_null();
}

StringMap stringMapAt(const Json& obj, std::string_view key) {
  StringMap out;
  for (const auto& [k, v] : objectAt(obj, key).items()) {
    if (v.is_string()) {
      out.emplace(k, v.get<std::string>());
    }
  }
  return out;
}

StringMap labelsOf(const Json& obj) {
  return stringMapAt(metadataOf(obj), "labels");
}
StringMap annotationsOf(const Json& obj) {
  return stringMapAt(metadataOf(obj), "annotations");
}

Json toJson(const StringMap& map) {
  Json out = Json::object();
  for (const auto& [k, v] : map) {
    out[k] = v;
  }
  return out;
}

std::string concat(std::initializer_list<std::string_view> parts) {
  size_t n = 0;
  for (std::string_view p : parts) {
    n += p.size();
  }
  std::string out;
  out.reserve(n);
  for (std::string_view p : parts) {
    out += p;
  }
  return out;
}

std::string describe(std::string_view kind, const Json& obj) {
  std::string out(kind);
  out += ' ';
  std::string ns = namespaceOf(obj);
  if (!ns.empty()) {
    out += ns;
    out += '/';
  }
  std::string name = nameOf(obj);
  out += name.empty() ? "<unnamed>" : name;
  return out;
}

}  // namespace ferry::controlplane::detail
