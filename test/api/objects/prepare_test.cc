#include "ferry/api/prepare.h"

#include <gtest/gtest.h>

#include "ferry/api/merge_patch.h"

namespace ferry::api {
namespace {

using nlohmann::json;

TEST(PrepareForCreate, SystemFieldsAndServiceClusterIps) {
  json svc = json::parse(R"({"metadata":{"name":"a","deletionTimestamp":"x",
      "deletionGracePeriodSeconds":30},"spec":{"clusterIP":"10.96.0.9"},
      "status":{"loadBalancer":{"ingress":[{"ip":"1.2.3.4"}]}}})");
  prepareForCreate("Service", svc);
  EXPECT_FALSE(svc["metadata"].contains("deletionTimestamp"));
  EXPECT_FALSE(svc["metadata"].contains("deletionGracePeriodSeconds"));
  EXPECT_EQ(svc["spec"]["clusterIPs"], json::parse(R"(["10.96.0.9"])"));
  EXPECT_EQ(svc["status"], json::parse(R"({"loadBalancer":{}})"));
  json both = json::parse(R"({"spec":{"clusterIP":"10.96.0.9","clusterIPs":["10.96.0.8"]}})");
  prepareForCreate("Service", both);
  EXPECT_EQ(both["spec"]["clusterIPs"], json::parse(R"(["10.96.0.8"])"));  // validation objects
}

TEST(PrepareForCreate, Namespace) {
  json ns = json::parse(R"({"metadata":{"name":"a"}})");
  prepareForCreate("Namespace", ns);
  EXPECT_EQ(ns["spec"]["finalizers"], json::parse(R"(["kubernetes"])"));
  EXPECT_EQ(ns["status"]["phase"], "Active");
  json custom = json::parse(R"({"spec":{"finalizers":["example.com/x","kubernetes"]}})");
  prepareForCreate("Namespace", custom);
  EXPECT_EQ(custom["spec"]["finalizers"], json::parse(R"(["example.com/x","kubernetes"])"));
}

TEST(PrepareForCreate, GenerationAndPodPhase) {
  json ing = json::parse(R"({"metadata":{"name":"a","generation":7}})");
  prepareForCreate("Ingress", ing);
  EXPECT_EQ(ing["metadata"]["generation"], 1);
  json pod = json::parse(R"({"metadata":{"name":"a"}})");
  prepareForCreate("Pod", pod);
  EXPECT_EQ(pod["status"]["phase"], "Pending");
  json running = json::parse(R"({"status":{"phase":"Running","podIP":"10.0.0.1"}})");
  prepareForCreate("Pod", running);
  EXPECT_EQ(running["status"]["phase"], "Running");
}

json baseOld() {
  return json::parse(R"({"metadata":{"name":"web","namespace":"d","uid":"u1",
    "resourceVersion":"9","generation":2,"creationTimestamp":"2024-01-01T00:00:00Z"},
    "spec":{"type":"NodePort","clusterIP":"10.96.0.5","clusterIPs":["10.96.0.5"],
            "ipFamilies":["IPv4"],"ipFamilyPolicy":"SingleStack","externalTrafficPolicy":"Cluster",
            "ports":[{"name":"http","port":80,"nodePort":30080},{"name":"dns","port":53,"nodePort":30053}]},
    "status":{"loadBalancer":{}}})");
}

json update(const char* patch, std::string_view kind = "Service", const json& old = baseOld()) {
  json obj = applyMergePatch(old, json::parse(patch));
  prepareForUpdate(kind, obj, old);
  return obj;
}

TEST(PrepareForUpdate, KeepsSystemMetadata) {
  json obj = update(
      R"({"metadata":{"uid":null,"generation":5,"creationTimestamp":"2030-01-01T00:00:00Z"}})");
  EXPECT_EQ(obj["metadata"]["uid"], "u1");
  EXPECT_EQ(obj["metadata"]["generation"], 2);
  EXPECT_EQ(obj["metadata"]["creationTimestamp"], "2024-01-01T00:00:00Z");
  // A new uid stays, for validation to reject.
  EXPECT_EQ(update(R"({"metadata":{"uid":"u2"}})")["metadata"]["uid"], "u2");
}

TEST(PrepareForUpdate, StatusComesFromTheStoredObject) {
  json obj = update(R"({"status":{"loadBalancer":{"ingress":[{"ip":"1.2.3.4"}]}}})");
  EXPECT_EQ(obj["status"], json::parse(R"({"loadBalancer":{}})"));
  json cm = update(R"({"status":{"x":1}})", "ConfigMap");  // no status subresource
  EXPECT_EQ(cm["status"], json::parse(R"({"loadBalancer":{},"x":1})"));
}

TEST(PrepareForUpdate, ServiceResubmittedWithoutAllocatedValues) {
  json obj = update(R"({"spec":{"clusterIP":null,"clusterIPs":null,
      "ports":[{"name":"http","port":80},{"name":"dns","port":53}]}})");
  EXPECT_EQ(obj["spec"]["clusterIP"], "10.96.0.5");
  EXPECT_EQ(obj["spec"]["clusterIPs"], json::parse(R"(["10.96.0.5"])"));
  EXPECT_EQ(obj["spec"]["ports"][0]["nodePort"], 30080);
  EXPECT_EQ(obj["spec"]["ports"][1]["nodePort"], 30053);
}

TEST(PrepareForUpdate, NodePortsAreNotReusedForAnotherPort) {
  // The user moved 30080 to the dns port; http may not get it back by name.
  json obj = update(
      R"({"spec":{"ports":[{"name":"http","port":80},{"name":"dns","port":53,"nodePort":30080}]}})");
  EXPECT_FALSE(obj["spec"]["ports"][0].contains("nodePort"));
  EXPECT_EQ(obj["spec"]["ports"][1]["nodePort"], 30080);
}

TEST(PrepareForUpdate, LeavingNodePortDropsWhatWasAllocated) {
  json obj = update(R"({"spec":{"type":"ClusterIP"}})");
  EXPECT_FALSE(obj["spec"]["ports"][0].contains("nodePort"));
  EXPECT_FALSE(obj["spec"]["ports"][1].contains("nodePort"));
  EXPECT_FALSE(obj["spec"].contains("externalTrafficPolicy"));
  EXPECT_EQ(obj["spec"]["clusterIP"], "10.96.0.5");
  // A node port the user newly asks for is kept, for validation to reject.
  json asked = update(
      R"({"spec":{"type":"ClusterIP","ports":[{"name":"http","port":80,"nodePort":31000}]}})");
  EXPECT_EQ(asked["spec"]["ports"][0]["nodePort"], 31000);
  // So is a changed externalTrafficPolicy.
  json etp = update(R"({"spec":{"type":"ClusterIP","externalTrafficPolicy":"Local"}})");
  EXPECT_EQ(etp["spec"]["externalTrafficPolicy"], "Local");
}

TEST(PrepareForUpdate, ToExternalNameDropsClusterIps) {
  json obj = update(R"({"spec":{"type":"ExternalName","externalName":"a.example.com"}})");
  EXPECT_FALSE(obj["spec"].contains("clusterIP"));
  EXPECT_FALSE(obj["spec"].contains("clusterIPs"));
  EXPECT_FALSE(obj["spec"].contains("ipFamilies"));
  EXPECT_FALSE(obj["spec"].contains("ipFamilyPolicy"));
}

TEST(PrepareForUpdate, LeavingLoadBalancer) {
  json old = applyMergePatch(baseOld(), json::parse(R"({"spec":{"type":"LoadBalancer",
      "externalTrafficPolicy":"Local","healthCheckNodePort":31999,"allocateLoadBalancerNodePorts":true,
      "loadBalancerClass":"example.com/lb"},"status":{"loadBalancer":{"ingress":[{"ip":"192.0.2.1"}]}}})"));
  json obj = update(R"({"spec":{"type":"NodePort"}})", "Service", old);
  EXPECT_FALSE(obj["spec"].contains("healthCheckNodePort"));
  EXPECT_FALSE(obj["spec"].contains("allocateLoadBalancerNodePorts"));
  EXPECT_FALSE(obj["spec"].contains("loadBalancerClass"));
  EXPECT_EQ(obj["spec"]["externalTrafficPolicy"], "Local");  // NodePort still uses it
  EXPECT_EQ(obj["status"], json::parse(R"({"loadBalancer":{}})"));
  EXPECT_EQ(obj["spec"]["ports"][0]["nodePort"], 30080);
  // Staying a Local LoadBalancer keeps the health check port when the body omits it.
  json same = update(R"({"spec":{"healthCheckNodePort":null}})", "Service", old);
  EXPECT_EQ(same["spec"]["healthCheckNodePort"], 31999);
}

TEST(PrepareForUpdate, NormalizeClusterIps) {
  // Changing the singular with the plural untouched moves the plural along (validation then
  // refuses the change of the primary IP).
  json moved = update(R"({"spec":{"clusterIP":"10.96.0.6"}})");
  EXPECT_EQ(moved["spec"]["clusterIPs"], json::parse(R"(["10.96.0.6"])"));
  // An old client that only knows the singular dropped the plural: restored.
  json dropped = update(R"({"spec":{"clusterIPs":null}})");
  EXPECT_EQ(dropped["spec"]["clusterIPs"], json::parse(R"(["10.96.0.5"])"));
}

TEST(PrepareForUpdate, NamespaceFinalizersAndGeneration) {
  json ns_old = json::parse(R"({"metadata":{"name":"a"},"spec":{"finalizers":["kubernetes"]},
      "status":{"phase":"Active"}})");
  json ns =
      update(R"({"spec":{"finalizers":[]},"status":{"phase":"Terminating"}})", "Namespace", ns_old);
  EXPECT_EQ(ns["spec"]["finalizers"], json::parse(R"(["kubernetes"])"));
  EXPECT_EQ(ns["status"]["phase"], "Active");

  json ing_old = json::parse(R"({"metadata":{"name":"a","generation":3},"spec":{"rules":[]}})");
  EXPECT_EQ(
      update(R"({"spec":{"rules":[{"host":"a"}]}})", "Ingress", ing_old)["metadata"]["generation"],
      4);
  EXPECT_EQ(
      update(R"({"metadata":{"labels":{"a":"b"}}})", "Ingress", ing_old)["metadata"]["generation"],
      3);
}

TEST(PrepareForStatusUpdate, KeepsSpecAndMetadata) {
  json old = json::parse(R"({"metadata":{"name":"a","labels":{"x":"1"},"generation":2},
      "spec":{"type":"LoadBalancer"},"status":{}})");
  json obj = applyMergePatch(old, json::parse(R"({"metadata":{"labels":{"x":"2"}},
      "spec":{"type":"ClusterIP"},"status":{"loadBalancer":{"ingress":[{"ip":"192.0.2.1"}]}}})"));
  prepareForStatusUpdate("Service", obj, old);
  EXPECT_EQ(obj["spec"]["type"], "LoadBalancer");
  EXPECT_EQ(obj["metadata"]["labels"]["x"], "1");
  EXPECT_EQ(obj["status"]["loadBalancer"]["ingress"][0]["ip"], "192.0.2.1");

  json pod_old = json::parse(R"({"metadata":{"name":"p","labels":{"x":"1"},
      "ownerReferences":[{"uid":"a"}]},"spec":{"nodeName":"n1"},"status":{"phase":"Pending"}})");
  json pod = applyMergePatch(pod_old,
                             json::parse(R"({"metadata":{"labels":{"x":"2"},"ownerReferences":null},
      "spec":{"nodeName":"n2"},"status":{"phase":"Running","podIP":"10.0.0.1"}})"));
  prepareForStatusUpdate("Pod", pod, pod_old);
  EXPECT_EQ(pod["spec"]["nodeName"], "n1");
  EXPECT_EQ(pod["metadata"]["ownerReferences"], pod_old["metadata"]["ownerReferences"]);
  EXPECT_EQ(pod["metadata"]["labels"]["x"], "2");
  EXPECT_EQ(pod["status"]["phase"], "Running");
}

TEST(Prepare, ToleratesMalformedObjects) {
  for (const char* text : {R"("x")", R"([])", R"({"spec":"x","metadata":5})",
                           R"({"spec":{"ports":"x","clusterIPs":"y","type":3}})"}) {
    json obj = json::parse(text);
    json old = json::parse(R"({"spec":{"ports":[1,{"nodePort":"x"}],"type":"NodePort"}})");
    EXPECT_NO_THROW(prepareForCreate("Service", obj)) << text;
    obj = json::parse(text);
    EXPECT_NO_THROW(prepareForUpdate("Service", obj, old)) << text;
    obj = json::parse(text);
    EXPECT_NO_THROW(prepareForStatusUpdate("Pod", obj, old)) << text;
    obj = json::parse(text);
    EXPECT_NO_THROW(prepareForCreate("Namespace", obj)) << text;
  }
}

}  // namespace
}  // namespace ferry::api
