#include "ferry/api/openapi.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "ferry/api/resources.h"

namespace ferry::api {
namespace {

using nlohmann::json;

constexpr std::string_view kRefPrefix = "#/components/schemas/";

const OpenApiDocument& doc(std::string_view path) {
  const OpenApiDocument* d = findOpenApiV3Document(path);
  if (d == nullptr) throw std::runtime_error("no document " + std::string(path));
  return *d;
}

const json& schemas(const OpenApiDocument& d) {
  return d.document["components"]["schemas"];
}

// What `kubectl explain` does to reach a field: follow $ref, a lone allOf, array items and map
// values until the schema has properties, then step into the named property.
const json& follow(const json& all, const json& schema) {
  const json* s = &schema;
  for (int guard = 0; guard < 10; ++guard) {
    if (s->contains("$ref")) {
      s = &all.at((*s)["$ref"].get<std::string>().substr(kRefPrefix.size()));
    } else if (s->contains("allOf") && (*s)["allOf"].size() == 1) {
      s = &(*s)["allOf"][0];
    } else if (s->contains("items")) {
      s = &(*s)["items"];
    } else if (s->contains("additionalProperties") && (*s)["additionalProperties"].is_object()) {
      s = &(*s)["additionalProperties"];
    } else {
      return *s;
    }
  }
  throw std::runtime_error("reference cycle");
}

const json& field(const OpenApiDocument& d, std::string_view root,
                  const std::vector<std::string>& path) {
  const json& all = schemas(d);
  const json* s = &all.at(std::string(root));
  for (const auto& p : path) {
    const json& resolved = follow(all, *s);
    if (!resolved.contains("properties") || !resolved["properties"].contains(p))
      throw std::runtime_error("no field " + p + " under " + std::string(root));
    s = &resolved["properties"][p];
  }
  return *s;
}

std::string packageOf(const ResourceType& r) {
  std::string group = r.group.empty() ? "core" : std::string(r.group.substr(0, r.group.find('.')));
  return "io.k8s.api." + group + "." + std::string(r.version);
}

std::string docPath(const ResourceType& r) {
  return r.group.empty() ? "api/" + std::string(r.version) : "apis/" + r.apiVersion();
}

void collectRefs(const json& j, std::set<std::string>& refs) {
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) {
      if (k == "$ref") {
        refs.insert(v.get<std::string>());
      } else {
        collectRefs(v, refs);
      }
    }
  } else if (j.is_array()) {
    for (const auto& v : j) collectRefs(v, refs);
  }
}

TEST(OpenApi, IndexListsEveryGroupVersionWithItsHash) {
  const json& index = openApiV3Index();
  ASSERT_EQ(index["paths"].size(), 3u);
  for (const auto& d : openApiV3Documents()) {
    SCOPED_TRACE(d.path);
    ASSERT_TRUE(index["paths"].contains(d.path));
    EXPECT_EQ(index["paths"][d.path]["serverRelativeURL"],
              "/openapi/v3/" + d.path + "?hash=" + d.hash);
    EXPECT_EQ(d.hash.size(), 32u);
    EXPECT_EQ(d.body, d.document.dump());
  }
  EXPECT_TRUE(index["paths"].contains("api/v1"));
  EXPECT_TRUE(index["paths"].contains("apis/networking.k8s.io/v1"));
  EXPECT_TRUE(index["paths"].contains("apis/discovery.k8s.io/v1"));
}

TEST(OpenApi, FindsDocumentsByKeyOrRequestPath) {
  EXPECT_EQ(findOpenApiV3Document("api/v1"), findOpenApiV3Document("/openapi/v3/api/v1?hash=X"));
  EXPECT_EQ(findOpenApiV3Document("/openapi/v3/apis/networking.k8s.io/v1")->path,
            "apis/networking.k8s.io/v1");
  EXPECT_EQ(findOpenApiV3Document("apis/apps/v1"), nullptr);
  EXPECT_EQ(findOpenApiV3Document("/openapi/v3"), nullptr);
}

TEST(OpenApi, DocumentsAreOpenApi3AndAscii) {
  for (const auto& d : openApiV3Documents()) {
    EXPECT_EQ(d.document["openapi"], "3.0.0");
    EXPECT_EQ(d.document["info"]["title"], "Kubernetes");
    for (unsigned char c : d.body) ASSERT_LT(c, 0x80) << d.path;
  }
}

TEST(OpenApi, EveryReferenceResolvesWithinItsDocument) {
  for (const auto& d : openApiV3Documents()) {
    std::set<std::string> refs;
    collectRefs(d.document, refs);
    EXPECT_FALSE(refs.empty());
    for (const auto& ref : refs) {
      ASSERT_TRUE(ref.starts_with(kRefPrefix)) << ref;
      EXPECT_TRUE(schemas(d).contains(ref.substr(kRefPrefix.size()))) << d.path << ": " << ref;
    }
  }
}

TEST(OpenApi, EverySchemaAndPropertyIsDescribed) {
  for (const auto& [name, schema] : openApiSchemas().items()) {
    EXPECT_FALSE(schema.value("description", "").empty()) << name;
    const json properties = schema.value("properties", json::object());
    for (const auto& [prop, p] : properties.items())
      EXPECT_FALSE(p.value("description", "").empty()) << name << "." << prop;
  }
}

TEST(OpenApi, KindsCarryTheirGroupVersionKind) {
  for (const auto& r : resourceTypes()) {
    SCOPED_TRACE(std::string(r.plural));
    const auto& d = doc(docPath(r));
    for (auto kind : {r.kind, r.list_kind}) {
      std::string name = packageOf(r) + "." + std::string(kind);
      ASSERT_TRUE(schemas(d).contains(name)) << name;
      EXPECT_EQ(schemas(d)[name]["x-kubernetes-group-version-kind"],
                json::array({{{"group", r.group}, {"kind", kind}, {"version", r.version}}}));
    }
    const json& kind = schemas(d)[packageOf(r) + "." + std::string(r.kind)];
    for (const char* p : {"apiVersion", "kind", "metadata"})
      EXPECT_TRUE(kind["properties"].contains(p)) << p;
    EXPECT_EQ(field(d, packageOf(r) + "." + std::string(r.kind), {"metadata", "name"})["type"],
              "string");
    EXPECT_EQ(schemas(d)[packageOf(r) + "." + std::string(r.list_kind)]["required"],
              json::array({"items"}));
  }
}

// kubectl explain finds the GVK of a resource on an operation under one of these paths.
TEST(OpenApi, ExplainFindsEachResourceThroughItsPaths) {
  for (const auto& r : resourceTypes()) {
    SCOPED_TRACE(std::string(r.plural));
    const auto& d = doc(docPath(r));
    std::string prefix =
        r.group.empty() ? "/api/" + std::string(r.version) : "/apis/" + r.apiVersion();
    std::string path =
        prefix + (r.namespaced ? "/namespaces/{namespace}/" : "/") + std::string(r.plural);
    ASSERT_TRUE(d.document["paths"].contains(path)) << path;
    json gvk = {{"group", r.group}, {"kind", r.kind}, {"version", r.version}};
    EXPECT_EQ(d.document["paths"][path]["get"]["x-kubernetes-group-version-kind"], gvk);
    EXPECT_EQ(d.document["paths"][path]["get"]["x-kubernetes-action"], "list");
    EXPECT_EQ(d.document["paths"][path + "/{name}"]["get"]["x-kubernetes-action"], "get");
    EXPECT_EQ(d.document["paths"][path].contains("delete"), r.hasVerb("deletecollection"));
    for (const auto& s : r.subresources) {
      EXPECT_TRUE(d.document["paths"].contains(path + "/{name}/" + std::string(s.name)));
    }
    if (r.namespaced) {
      EXPECT_TRUE(d.document["paths"].contains(prefix + "/" + std::string(r.plural)));
    }
  }
}

// kubectl apply --validate=strict skips client-side validation (which would need protobuf
// /openapi/v2) only when every PATCH operation of the kind declares fieldValidation.
TEST(OpenApi, EveryPatchOperationDeclaresFieldValidation) {
  size_t patches = 0;
  for (const auto& d : openApiV3Documents()) {
    for (const auto& [path, item] : d.document["paths"].items()) {
      for (const auto& [method, op] : item.items()) {
        if (method == "parameters") continue;
        SCOPED_TRACE(path);
        SCOPED_TRACE(method);
        EXPECT_TRUE(op["x-kubernetes-group-version-kind"].is_object());
        EXPECT_FALSE(op.value("operationId", "").empty());
        EXPECT_TRUE(op["responses"].contains("200"));
        if (method != "patch") continue;
        ++patches;
        bool found = false;
        for (const auto& p : op["parameters"])
          if (p["name"] == "fieldValidation" && p["in"] == "query") found = true;
        EXPECT_TRUE(found);
        EXPECT_TRUE(
            op["requestBody"]["content"].contains("application/strategic-merge-patch+json"));
        EXPECT_TRUE(op["requestBody"]["content"].contains("application/apply-patch+yaml"));
      }
    }
  }
  EXPECT_EQ(patches, resourceTypes().size() + 5);  // one per resource, one per status
}

TEST(OpenApi, OperationIdsFollowKubeNaming) {
  const auto& core = doc("api/v1");
  EXPECT_EQ(core.document["paths"]["/api/v1/namespaces/{namespace}/services/{name}"]["patch"]
                         ["operationId"],
            "patchCoreV1NamespacedService");
  EXPECT_EQ(
      core.document["paths"]["/api/v1/namespaces/{namespace}/services"]["delete"]["operationId"],
      "deleteCoreV1CollectionNamespacedService");
  EXPECT_EQ(core.document["paths"]["/api/v1/services"]["get"]["operationId"],
            "listCoreV1ServiceForAllNamespaces");
  EXPECT_EQ(core.document["paths"]["/api/v1/nodes/{name}/status"]["get"]["operationId"],
            "readCoreV1NodeStatus");
  const auto& net = doc("apis/networking.k8s.io/v1");
  EXPECT_EQ(
      net.document["paths"]["/apis/networking.k8s.io/v1/ingressclasses"]["post"]["operationId"],
      "createNetworkingV1IngressClass");
}

TEST(OpenApi, ServiceSchemaDetailsKubectlRelieson) {
  const auto& d = doc("api/v1");
  const std::string svc = "io.k8s.api.core.v1.Service";

  const json& ports = field(d, svc, {"spec", "ports"});
  EXPECT_EQ(ports["type"], "array");
  EXPECT_EQ(ports["x-kubernetes-patch-merge-key"], "port");
  EXPECT_EQ(ports["x-kubernetes-patch-strategy"], "merge");
  EXPECT_EQ(ports["x-kubernetes-list-type"], "map");
  EXPECT_EQ(ports["x-kubernetes-list-map-keys"], json::array({"port", "protocol"}));

  const json& port = follow(schemas(d), ports);
  EXPECT_EQ(port["required"], json::array({"port"}));

  const json& target = field(d, svc, {"spec", "ports", "targetPort"});
  const json& int_or_string = follow(schemas(d), target);
  EXPECT_EQ(int_or_string["x-kubernetes-int-or-string"], true);
  EXPECT_FALSE(target.value("description", "").empty());

  EXPECT_EQ(field(d, svc, {"spec", "type"})["enum"],
            json::array({"ClusterIP", "ExternalName", "LoadBalancer", "NodePort"}));
  EXPECT_EQ(field(d, svc, {"spec", "selector"})["additionalProperties"]["type"], "string");
  EXPECT_EQ(field(d, svc, {"spec", "selector"})["x-kubernetes-map-type"], "atomic");
  EXPECT_EQ(field(d, svc, {"spec", "ports", "port"})["format"], "int32");
  EXPECT_EQ(field(d, svc, {"status", "loadBalancer", "ingress", "ip"})["type"], "string");
  EXPECT_EQ(field(d, svc, {"status", "conditions"})["x-kubernetes-patch-merge-key"], "type");
  EXPECT_EQ(field(d, svc, {"metadata", "finalizers"})["x-kubernetes-patch-strategy"], "merge");
  EXPECT_EQ(field(d, svc, {"metadata", "ownerReferences"})["x-kubernetes-patch-merge-key"], "uid");
  EXPECT_EQ(field(d, svc, {"metadata", "creationTimestamp"})["allOf"][0]["$ref"],
            "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Time");
}

TEST(OpenApi, PodAndIngressSchemas) {
  const auto& core = doc("api/v1");
  const std::string pod = "io.k8s.api.core.v1.Pod";
  EXPECT_EQ(follow(schemas(core), field(core, pod, {"spec"}))["required"],
            json::array({"containers"}));
  const json& containers = field(core, pod, {"spec", "containers"});
  EXPECT_EQ(containers["x-kubernetes-patch-merge-key"], "name");
  EXPECT_EQ(field(core, pod, {"spec", "volumes"})["x-kubernetes-patch-strategy"],
            "merge,retainKeys");
  EXPECT_EQ(field(core, pod, {"spec", "containers", "env"})["x-kubernetes-patch-merge-key"],
            "name");
  EXPECT_EQ(field(core, pod, {"spec", "containers", "ports"})["x-kubernetes-list-map-keys"],
            json::array({"containerPort", "protocol"}));
  EXPECT_EQ(
      field(core, pod, {"spec", "containers", "volumeMounts"})["x-kubernetes-patch-merge-key"],
      "mountPath");
  const json& probe_port =
      field(core, pod, {"spec", "containers", "readinessProbe", "httpGet", "port"});
  EXPECT_EQ(follow(schemas(core), probe_port)["x-kubernetes-int-or-string"], true);
  EXPECT_NO_THROW(field(core, pod, {"spec", "containers", "resources", "limits"}));
  EXPECT_NO_THROW(
      field(core, pod,
            {"spec", "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution",
             "nodeSelectorTerms", "matchExpressions", "operator"}));
  EXPECT_NO_THROW(
      field(core, pod, {"status", "containerStatuses", "lastState", "terminated", "finishedAt"}));

  const auto& net = doc("apis/networking.k8s.io/v1");
  const std::string ing = "io.k8s.api.networking.v1.Ingress";
  EXPECT_EQ(field(net, ing, {"spec", "rules"})["x-kubernetes-list-type"], "atomic");
  const json& path = follow(schemas(net), field(net, ing, {"spec", "rules", "http", "paths"}));
  // Required names come out in property-name order.
  EXPECT_EQ(path["required"], json::array({"backend", "pathType"}));
  EXPECT_EQ(field(net, ing, {"spec", "rules", "http", "paths", "pathType"})["enum"],
            json::array({"Exact", "ImplementationSpecific", "Prefix"}));
  // The networking document carries the core types it references.
  EXPECT_EQ(field(net, ing, {"spec", "defaultBackend", "resource", "kind"})["type"], "string");
  EXPECT_TRUE(schemas(net).contains("io.k8s.api.core.v1.TypedLocalObjectReference"));
  EXPECT_FALSE(schemas(net).contains("io.k8s.api.core.v1.Pod"));

  const auto& disc = doc("apis/discovery.k8s.io/v1");
  const std::string slice = "io.k8s.api.discovery.v1.EndpointSlice";
  EXPECT_EQ(schemas(disc)[slice]["required"], json::array({"addressType", "endpoints"}));
  EXPECT_EQ(field(disc, slice, {"endpoints", "conditions", "serving"})["type"], "boolean");
  EXPECT_EQ(field(disc, slice, {"endpoints", "targetRef", "name"})["type"], "string");
}

TEST(OpenApi, DocumentsAreStable) {
  // Built once: repeated calls return the same objects and the same hashes.
  EXPECT_EQ(&openApiV3Index(), &openApiV3Index());
  EXPECT_EQ(openApiV3Documents().data(), openApiV3Documents().data());
  auto first = doc("api/v1").hash;
  EXPECT_EQ(doc("api/v1").hash, first);
  EXPECT_NE(doc("api/v1").hash, doc("apis/discovery.k8s.io/v1").hash);
}

}  // namespace
}  // namespace ferry::api
