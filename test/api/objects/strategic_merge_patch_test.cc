#include "ferry/api/strategic_merge_patch.h"

#include <gtest/gtest.h>

namespace ferry::api {
namespace {

using nlohmann::json;

json smp(const char* original, const char* patch, std::string_view kind) {
  auto got = applyStrategicMergePatch(json::parse(original), json::parse(patch), kind);
  EXPECT_TRUE(got) << got.error();
  return got ? *got : json();
}

std::string smpError(const char* original, const char* patch, std::string_view kind) {
  auto got = applyStrategicMergePatch(json::parse(original), json::parse(patch), kind);
  EXPECT_FALSE(got) << (got ? got->dump() : "");
  return got ? "" : got.error();
}

constexpr const char* kService = R"({
  "metadata": {"name": "web", "labels": {"app": "web", "tier": "fe"}},
  "spec": {
    "type": "ClusterIP", "clusterIP": "10.96.0.20", "selector": {"app": "web"},
    "ports": [
      {"name": "http", "port": 80, "protocol": "TCP", "targetPort": 8080},
      {"name": "https", "port": 443, "protocol": "TCP", "targetPort": 8443}
    ],
    "externalIPs": ["192.0.2.1", "192.0.2.2"]
  }
})";

TEST(StrategicMergePatch, MapsMergeAndNullDeletes) {
  json got = smp(kService, R"({"metadata":{"labels":{"tier":null,"team":"a"}},
      "spec":{"clusterIP":"10.96.0.21"}})",
                 "Service");
  EXPECT_EQ(got["metadata"]["labels"], json::parse(R"({"app":"web","team":"a"})"));
  EXPECT_EQ(got["spec"]["clusterIP"], "10.96.0.21");
  EXPECT_EQ(got["spec"]["ports"].size(), 2U);
}

TEST(StrategicMergePatch, ServicePortsMergeByPort) {
  // kubectl patch svc web -p '{"spec":{"ports":[{"port":80,"targetPort":9090}]}}'
  json got = smp(kService, R"({"spec":{"ports":[{"port":80,"targetPort":9090}]}})", "Service");
  EXPECT_EQ(got["spec"]["ports"], json::parse(R"([
      {"name":"http","port":80,"protocol":"TCP","targetPort":9090},
      {"name":"https","port":443,"protocol":"TCP","targetPort":8443}])"));
}

TEST(StrategicMergePatch, ElementsNewToTheLiveListLead) {
  // Without $setElementOrder the patch's elements keep the patch's order, and a live element
  // goes in front of a patch element only when the live list orders the two that way
  // (mergeSortedSlice); 8443 is unknown to the live list, so it leads.
  json got =
      smp(kService, R"({"spec":{"ports":[{"port":8443,"name":"alt"},{"port":443,"name":"tls"}]}})",
          "Service");
  std::vector<int> order;
  for (const auto& p : got["spec"]["ports"]) order.push_back(p["port"]);
  EXPECT_EQ(order, (std::vector<int>{8443, 80, 443}));
  EXPECT_EQ(got["spec"]["ports"][2]["name"], "tls");
}

TEST(StrategicMergePatch, AtomicListsAreReplaced) {
  json got = smp(kService, R"({"spec":{"externalIPs":["192.0.2.9"]}})", "Service");
  EXPECT_EQ(got["spec"]["externalIPs"], json::parse(R"(["192.0.2.9"])"));
}

TEST(StrategicMergePatch, UnknownKindsReplaceListsLikeAMergePatch) {
  json got = smp(kService, R"({"spec":{"ports":[{"port":80,"targetPort":9090}]}})", "Widget");
  EXPECT_EQ(got["spec"]["ports"], json::parse(R"([{"port":80,"targetPort":9090}])"));
}

TEST(StrategicMergePatch, DeleteDirectiveInAList) {
  json got = smp(kService, R"({"spec":{"ports":[{"$patch":"delete","port":443}]}})", "Service");
  ASSERT_EQ(got["spec"]["ports"].size(), 1U);
  EXPECT_EQ(got["spec"]["ports"][0]["port"], 80);
}

TEST(StrategicMergePatch, ReplaceDirectiveInAList) {
  json got = smp(kService,
                 R"({"spec":{"ports":[{"$patch":"replace"},{"port":81,"name":"x","foo":null}]}})",
                 "Service");
  EXPECT_EQ(got["spec"]["ports"], json::parse(R"([{"name":"x","port":81}])"));
}

TEST(StrategicMergePatch, MapDirectives) {
  // replace: the patch map (minus the directive) replaces the live map.
  json got = smp(kService, R"({"spec":{"selector":{"$patch":"replace","app":"api"}}})", "Service");
  EXPECT_EQ(got["spec"]["selector"], json::parse(R"({"app":"api"})"));
  got = smp(kService, R"({"metadata":{"labels":{"$patch":"replace"}}})", "Service");
  EXPECT_EQ(got["metadata"]["labels"], json::object());
  // delete: the map becomes empty.
  got = smp(kService, R"({"spec":{"selector":{"$patch":"delete"}}})", "Service");
  EXPECT_EQ(got["spec"]["selector"], json::object());
  // merge: the default, spelled out.
  got = smp(kService, R"({"spec":{"selector":{"$patch":"merge","v":"2"}}})", "Service");
  EXPECT_EQ(got["spec"]["selector"], json::parse(R"({"app":"web","v":"2"})"));
}

TEST(StrategicMergePatch, DirectiveErrors) {
  EXPECT_EQ(smpError(kService, R"({"spec":{"selector":{"$patch":"frob"}}})", "Service"),
            "unknown patch type: frob in map: {\"$patch\":\"frob\"}");
  EXPECT_EQ(smpError(kService, R"({"spec":{"ports":[{"$patch":"merge","port":80}]}})", "Service"),
            "merging lists cannot yet be specified in the patch");
  EXPECT_EQ(smpError(kService, R"({"spec":{"ports":[{"$patch":"frob","port":80}]}})", "Service"),
            "unknown patch type: frob in map: {\"$patch\":\"frob\",\"port\":80}");
  EXPECT_EQ(
      smpError(kService, R"({"spec":{"ports":[{"$patch":"delete","name":"http"}]}})", "Service"),
      "map: {\"$patch\":\"delete\",\"name\":\"http\"} does not contain declared merge key: "
      "port");
  EXPECT_EQ(smpError(kService, R"({"spec":{"ports":[{"targetPort":1}]}})", "Service"),
            "map: {\"targetPort\":1} does not contain declared merge key: port");
  EXPECT_EQ(smpError(kService, R"({"spec":{"ports":[[1]]}})", "Service"),
            "lists of lists are not supported");
  EXPECT_EQ(smpError(kService, R"({"spec":{"ports":[{"port":1},"x"]}})", "Service"),
            "list spec.ports mixes maps and scalars: \"x\"");
  EXPECT_EQ(smpError(kService, R"([1])", "Service"),
            "a strategic merge patch must be a JSON object");
}

TEST(StrategicMergePatch, SetElementOrderInterleavesServerOnlyElements) {
  // Live [80, 443, 8080]; the patch orders [8080, 80]. 443 is server-only: it goes in front of
  // the first ordered element it precedes in the live list (8080).
  const char* live = R"({"spec":{"ports":[{"port":80},{"port":443},{"port":8080}]}})";
  json got =
      smp(live, R"({"spec":{"$setElementOrder/ports":[{"port":8080},{"port":80}]}})", "Service");
  std::vector<int> order;
  for (const auto& p : got["spec"]["ports"]) order.push_back(p["port"]);
  EXPECT_EQ(order, (std::vector<int>{443, 8080, 80}));
  // With 443 last in the live list it stays last.
  got = smp(R"({"spec":{"ports":[{"port":80},{"port":8080},{"port":443}]}})",
            R"({"spec":{"$setElementOrder/ports":[{"port":8080},{"port":80}]}})", "Service");
  order.clear();
  for (const auto& p : got["spec"]["ports"]) order.push_back(p["port"]);
  EXPECT_EQ(order, (std::vector<int>{8080, 80, 443}));
  EXPECT_FALSE(got["spec"].contains("$setElementOrder/ports"));
}

TEST(StrategicMergePatch, SetElementOrderMustCoverThePatchList) {
  EXPECT_NE(smpError(kService, R"({"spec":{"$setElementOrder/ports":[{"port":80}],
      "ports":[{"port":9000}]}})",
                     "Service")
                .find("doesn't match $setElementOrder/ list"),
            std::string::npos);
  EXPECT_EQ(smpError(kService, R"({"spec":{"$setElementOrder/ports":{"port":80}}})", "Service"),
            "invalid patch format of setElementOrder list");
}

TEST(StrategicMergePatch, SetElementOrderForANewList) {
  json got =
      smp(R"({"spec":{}})", R"({"spec":{"$setElementOrder/ports":[{"port":2},{"port":3},{"port":1}],
      "ports":[{"port":2,"name":null},{"port":1}]}})",
          "Service");
  EXPECT_EQ(got["spec"]["ports"], json::parse(R"([{"port":2},{"port":1}])"));
  // The patch list must follow the stated order (validatePatchWithSetOrderList).
  EXPECT_NE(smpError(R"({"spec":{}})", R"({"spec":{"$setElementOrder/ports":[{"port":2},{"port":1}],
      "ports":[{"port":1},{"port":2}]}})",
                     "Service"),
            "");
}

TEST(StrategicMergePatch, FinalizersMergeAsASet) {
  const char* obj = R"({"metadata":{"finalizers":["a.io/x","b.io/y"]}})";
  json got = smp(obj, R"({"metadata":{"finalizers":["b.io/y","c.io/z"]}})", "ConfigMap");
  EXPECT_EQ(got["metadata"]["finalizers"], json::parse(R"(["a.io/x","b.io/y","c.io/z"])"));
  got = smp(obj, R"({"metadata":{"$deleteFromPrimitiveList/finalizers":["a.io/x","q"]}})",
            "ConfigMap");
  EXPECT_EQ(got["metadata"]["finalizers"], json::parse(R"(["b.io/y"])"));
  // A deletion list for an absent list changes nothing; null deletes the list (kube's quirk).
  got = smp(R"({"metadata":{}})", R"({"metadata":{"$deleteFromPrimitiveList/finalizers":["a"]}})",
            "Pod");
  EXPECT_EQ(got["metadata"], json::object());
  got = smp(obj, R"({"metadata":{"$deleteFromPrimitiveList/finalizers":null}})", "Pod");
  EXPECT_FALSE(got["metadata"].contains("finalizers"));
  EXPECT_EQ(
      smpError(obj, R"({"metadata":{"$deleteFromPrimitiveList/finalizers":[{"a":1}]}})", "Pod"),
      "invalid patch format of primitive list");
}

TEST(StrategicMergePatch, OwnerReferencesMergeByUid) {
  const char* obj = R"({"metadata":{"ownerReferences":[
      {"apiVersion":"v1","kind":"Service","name":"a","uid":"u1"},
      {"apiVersion":"v1","kind":"Service","name":"b","uid":"u2"}]}})";
  json got = smp(obj, R"({"metadata":{"ownerReferences":[{"uid":"u2","controller":true},
      {"$patch":"delete","uid":"u1"}]}})",
                 "EndpointSlice");
  EXPECT_EQ(got["metadata"]["ownerReferences"], json::parse(R"([
      {"apiVersion":"v1","controller":true,"kind":"Service","name":"b","uid":"u2"}])"));
}

TEST(StrategicMergePatch, RetainKeys) {
  const char* obj =
      R"({"spec":{"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":1}}}})";
  json got =
      smp(obj, R"({"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"}}})", "Deployment");
  EXPECT_EQ(got["spec"]["strategy"], json::parse(R"({"type":"Recreate"})"));
  EXPECT_EQ(
      smpError(obj, R"({"spec":{"strategy":{"$retainKeys":["type"],"other":1}}})", "Deployment"),
      "invalid patch format of retainKeys");
  EXPECT_EQ(smpError(obj, R"({"spec":{"strategy":{"$retainKeys":"type"}}})", "Deployment"),
            "invalid patch format of retainKeys");
}

TEST(StrategicMergePatch, PodContainersPortsAndEnvMergeByTheirKeys) {
  const char* pod = R"({"spec":{"containers":[
      {"name":"app","image":"nginx:1.25","ports":[{"containerPort":80,"protocol":"TCP"}],
       "env":[{"name":"A","value":"1"},{"name":"B","value":"2"}]},
      {"name":"sidecar","image":"envoy"}]}})";
  json got = smp(pod, R"({"spec":{"containers":[{"name":"app","image":"nginx:1.27",
      "ports":[{"containerPort":443}],"env":[{"name":"B","value":"3"}]}]}})",
                 "Pod");
  const json& app = got["spec"]["containers"][0];
  EXPECT_EQ(app["image"], "nginx:1.27");
  EXPECT_EQ(app["ports"],
            json::parse(R"([{"containerPort":443},{"containerPort":80,"protocol":"TCP"}])"));
  EXPECT_EQ(app["env"], json::parse(R"([{"name":"A","value":"1"},{"name":"B","value":"3"}])"));
  EXPECT_EQ(got["spec"]["containers"][1]["name"], "sidecar");
}

TEST(StrategicMergePatch, WorkloadPodTemplatesMergeContainersByName) {
  // kubectl set image / patch of a Deployment's template.
  const char* deploy = R"({"spec":{"template":{"spec":{"containers":[
      {"name":"app","image":"a:1"},{"name":"log","image":"b:1"}]}}}})";
  json got =
      smp(deploy, R"({"spec":{"template":{"spec":{"containers":[{"name":"log","image":"b:2"}]}}}})",
          "Deployment");
  EXPECT_EQ(got["spec"]["template"]["spec"]["containers"],
            json::parse(R"([{"name":"app","image":"a:1"},{"name":"log","image":"b:2"}])"));
}

TEST(StrategicMergePatch, ConditionsMergeByType) {
  const char* pod = R"({"status":{"conditions":[{"type":"Ready","status":"False"},
      {"type":"PodScheduled","status":"True"}]}})";
  json got = smp(pod, R"({"status":{"conditions":[{"type":"Ready","status":"True"}]}})", "Pod");
  EXPECT_EQ(got["status"]["conditions"], json::parse(R"([{"type":"Ready","status":"True"},
      {"type":"PodScheduled","status":"True"}])"));
}

TEST(StrategicMergePatch, EndpointsSubsetsAndSliceEndpointsAreAtomic) {
  json got =
      smp(R"({"subsets":[{"addresses":[{"ip":"10.0.0.1"}]},{"addresses":[{"ip":"10.0.0.2"}]}]})",
          R"({"subsets":[{"addresses":[{"ip":"10.0.0.3"}]}]})", "Endpoints");
  EXPECT_EQ(got["subsets"], json::parse(R"([{"addresses":[{"ip":"10.0.0.3"}]}])"));
  got = smp(R"({"endpoints":[{"addresses":["10.0.0.1"]},{"addresses":["10.0.0.2"]}]})",
            R"({"endpoints":[{"addresses":["10.0.0.9"]}]})", "EndpointSlice");
  EXPECT_EQ(got["endpoints"], json::parse(R"([{"addresses":["10.0.0.9"]}])"));
}

TEST(StrategicMergePatch, IngressRulesPathsAndTlsAreAtomic) {
  const char* ing = R"({"spec":{"rules":[{"host":"a.example.com","http":{"paths":[
      {"path":"/","pathType":"Prefix","backend":{"service":{"name":"a","port":{"number":80}}}}]}}],
      "tls":[{"hosts":["a.example.com"],"secretName":"a"}]}})";
  json got = smp(ing, R"({"spec":{"rules":[{"host":"b.example.com"}],"tls":[]}})", "Ingress");
  EXPECT_EQ(got["spec"]["rules"], json::parse(R"([{"host":"b.example.com"}])"));
  EXPECT_EQ(got["spec"]["tls"], json::array());
}

TEST(StrategicMergePatch, NodeAddressesMergeByTypeAndPodCidrsAsASet) {
  const char* node = R"({"spec":{"podCIDRs":["10.244.1.0/24"]},"status":{"addresses":[
      {"type":"InternalIP","address":"192.0.2.10"},{"type":"Hostname","address":"n1"}]}})";
  json got = smp(node, R"({"spec":{"podCIDRs":["fd00:1::/64"]},
      "status":{"addresses":[{"type":"InternalIP","address":"192.0.2.11"}]}})",
                 "Node");
  EXPECT_EQ(got["spec"]["podCIDRs"], json::parse(R"(["fd00:1::/64","10.244.1.0/24"])"));
  EXPECT_EQ(got["status"]["addresses"][0]["address"], "192.0.2.11");
  EXPECT_EQ(got["status"]["addresses"].size(), 2U);
}

TEST(StrategicMergePatch, NewValuesLoseNullsAndDirectives) {
  json got = smp(R"({"spec":{}})", R"({"spec":{"selector":{"a":"1","b":null},
      "template":{"$patch":"replace","x":1},
      "ports":[{"port":1,"name":null},{"$patch":"delete","port":2}]}})",
                 "Service");
  EXPECT_EQ(got["spec"], json::parse(R"({"selector":{"a":"1"},"template":{"x":1},
      "ports":[{"port":1}]})"));
}

TEST(StrategicMergePatch, TypeChangesTakeThePatchValue) {
  json got = smp(R"({"a":"x","b":[1],"c":{"d":1}})",
                 R"({"a":{"k":null,"v":1},"b":{"z":1},"c":[2]})", "Widget");
  EXPECT_EQ(got, json::parse(R"({"a":{"v":1},"b":{"z":1},"c":[2]})"));
}

TEST(StrategicMergePatch, UnknownDollarKeysAreDropped) {
  json got = smp(R"({"a":1})", R"({"$foo":1,"b":2})", "Widget");
  EXPECT_EQ(got, json::parse(R"({"a":1,"b":2})"));
}

TEST(StrategicMergePatch, TopLevelDelete) {
  EXPECT_EQ(smp(kService, R"({"$patch":"delete"})", "Service"), json::object());
}

TEST(StrategicMergePatch, NonObjectOriginalIsTreatedAsEmpty) {
  auto got = applyStrategicMergePatch(json(), json::parse(R"({"a":1})"), "Service");
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, json::parse(R"({"a":1})"));
}

TEST(StrategicMergePatch, DeepNestingFailsCleanly) {
  json patch = json::object();
  json* cur = &patch;
  for (int i = 0; i < 400; ++i) {
    (*cur)["a"] = json::object();
    cur = &(*cur)["a"];
  }
  auto got = applyStrategicMergePatch(json::object(), patch, "Widget");
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error(), "patch nests too deeply");
}

TEST(StrategicMergePatch, ScalarListWithSetElementOrderAndDeletions) {
  // What kubectl apply sends when the applied finalizers go from [a, b] to [a, c] while the
  // live object also carries x (added by a controller): x survives, b goes, c is added after a.
  json got = smp(R"({"metadata":{"finalizers":["a","b","x"]}})",
                 R"({"metadata":{"$deleteFromPrimitiveList/finalizers":["b"],
                     "$setElementOrder/finalizers":["a","c"],"finalizers":["c"]}})",
                 "ConfigMap");
  EXPECT_EQ(got["metadata"]["finalizers"], json::parse(R"(["a","c","x"])"));
}

}  // namespace
}  // namespace ferry::api
