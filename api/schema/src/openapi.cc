// OpenAPI v3 documents: one per group-version, with the paths kubectl inspects (explain finds
// a resource's GVK on its operations; apply looks for fieldValidation on PATCH) and the
// component schemas those paths reach, expanded from the embedded definitions.
#include "ferry/api/openapi.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <set>
#include <stdexcept>
#include <vector>

#include "ferry/api/discovery.h"
#include "ferry/api/openapi_definitions.h"
#include "ferry/api/resources.h"
#include "openapi_embedded.h"

namespace ferry::api {
namespace {

using nlohmann::json;

constexpr std::string_view kRefPrefix = "#/components/schemas/";
constexpr std::string_view kMeta = "io.k8s.apimachinery.pkg.apis.meta.v1";

// Definitions and resources are compiled in; a mismatch is a programming error.
[[noreturn]] void fail(const std::string& where, const std::string& what) {
  throw std::logic_error("openapi: " + where + ": " + what);
}

json refTo(const std::string& name) {
  return {{"$ref", std::string(kRefPrefix) + name}};
}

std::string capitalize(std::string_view s) {
  std::string out(s);
  if (!out.empty()) out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
  return out;
}

std::string groupLabel(std::string_view group) {
  if (group.empty()) return "core";
  return std::string(group.substr(0, group.find('.')));
}

std::string packageOf(const GroupVersion& gv) {
  return "io.k8s.api." + groupLabel(gv.group) + "." + std::string(gv.version);
}

json param(std::string_view name, std::string_view in, std::string_view description,
           std::string_view type = "string", bool required = false) {
  json p = {{"name", name},
            {"in", in},
            {"description", description},
            {"schema", {{"type", type}, {"uniqueItems", true}}}};
  if (required) p["required"] = true;
  return p;
}

json content(const json& schema) {
  return {{"application/json", {{"schema", schema}}}};
}

json responses(std::initializer_list<std::pair<const char*, const char*>> codes,
               const json& schema) {
  json out = json::object();
  for (const auto& [code, text] : codes)
    out[code] = {{"description", text}, {"content", content(schema)}};
  out["401"] = {{"description", "Unauthorized"}};
  return out;
}

json listParams() {
  return json::array(
      {param("allowWatchBookmarks", "query", "Ask for BOOKMARK events in a watch.", "boolean"),
       param("continue", "query", "Continue token from a previous page of a paginated list."),
       param("fieldSelector", "query", "Restrict results by field, e.g. metadata.name=foo."),
       param("labelSelector", "query", "Restrict results by label selector."),
       param("limit", "query", "Maximum number of items to return in one page.", "integer"),
       param("resourceVersion", "query", "Resource version the list or watch starts from."),
       param("resourceVersionMatch", "query", "How resourceVersion constrains the list."),
       param("sendInitialEvents", "query", "Stream the current state before changes.", "boolean"),
       param("timeoutSeconds", "query", "Timeout for the list or watch call.", "integer"),
       param("watch", "query", "Stream changes instead of returning a list.", "boolean")});
}

json writeParams(bool patch) {
  json p = json::array(
      {param("dryRun", "query", "When All, validate and admit the request without persisting."),
       param("fieldManager", "query", "Name of the actor making the change (server-side apply)."),
       param("fieldValidation", "query",
             "How to treat unknown or duplicate fields: Ignore, Warn or Strict.")});
  if (patch) {
    p.push_back(
        param("force", "query", "Take over conflicting fields (apply patches only).", "boolean"));
  }
  return p;
}

json deleteParams() {
  return json::array(
      {param("dryRun", "query", "When All, validate and admit the request without persisting."),
       param("gracePeriodSeconds", "query", "Seconds before the object is deleted.", "integer"),
       param("propagationPolicy", "query",
             "Garbage collection of dependents: Orphan, Background or Foreground.")});
}

json concat(json a, const json& b) {
  for (const auto& v : b) a.push_back(v);
  return a;
}

class PathBuilder {
 public:
  PathBuilder(const GroupVersion& gv, const ResourceType& r)
      : gv_(gv),
        r_(r),
        package_(packageOf(gv)),
        id_(capitalize(groupLabel(gv.group)) + capitalize(gv.version)),
        tag_(groupLabel(gv.group) + "_" + std::string(gv.version)) {}

  void addTo(json& paths) const {
    const std::string kind(r_.kind);
    const std::string scope = r_.namespaced ? "Namespaced" : "";
    const std::string base = gv_.path();
    const std::string collection =
        base + (r_.namespaced ? "/namespaces/{namespace}/" : "/") + std::string(r_.plural);
    json scope_params = json::array();
    if (r_.namespaced) scope_params.push_back(namespaceParam());
    scope_params.push_back(prettyParam());

    json coll = {{"parameters", scope_params}};
    if (r_.hasVerb("list")) {
      coll["get"] = op("list", "list or watch objects of kind " + kind, "list", scope + kind,
                       listParams(), nullptr, responses({{"200", "OK"}}, listRef()));
    }
    if (r_.hasVerb("create")) {
      coll["post"] =
          op("post", "create a " + kind, "create", scope + kind, writeParams(false), body(),
             responses({{"200", "OK"}, {"201", "Created"}, {"202", "Accepted"}}, kindRef()));
    }
    if (r_.hasVerb("deletecollection")) {
      coll["delete"] = op("deletecollection", "delete a collection of " + kind, "delete",
                          "Collection" + scope + kind, concat(listParams(), deleteParams()),
                          deleteBody(), responses({{"200", "OK"}}, statusRef()));
    }
    paths[collection] = std::move(coll);

    json item_params = json::array({nameParam()});
    for (const auto& p : scope_params) item_params.push_back(p);
    json item = {{"parameters", item_params}};
    if (r_.hasVerb("get")) {
      item["get"] = op("get", "read the specified " + kind, "read", scope + kind, json::array(),
                       nullptr, responses({{"200", "OK"}}, kindRef()));
    }
    if (r_.hasVerb("update")) {
      item["put"] =
          op("put", "replace the specified " + kind, "replace", scope + kind, writeParams(false),
             body(), responses({{"200", "OK"}, {"201", "Created"}}, kindRef()));
    }
    if (r_.hasVerb("patch")) {
      item["patch"] = op("patch", "partially update the specified " + kind, "patch", scope + kind,
                         writeParams(true), patchBody(),
                         responses({{"200", "OK"}, {"201", "Created"}}, kindRef()));
    }
    if (r_.hasVerb("delete")) {
      item["delete"] =
          op("delete", "delete a " + kind, "delete", scope + kind, deleteParams(), deleteBody(),
             responses({{"200", "OK"}, {"202", "Accepted"}}, statusRef()));
    }
    paths[collection + "/{name}"] = std::move(item);

    for (const auto& sub : r_.subresources) {
      std::string noun = scope;  // "NamespacedServiceStatus"
      noun += kind;
      noun += capitalize(sub.name);
      // "status of the specified Service"
      std::string what = std::string(sub.name);
      what += " of the specified ";
      what += kind;
      json s = {{"parameters", item_params}};
      auto has = [&](std::string_view verb) {
        return std::find(sub.verbs.begin(), sub.verbs.end(), verb) != sub.verbs.end();
      };
      if (has("get")) {
        s["get"] = op("get", "read " + what, "read", noun, json::array(), nullptr,
                      responses({{"200", "OK"}}, kindRef()));
      }
      if (has("update")) {
        s["put"] = op("put", "replace " + what, "replace", noun, writeParams(false), body(),
                      responses({{"200", "OK"}, {"201", "Created"}}, kindRef()));
      }
      if (has("patch")) {
        s["patch"] = op("patch", "partially update " + what, "patch", noun, writeParams(true),
                        patchBody(), responses({{"200", "OK"}, {"201", "Created"}}, kindRef()));
      }
      paths[collection + "/{name}/" + std::string(sub.name)] = std::move(s);
    }

    if (r_.namespaced && r_.hasVerb("list")) {
      paths[base + "/" + std::string(r_.plural)] = {
          {"parameters", json::array({prettyParam()})},
          {"get", op("list", "list or watch objects of kind " + kind + " in all namespaces", "list",
                     kind + "ForAllNamespaces", listParams(), nullptr,
                     responses({{"200", "OK"}}, listRef()))}};
    }
  }

 private:
  // kube's operation ids put the group-version after the verb: "patch" + "CoreV1" +
  // "NamespacedService".
  json op(std::string_view action, const std::string& description, std::string_view verb,
          const std::string& noun, json parameters, json request_body, json response) const {
    json o = {{"tags", json::array({tag_})},
              {"description", description},
              {"operationId", std::string(verb) + id_ + noun},
              {"responses", std::move(response)},
              {"x-kubernetes-action", action},
              {"x-kubernetes-group-version-kind",
               {{"group", r_.group}, {"kind", r_.kind}, {"version", r_.version}}}};
    if (!parameters.empty()) o["parameters"] = std::move(parameters);
    if (!request_body.is_null()) o["requestBody"] = std::move(request_body);
    return o;
  }

  json kindRef() const { return refTo(package_ + "." + std::string(r_.kind)); }
  json listRef() const { return refTo(package_ + "." + std::string(r_.list_kind)); }
  static json statusRef() { return refTo(std::string(kMeta) + ".Status"); }
  json body() const {
    return {{"content", {{"*/*", {{"schema", kindRef()}}}}}, {"required", true}};
  }
  static json deleteBody() {
    return {{"content", {{"*/*", {{"schema", refTo(std::string(kMeta) + ".DeleteOptions")}}}}}};
  }
  static json patchBody() {
    json schema = refTo(std::string(kMeta) + ".Patch");
    return {{"content",
             {{"application/apply-patch+yaml", {{"schema", schema}}},
              {"application/json-patch+json", {{"schema", schema}}},
              {"application/merge-patch+json", {{"schema", schema}}},
              {"application/strategic-merge-patch+json", {{"schema", schema}}}}},
            {"required", true}};
  }
  json nameParam() const {
    return param("name", "path", "name of the " + std::string(r_.kind), "string", true);
  }
  static json namespaceParam() {
    return param("namespace", "path", "object name and auth scope, such as for teams and projects",
                 "string", true);
  }
  static json prettyParam() {
    return param("pretty", "query", "If 'true', pretty-print the output.");
  }

  const GroupVersion& gv_;
  const ResourceType& r_;
  std::string package_;
  std::string id_;
  std::string tag_;
};

// Adds `name` and every schema it references, transitively, to `out`.
void closure(const json& schemas, const std::string& name, json& out) {
  if (out.contains(name)) return;
  const json& schema = schemas.at(name);
  out[name] = schema;
  std::vector<const json*> stack{&schema};
  while (!stack.empty()) {
    const json* j = stack.back();
    stack.pop_back();
    if (j->is_object()) {
      for (const auto& [k, v] : j->items()) {
        if (k == "$ref" && v.is_string()) {
          closure(schemas, v.get<std::string>().substr(kRefPrefix.size()), out);
        } else {
          stack.push_back(&v);
        }
      }
    } else if (j->is_array()) {
      for (const auto& v : *j) stack.push_back(&v);
    }
  }
}

void collectRefs(const json& j, std::set<std::string>& refs) {
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) {
      if (k == "$ref" && v.is_string()) {
        refs.insert(v.get<std::string>().substr(kRefPrefix.size()));
      } else {
        collectRefs(v, refs);
      }
    }
  } else if (j.is_array()) {
    for (const auto& v : j) collectRefs(v, refs);
  }
}

// A stable 128-bit content digest for cache keys: FNV-1a 64, plus a second lane with another
// offset and a shift-xor per byte. Not a security boundary (kube-apiserver uses SHA-512 for the
// same purpose); clients only compare it.
std::string digest(std::string_view bytes) {
  uint64_t a = 0xcbf29ce484222325ULL;
  uint64_t b = 0x84222325cbf29ce4ULL;
  for (unsigned char c : bytes) {
    a = (a ^ c) * 0x100000001b3ULL;
    b = (b ^ c) * 0x100000001b3ULL;
    b ^= b >> 29;
  }
  char buf[33];
  std::snprintf(buf, sizeof buf, "%016llX%016llX", static_cast<unsigned long long>(a),
                static_cast<unsigned long long>(b));
  return buf;
}

std::string indexKey(const GroupVersion& gv) {
  if (gv.group.empty()) return "api/" + std::string(gv.version);
  return "apis/" + gv.toString();
}

// See OpenApiDocument in openapi.h.
// NOLINTNEXTLINE(bugprone-exception-escape)
struct Built {
  json schemas;
  std::vector<OpenApiDocument> documents;
  json index;
};

Built build() {
  std::vector<DefinitionFile> files;
  for (size_t i = 0; i < detail::kOpenApiFilesCount; ++i)
    files.push_back({detail::kOpenApiFiles[i].name, detail::kOpenApiFiles[i].text});
  auto expanded = expandDefinitions(files);
  if (!expanded.ok()) fail("definitions", expanded.error());

  Built out;
  out.schemas = std::move(*expanded);
  out.index = {{"paths", json::object()}};
  const std::string info_version = defaultVersionInfo().git_version;
  for (const auto& gv : groupVersions()) {
    json paths = json::object();
    for (const auto* r : resourcesOf(gv.group, gv.version)) {
      for (auto name : {r->kind, r->list_kind}) {
        if (!out.schemas.contains(packageOf(gv) + "." + std::string(name)))
          fail(indexKey(gv), "no schema for " + packageOf(gv) + "." + std::string(name));
      }
      PathBuilder(gv, *r).addTo(paths);
    }
    std::set<std::string> roots;
    collectRefs(paths, roots);
    json schemas = json::object();
    for (const auto& name : roots) closure(out.schemas, name, schemas);

    OpenApiDocument doc;
    doc.path = indexKey(gv);
    doc.document = {{"openapi", "3.0.0"},
                    {"info", {{"title", "Kubernetes"}, {"version", info_version}}},
                    {"paths", std::move(paths)},
                    {"components", {{"schemas", std::move(schemas)}}}};
    doc.body = doc.document.dump();
    doc.hash = digest(doc.body);
    out.index["paths"][doc.path] = {
        {"serverRelativeURL", "/openapi/v3/" + doc.path + "?hash=" + doc.hash}};
    out.documents.push_back(std::move(doc));
  }
  return out;
}

const Built& built() {
  static const Built kBuilt = build();
  return kBuilt;
}

}  // namespace

const nlohmann::json& openApiV3Index() {
  return built().index;
}

std::span<const OpenApiDocument> openApiV3Documents() {
  return built().documents;
}

const OpenApiDocument* findOpenApiV3Document(std::string_view path) {
  path = path.substr(0, path.find('?'));
  constexpr std::string_view kPrefix = "/openapi/v3/";
  if (path.starts_with(kPrefix)) path.remove_prefix(kPrefix.size());
  while (path.starts_with('/')) path.remove_prefix(1);
  while (path.ends_with('/')) path.remove_suffix(1);
  for (const auto& d : built().documents)
    if (d.path == path) return &d;
  return nullptr;
}

const nlohmann::json& openApiSchemas() {
  return built().schemas;
}

}  // namespace ferry::api
