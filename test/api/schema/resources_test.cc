#include "ferry/api/resources.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace ferry::api {
namespace {

std::vector<std::string> strings(std::span<const std::string_view> values) {
  return {values.begin(), values.end()};
}

std::vector<std::string> allVerbs() {
  return {"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"};
}

TEST(Resources, ServesTheResourcesKubectlNeeds) {
  struct Want {
    std::string group, plural, kind, singular;
    bool namespaced;
  };
  const std::vector<Want> want = {
      {"", "namespaces", "Namespace", "namespace", false},
      {"", "services", "Service", "service", true},
      {"", "endpoints", "Endpoints", "endpoints", true},
      {"", "pods", "Pod", "pod", true},
      {"", "nodes", "Node", "node", false},
      {"", "secrets", "Secret", "secret", true},
      {"", "configmaps", "ConfigMap", "configmap", true},
      {"", "events", "Event", "event", true},
      {"discovery.k8s.io", "endpointslices", "EndpointSlice", "endpointslice", true},
      {"networking.k8s.io", "ingresses", "Ingress", "ingress", true},
      {"networking.k8s.io", "ingressclasses", "IngressClass", "ingressclass", false},
  };
  EXPECT_EQ(resourceTypes().size(), want.size());
  for (const auto& w : want) {
    SCOPED_TRACE(w.plural);
    const ResourceType* r = findResource(w.group, "v1", w.plural);
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->kind, w.kind);
    EXPECT_EQ(r->list_kind, w.kind + "List");
    EXPECT_EQ(r->singular, w.singular);
    EXPECT_EQ(r->namespaced, w.namespaced);
    EXPECT_EQ(findResourceByKind(w.group, "v1", w.kind), r);
    EXPECT_EQ(findResourceByKind(w.kind), r);
  }
}

TEST(Resources, ShortNamesMatchKube) {
  const std::vector<std::pair<std::string, std::string>> want = {
      {"svc", "services"},  {"ep", "endpoints"},  {"po", "pods"},       {"no", "nodes"},
      {"ns", "namespaces"}, {"cm", "configmaps"}, {"ing", "ingresses"}, {"ev", "events"}};
  for (const auto& [short_name, plural] : want) {
    const ResourceType* r = findResourceByShortName(short_name);
    ASSERT_NE(r, nullptr) << short_name;
    EXPECT_EQ(r->plural, plural);
  }
  EXPECT_TRUE(findResource("discovery.k8s.io", "v1", "endpointslices")->short_names.empty());
  EXPECT_TRUE(findResource("", "v1", "secrets")->short_names.empty());
  EXPECT_EQ(findResourceByShortName("sv"), nullptr);
}

TEST(Resources, VerbsAndCategories) {
  for (const auto& r : resourceTypes()) {
    SCOPED_TRACE(std::string(r.plural));
    auto verbs = strings(r.verbs);
    if (r.plural == "namespaces") {
      // kube-apiserver cannot delete namespaces as a collection.
      EXPECT_EQ(verbs, (std::vector<std::string>{"create", "delete", "get", "list", "patch",
                                                 "update", "watch"}));
      EXPECT_FALSE(r.hasVerb("deletecollection"));
    } else {
      EXPECT_EQ(verbs, allVerbs());
    }
    bool in_all = r.plural == "services" || r.plural == "pods";
    EXPECT_EQ(strings(r.categories),
              in_all ? std::vector<std::string>{"all"} : std::vector<std::string>{});
  }
}

TEST(Resources, StatusSubresourcesWhereKubeHasThem) {
  std::set<std::string> with_status;
  for (const auto& r : resourceTypes()) {
    for (const auto& s : r.subresources) {
      EXPECT_EQ(s.name, "status");
      EXPECT_EQ(s.kind, r.kind);
      EXPECT_EQ(strings(s.verbs), (std::vector<std::string>{"get", "patch", "update"}));
      with_status.insert(std::string(r.plural));
    }
  }
  EXPECT_EQ(with_status,
            (std::set<std::string>{"ingresses", "namespaces", "nodes", "pods", "services"}));
  const ResourceType* svc = findResource("", "v1", "services");
  EXPECT_NE(svc->findSubresource("status"), nullptr);
  EXPECT_EQ(svc->findSubresource("proxy"), nullptr);
}

TEST(Resources, UnknownLookupsReturnNull) {
  EXPECT_EQ(findResource("", "v1", "deployments"), nullptr);
  EXPECT_EQ(findResource("", "v2", "services"), nullptr);
  EXPECT_EQ(findResource("networking.k8s.io", "v1", "services"), nullptr);
  EXPECT_EQ(findResourceByKind("", "v1", "Ingress"), nullptr);
  EXPECT_EQ(findResourceByKind("Deployment"), nullptr);
  EXPECT_EQ(findResource("", "v1", "Services"), nullptr);  // names are case-sensitive
}

TEST(Resources, AnyNameResolvesPluralSingularAndShortName) {
  for (std::string_view name : {"services", "service", "svc"})
    EXPECT_EQ(findResourceByAnyName(name), findResource("", "v1", "services")) << name;
  EXPECT_EQ(findResourceByAnyName("ingress")->group, "networking.k8s.io");
  EXPECT_EQ(findResourceByAnyName("nothing"), nullptr);
}

TEST(Resources, GroupVersionsInDiscoveryOrder) {
  auto gvs = groupVersions();
  ASSERT_EQ(gvs.size(), 3u);
  EXPECT_EQ(gvs[0].toString(), "v1");
  EXPECT_EQ(gvs[0].path(), "/api/v1");
  EXPECT_EQ(gvs[1].toString(), "networking.k8s.io/v1");
  EXPECT_EQ(gvs[1].path(), "/apis/networking.k8s.io/v1");
  EXPECT_EQ(gvs[2].toString(), "discovery.k8s.io/v1");
  EXPECT_EQ(findResource("", "v1", "pods")->apiVersion(), "v1");
  EXPECT_EQ(findResource("networking.k8s.io", "v1", "ingresses")->apiVersion(),
            "networking.k8s.io/v1");
}

TEST(Resources, ResourcesOfAGroupVersionAreSortedAndUnique) {
  for (const auto& gv : groupVersions()) {
    auto list = resourcesOf(gv.group, gv.version);
    ASSERT_FALSE(list.empty());
    for (size_t i = 1; i < list.size(); ++i)
      EXPECT_LT(list[i - 1]->plural, list[i]->plural) << gv.toString();
  }
  EXPECT_TRUE(resourcesOf("apps", "v1").empty());
}

}  // namespace
}  // namespace ferry::api
