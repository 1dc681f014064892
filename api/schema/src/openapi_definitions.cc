// Expands the compact definition format (see ferry/api/openapi_definitions.h) into OpenAPI v3
// component schemas, in kube-apiserver's style: described references wrapped in allOf, kinds
// tagged with x-kubernetes-group-version-kind, strategic-merge metadata as x-kubernetes-*
// extensions.
#include "ferry/api/openapi_definitions.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>

namespace ferry::api {
namespace {

using nlohmann::json;

constexpr std::string_view kRefPrefix = "#/components/schemas/";
constexpr std::string_view kMeta = "io.k8s.apimachinery.pkg.apis.meta.v1";

// Thrown inside the expander and turned into an Error at its boundary.
struct DefinitionError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

[[noreturn]] void fail(const std::string& where, const std::string& what) {
  throw DefinitionError(where + ": " + what);
}

const std::map<std::string, std::string, std::less<>>& aliases() {
  static const std::map<std::string, std::string, std::less<>> kAliases = {
      {"meta", std::string(kMeta)},
      {"core", "io.k8s.api.core.v1"},
      {"discovery", "io.k8s.api.discovery.v1"},
      {"networking", "io.k8s.api.networking.v1"},
      {"intstr", "io.k8s.apimachinery.pkg.util.intstr"},
      {"resource", "io.k8s.apimachinery.pkg.api.resource"},
  };
  return kAliases;
}

struct Primitive {
  std::string_view name;
  std::string_view type;
  std::string_view format;
};

constexpr Primitive kPrimitives[] = {
    {"string", "string", ""},      {"boolean", "boolean", ""},    {"integer", "integer", ""},
    {"int32", "integer", "int32"}, {"int64", "integer", "int64"}, {"number", "number", "double"},
    {"byte", "string", "byte"},    {"object", "object", ""},
};

json refTo(const std::string& name) {
  return {{"$ref", std::string(kRefPrefix) + name}};
}

std::string schemaName(std::string_view type, const std::string& package,
                       const std::string& where) {
  if (type.starts_with("io.k8s.")) return std::string(type);
  auto dot = type.find('.');
  if (dot == std::string_view::npos) return package + "." + std::string(type);
  auto alias = aliases().find(type.substr(0, dot));
  if (alias == aliases().end()) fail(where, "unknown package alias in '" + std::string(type) + "'");
  return alias->second + std::string(type.substr(dot));
}

// The schema of a type expression, without description.
json typeSchema(std::string_view type, const std::string& package, const std::string& where) {
  if (type.starts_with("[]"))
    return {{"type", "array"}, {"items", typeSchema(type.substr(2), package, where)}};
  constexpr std::string_view kMap = "map[string]";
  if (type.starts_with(kMap)) {
    return {{"type", "object"},
            {"additionalProperties", typeSchema(type.substr(kMap.size()), package, where)}};
  }
  for (const auto& p : kPrimitives) {
    if (p.name != type) continue;
    json s = {{"type", p.type}};
    if (!p.format.empty()) s["format"] = p.format;
    return s;
  }
  if (type.empty() || !(std::isupper(static_cast<unsigned char>(type[0])) ||
                        type.find('.') != std::string_view::npos))
    fail(where, "unknown type '" + std::string(type) + "'");
  return refTo(schemaName(type, package, where));
}

constexpr std::string_view kListTypes[] = {"atomic", "set", "map"};
constexpr std::string_view kMapTypes[] = {"atomic", "granular"};

bool oneOf(std::span<const std::string_view> allowed, const json& value) {
  return value.is_string() &&
         std::find(allowed.begin(), allowed.end(), value.get<std::string>()) != allowed.end();
}

// A property: [type, description] or [type, description, options].
json propertySchema(const json& spec, const std::string& package, const std::string& where,
                    bool& required) {
  if (!spec.is_array() || spec.size() < 2 || spec.size() > 3 || !spec[0].is_string() ||
      !spec[1].is_string())
    fail(where, "a property is [type, description] or [type, description, options]");
  const std::string type = spec[0].get<std::string>();
  if (spec[1].get<std::string>().empty()) fail(where, "empty description");
  json s = typeSchema(type, package, where);
  // Siblings of $ref are ignored in OpenAPI 3.0, so a described reference wraps it in allOf,
  // as kube-apiserver's documents do.
  if (s.contains("$ref")) s = {{"allOf", json::array({std::move(s)})}};
  s["description"] = spec[1];
  required = false;
  if (spec.size() < 3) return s;
  const json& options = spec[2];
  if (!options.is_object()) fail(where, "options must be an object");
  const bool is_array = type.starts_with("[]");
  for (const auto& [key, value] : options.items()) {
    if (key == "required") {
      required = value.get<bool>();
    } else if (key == "merge") {
      if (!is_array) fail(where, "a patch merge key needs a list");
      s["x-kubernetes-patch-merge-key"] = value;
      if (!options.contains("strategy")) s["x-kubernetes-patch-strategy"] = "merge";
    } else if (key == "strategy") {
      s["x-kubernetes-patch-strategy"] = value;
    } else if (key == "list") {
      if (!is_array || !oneOf(kListTypes, value))
        fail(where, "list must be atomic, set or map, on a list");
      s["x-kubernetes-list-type"] = value;
      if ((value == "map") != options.contains("keys"))
        fail(where, "list type map goes with keys, and only it");
    } else if (key == "keys") {
      s["x-kubernetes-list-map-keys"] = value;
    } else if (key == "map") {
      if (!oneOf(kMapTypes, value)) fail(where, "map must be atomic|granular");
      s["x-kubernetes-map-type"] = value;
    } else if (key == "enum") {
      if (!value.is_array() || value.empty()) fail(where, "enum must be a non-empty list");
      if (is_array) {
        s["items"]["enum"] = value;
      } else {
        s["enum"] = value;
      }
    } else if (key == "default") {
      s["default"] = value;
    } else if (key == "format") {
      s["format"] = value;
    } else {
      fail(where, "unknown option '" + key + "'");
    }
  }
  return s;
}

struct Gvk {
  std::string group, version, kind;
  json toJson() const { return {{"group", group}, {"kind", kind}, {"version", version}}; }
};

Gvk parseKind(const std::string& api_version, const std::string& kind) {
  auto slash = api_version.find('/');
  if (slash == std::string::npos) return {"", api_version, kind};
  return {api_version.substr(0, slash), api_version.substr(slash + 1), kind};
}

json stringProperty(std::string_view description) {
  return {{"type", "string"}, {"description", description}};
}

constexpr std::string_view kApiVersionDoc =
    "Schema version of this representation of the object, e.g. v1 or networking.k8s.io/v1. "
    "Servers reject versions they do not serve.";
constexpr std::string_view kKindDoc =
    "The type of object this represents, in CamelCase. Servers infer it from the endpoint when "
    "it is omitted. Cannot be updated.";

class Builder {
 public:
  json schemas = json::object();

  void addFile(const DefinitionFile& file) {
    const std::string where(file.name);
    json doc;
    try {
      doc = json::parse(file.text);
    } catch (const json::parse_error& e) {
      fail(where, e.what());
    }
    if (!doc.is_object() || !doc.contains("package") || !doc.contains("types"))
      fail(where, "needs package and types");
    for (const auto& [key, value] : doc.items())
      if (key != "package" && key != "types") fail(where, "unknown key '" + key + "'");
    const std::string package = doc["package"].get<std::string>();
    for (const auto& [name, type] : doc["types"].items()) addType(package, name, type, where);
  }

  // Every $ref must name a schema; reports all dangling ones at once.
  void checkReferences() const {
    std::set<std::string> missing;
    for (const auto& [name, schema] : schemas.items()) collectMissing(schema, missing);
    if (missing.empty()) return;
    std::string list;
    for (const auto& m : missing) list += " " + m;
    fail("references", "unresolved:" + list);
  }

 private:
  void collectMissing(const json& j, std::set<std::string>& missing) const {
    if (j.is_object()) {
      for (const auto& [k, v] : j.items()) {
        if (k == "$ref" && v.is_string()) {
          auto target = v.get<std::string>().substr(kRefPrefix.size());
          if (!schemas.contains(target)) missing.insert(target);
        } else {
          collectMissing(v, missing);
        }
      }
    } else if (j.is_array()) {
      for (const auto& v : j) collectMissing(v, missing);
    }
  }

  void define(const std::string& full, json schema, const std::string& where) {
    if (schemas.contains(full)) fail(where, "duplicate type " + full);
    schemas[full] = std::move(schema);
  }

  void addType(const std::string& package, const std::string& name, const json& type,
               const std::string& file) {
    const std::string full = package + "." + name;
    const std::string where = file + ": " + name;
    if (!type.is_object()) fail(where, "a type is an object");
    for (const auto& [key, value] : type.items()) {
      if (key != "description" && key != "properties" && key != "kind" && key != "schema" &&
          key != "map" && key != "required")
        fail(where, "unknown key '" + key + "'");
    }
    if (!type.contains("description") || type["description"].get<std::string>().empty())
      fail(where, "needs a description");

    json schema = type.contains("schema") ? type["schema"] : json{{"type", "object"}};
    schema["description"] = type["description"];
    if (type.contains("map")) schema["x-kubernetes-map-type"] = type["map"];

    json properties = json::object();
    json required = json::array();
    std::optional<Gvk> gvk;
    if (type.contains("kind")) {
      gvk = parseKind(type["kind"].get<std::string>(), name);
      properties["apiVersion"] = stringProperty(kApiVersionDoc);
      properties["kind"] = stringProperty(kKindDoc);
      properties["metadata"] = {
          {"allOf", json::array({refTo(std::string(kMeta) + ".ObjectMeta")})},
          {"description",
           "Standard object metadata: name, namespace, labels, annotations and the fields the "
           "system maintains."}};
      schema["x-kubernetes-group-version-kind"] = json::array({gvk->toJson()});
    }
    if (type.contains("properties")) {
      for (const auto& [prop, spec] : type["properties"].items()) {
        bool is_required = false;
        if (properties.contains(prop)) fail(where, "duplicate property " + prop);
        std::string at = where;
        at += '.';
        at += prop;
        properties[prop] = propertySchema(spec, package, at, is_required);
        if (is_required) required.push_back(prop);
      }
    }
    if (type.contains("required")) {
      for (const auto& name_json : type["required"]) {
        const std::string prop = name_json.get<std::string>();
        if (!properties.contains(prop)) fail(where, "required names no property: " + prop);
        if (std::find(required.begin(), required.end(), name_json) == required.end())
          required.push_back(prop);
      }
    }
    if (!properties.empty()) schema["properties"] = std::move(properties);
    if (!required.empty()) schema["required"] = std::move(required);
    define(full, std::move(schema), where);

    if (gvk) {
      json list = {
          {"type", "object"},
          {"description", "A list of " + name + " objects."},
          {"properties",
           {{"apiVersion", stringProperty(kApiVersionDoc)},
            {"kind", stringProperty(kKindDoc)},
            {"metadata",
             {{"allOf", json::array({refTo(std::string(kMeta) + ".ListMeta")})},
              {"description", "Standard list metadata: resourceVersion and continue token."}}},
            {"items",
             {{"type", "array"},
              {"description", "The " + name + " objects."},
              {"items", refTo(full)}}}}},
          {"required", json::array({"items"})},
          {"x-kubernetes-group-version-kind",
           json::array({Gvk{gvk->group, gvk->version, name + "List"}.toJson()})}};
      define(full + "List", std::move(list), where);
    }
  }
};

}  // namespace

Result<nlohmann::json> expandDefinitions(std::span<const DefinitionFile> files) {
  try {
    Builder builder;
    for (const auto& f : files) builder.addFile(f);
    builder.checkReferences();
    return std::move(builder.schemas);
  } catch (const DefinitionError& e) {
    return Error{e.what()};
  } catch (const json::exception& e) {
    // Wrongly typed values (a number where a string belongs, ...).
    return Error{std::string("malformed definition: ") + e.what()};
  }
}

}  // namespace ferry::api
