#include "ferry/api/field_validation.h"

#include <map>
#include <mutex>
#include <optional>

#include "ferry/api/openapi.h"

namespace ferry::api {
namespace {

using nlohmann::json;

constexpr std::string_view kRefPrefix = "#/components/schemas/";

// The component schema of a kind, by its group-version-kind tag.
const json* schemaFor(const ResourceType& type) {
  static std::mutex mu;
  static std::map<std::string, const json*> cache;
  const std::string key =
      std::string(type.group) + "/" + std::string(type.version) + "/" + std::string(type.kind);
  std::lock_guard lock(mu);
  if (auto it = cache.find(key); it != cache.end()) return it->second;
  const json* found = nullptr;
  for (const auto& [name, schema] : openApiSchemas().items()) {
    auto gvks = schema.find("x-kubernetes-group-version-kind");
    if (gvks == schema.end() || !gvks->is_array()) continue;
    for (const auto& g : *gvks)
      if (g.value("group", "") == type.group && g.value("version", "") == type.version &&
          g.value("kind", "") == type.kind)
        found = &schema;
  }
  cache[key] = found;
  return found;
}

// Follows $ref and single-element allOf wrappers to the schema that describes a value.
const json* resolve(const json* schema) {
  for (int hops = 0; schema && hops < 8; ++hops) {
    if (auto ref = schema->find("$ref"); ref != schema->end() && ref->is_string()) {
      std::string_view r = ref->get_ref<const std::string&>();
      if (r.substr(0, kRefPrefix.size()) != kRefPrefix) return nullptr;
      auto it = openApiSchemas().find(std::string(r.substr(kRefPrefix.size())));
      schema = it == openApiSchemas().end() ? nullptr : &*it;
      continue;
    }
    if (auto all = schema->find("allOf");
        all != schema->end() && all->is_array() && all->size() == 1) {
      schema = &(*all)[0];
      continue;
    }
    return schema;
  }
  return schema;
}

void walk(const json* schema, const json& value, const std::string& path,
          std::vector<std::string>& out) {
  schema = resolve(schema);
  if (!schema || schema->value("x-kubernetes-preserve-unknown-fields", false)) return;
  if (value.is_object()) {
    auto props = schema->find("properties");
    auto extra = schema->find("additionalProperties");
    if (props == schema->end() || !props->is_object()) {
      // A map (additionalProperties) checks its values; a free-form object accepts anything.
      if (extra != schema->end() && extra->is_object())
        for (const auto& [k, v] : value.items()) walk(&*extra, v, path + "." + k, out);
      return;
    }
    for (const auto& [k, v] : value.items()) {
      if (!k.empty() && k[0] == '$') continue;
      const std::string sub = path.empty() ? k : path + "." + k;
      if (auto p = props->find(k); p != props->end())
        walk(&*p, v, sub, out);
      else if (extra != schema->end() && extra->is_object())
        walk(&*extra, v, sub, out);
      else
        out.push_back(sub);
    }
  } else if (value.is_array()) {
    auto items = schema->find("items");
    if (items == schema->end()) return;
    for (size_t i = 0; i < value.size(); ++i)
      walk(&*items, value[i], path + "[" + std::to_string(i) + "]", out);
  }
}

}  // namespace

std::optional<FieldValidation> parseFieldValidation(std::string_view text) {
  if (text.empty() || text == "Warn") return FieldValidation::kWarn;
  if (text == "Strict") return FieldValidation::kStrict;
  if (text == "Ignore") return FieldValidation::kIgnore;
  return std::nullopt;
}

std::vector<std::string> unknownFields(const ResourceType& type, const nlohmann::json& obj) {
  std::vector<std::string> out;
  const json* schema = schemaFor(type);
  if (!schema || !obj.is_object()) return out;  // no schema: nothing can be called unknown
  walk(schema, obj, "", out);
  return out;
}

}  // namespace ferry::api
