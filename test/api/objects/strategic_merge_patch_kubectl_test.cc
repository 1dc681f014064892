// The strategic merge patches `kubectl apply` (client-side, three-way: last-applied →
// file, live → file) and `kubectl patch` send, byte for byte, applied to the live objects
// ferry would hold. Each patch body is what kubectl 1.32's CreateThreeWayMergePatch produces:
// deletions from the last-applied configuration plus changes from live to the file, map keys
// sorted as Go's json.Marshal sorts them, "$setElementOrder/<list>" whenever a merge list's
// content or order changes, and the new last-applied-configuration annotation (the file as
// JSON, its own annotation left out, then "\n").
#include <gtest/gtest.h>

#include "ferry/api/defaulting.h"
#include "ferry/api/prepare.h"
#include "ferry/api/strategic_merge_patch.h"
#include "ferry/api/validation.h"

namespace ferry::api {
namespace {

using nlohmann::json;

constexpr const char* kLastApplied = "kubectl.kubernetes.io/last-applied-configuration";

// The annotation value kubectl writes: json.Marshal of the applied file (keys sorted, compact)
// plus a newline.
std::string lastApplied(const json& file) {
  return file.dump() + "\n";
}

// What kube-apiserver stores for `kubectl apply -f` of a new Service: the file with the
// annotation, defaulted, prepared and allocated.
json createdService(const json& file) {
  json obj = file;
  obj["metadata"]["annotations"][kLastApplied] = lastApplied(file);
  applyDefaults("Service", obj);
  prepareForCreate("Service", obj);
  obj["metadata"]["uid"] = "5d0d7a3e-1f7c-4a39-9f7e-2b8f7c6a1d10";
  obj["metadata"]["resourceVersion"] = "1001";
  obj["metadata"]["creationTimestamp"] = "2025-01-10T09:00:00Z";
  obj["spec"]["clusterIP"] = "10.96.0.50";
  obj["spec"]["clusterIPs"] = {"10.96.0.50"};
  obj["spec"]["ipFamilies"] = {"IPv4"};
  return obj;
}

// The server side of PATCH: patch, default, prepare, validate.
json patched(const json& live, const std::string& body, std::string_view kind) {
  auto got = applyStrategicMergePatch(live, json::parse(body), kind);
  EXPECT_TRUE(got) << got.error();
  if (!got) return {};
  json obj = *got;
  applyDefaults(kind, obj);
  prepareForUpdate(kind, obj, live);
  FieldErrors errs = validate(kind, obj, &live);
  for (const auto& e : errs) ADD_FAILURE() << e.field << ": " << e.message;
  return obj;
}

json v1File() {
  return json::parse(R"({"apiVersion":"v1","kind":"Service","metadata":{"annotations":{},
      "labels":{"app":"web","tier":"frontend"},"name":"web","namespace":"default"},
      "spec":{"ports":[{"name":"http","port":80,"targetPort":8080},
                       {"name":"https","port":443,"targetPort":8443}],
              "selector":{"app":"web"}}})");
}

TEST(KubectlApply, LastAppliedAnnotationIsGoJsonMarshalOfTheFile) {
  // kubectl sets annotations to {} before marshalling when the file had none.
  EXPECT_EQ(
      lastApplied(v1File()),
      "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"annotations\":{},"
      "\"labels\":{\"app\":\"web\",\"tier\":\"frontend\"},\"name\":\"web\",\"namespace\":"
      "\"default\"},\"spec\":{\"ports\":[{\"name\":\"http\",\"port\":80,\"targetPort\":8080},"
      "{\"name\":\"https\",\"port\":443,\"targetPort\":8443}],\"selector\":{\"app\":\"web\"}}}"
      "\n");
}

// Re-apply with the https port removed, label tier changed, annotation team added.
TEST(KubectlApply, ServicePortRemovedLabelChangedAnnotationAdded) {
  json live = createdService(v1File());
  json v2 = json::parse(R"({"apiVersion":"v1","kind":"Service","metadata":{
      "annotations":{"team":"payments"},"labels":{"app":"web","tier":"web"},"name":"web",
      "namespace":"default"},"spec":{"ports":[{"name":"http","port":80,"targetPort":8080}],
      "selector":{"app":"web"}}})");
  const std::string v2_applied =
      "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"annotations\":{\"team\":"
      "\"payments\"},\"labels\":{\"app\":\"web\",\"tier\":\"web\"},\"name\":\"web\","
      "\"namespace\":\"default\"},\"spec\":{\"ports\":[{\"name\":\"http\",\"port\":80,"
      "\"targetPort\":8080}],\"selector\":{\"app\":\"web\"}}}\n";
  ASSERT_EQ(lastApplied(v2), v2_applied);
  // Deletions (last-applied → file): port 443. Changes (live → file): the annotations and the
  // label. The ports list changed length, so its order is stated.
  json body = {{"metadata",
                {{"annotations", {{kLastApplied, v2_applied}, {"team", "payments"}}},
                 {"labels", {{"tier", "web"}}}}},
               {"spec",
                {{"$setElementOrder/ports", json::array({{{"port", 80}}})},
                 {"ports", json::array({{{"$patch", "delete"}, {"port", 443}}})}}}};
  EXPECT_EQ(body.dump(),
            "{\"metadata\":{\"annotations\":{\"kubectl.kubernetes.io/last-applied-configuration\":"
            "\"{\\\"apiVersion\\\":\\\"v1\\\",\\\"kind\\\":\\\"Service\\\",\\\"metadata\\\":{"
            "\\\"annotations\\\":{\\\"team\\\":\\\"payments\\\"},\\\"labels\\\":{\\\"app\\\":"
            "\\\"web\\\",\\\"tier\\\":\\\"web\\\"},\\\"name\\\":\\\"web\\\",\\\"namespace\\\":"
            "\\\"default\\\"},\\\"spec\\\":{\\\"ports\\\":[{\\\"name\\\":\\\"http\\\",\\\"port\\\":"
            "80,\\\"targetPort\\\":8080}],\\\"selector\\\":{\\\"app\\\":\\\"web\\\"}}}\\n\","
            "\"team\":\"payments\"},\"labels\":{\"tier\":\"web\"}},\"spec\":{"
            "\"$setElementOrder/ports\":[{\"port\":80}],\"ports\":[{\"$patch\":\"delete\","
            "\"port\":443}]}}");

  json got = patched(live, body.dump(), "Service");
  EXPECT_EQ(got["metadata"]["labels"], json::parse(R"({"app":"web","tier":"web"})"));
  EXPECT_EQ(got["metadata"]["annotations"]["team"], "payments");
  EXPECT_EQ(got["metadata"]["annotations"][kLastApplied], v2_applied);
  EXPECT_EQ(got["spec"]["ports"],
            json::parse(R"([{"name":"http","port":80,"protocol":"TCP","targetPort":8080}])"));
  // Everything the server set survives the patch.
  EXPECT_EQ(got["spec"]["clusterIP"], "10.96.0.50");
  EXPECT_EQ(got["spec"]["clusterIPs"], json::parse(R"(["10.96.0.50"])"));
  EXPECT_EQ(got["spec"]["sessionAffinity"], "None");
  EXPECT_EQ(got["metadata"]["uid"], live["metadata"]["uid"]);
}

// Re-apply of that: the https port is back under another number and moved first, http's
// targetPort changes, the tier label and the team annotation are dropped from the file.
TEST(KubectlApply, PortAddedAndReorderedLabelAndAnnotationRemoved) {
  json v2 = json::parse(R"({"apiVersion":"v1","kind":"Service","metadata":{
      "annotations":{"team":"payments"},"labels":{"app":"web","tier":"web"},"name":"web",
      "namespace":"default"},"spec":{"ports":[{"name":"http","port":80,"targetPort":8080}],
      "selector":{"app":"web"}}})");
  json live = createdService(v1File());
  live["metadata"]["annotations"] = {{kLastApplied, lastApplied(v2)}, {"team", "payments"}};
  live["metadata"]["labels"]["tier"] = "web";
  live["spec"]["ports"] =
      json::parse(R"([{"name":"http","port":80,"protocol":"TCP","targetPort":8080}])");

  json v3 = json::parse(R"({"apiVersion":"v1","kind":"Service","metadata":{"annotations":{},
      "labels":{"app":"web"},"name":"web","namespace":"default"},
      "spec":{"ports":[{"name":"metrics","port":9100,"targetPort":9100},
                       {"name":"http","port":80,"targetPort":9090}],
              "selector":{"app":"web"}}})");
  // Deletions (last-applied v2 → v3): the team annotation and the tier label, as nulls.
  // Changes (live → v3): the annotation, the new port whole, and http's targetPort keyed by port.
  json body = json::parse(R"({"metadata":{"annotations":{"team":null},"labels":{"tier":null}},
      "spec":{"$setElementOrder/ports":[{"port":9100},{"port":80}],
              "ports":[{"name":"metrics","port":9100,"targetPort":9100},
                       {"port":80,"targetPort":9090}]}})");
  body["metadata"]["annotations"][kLastApplied] = lastApplied(v3);

  json got = patched(live, body.dump(), "Service");
  EXPECT_EQ(got["metadata"]["labels"], json::parse(R"({"app":"web"})"));
  EXPECT_EQ(got["metadata"]["annotations"], json({{kLastApplied, lastApplied(v3)}}));
  EXPECT_EQ(got["spec"]["ports"], json::parse(R"([
      {"name":"metrics","port":9100,"protocol":"TCP","targetPort":9100},
      {"name":"http","port":80,"protocol":"TCP","targetPort":9090}])"));
}

// Changing the type with kubectl apply: NodePort → ClusterIP. The file never named nodePort or
// externalTrafficPolicy, so the patch does not mention them; the server drops them
// (dropTypeDependentFields) instead of rejecting the update.
TEST(KubectlApply, NodePortToClusterIpDropsAllocatedNodePorts) {
  json file = json::parse(R"({"apiVersion":"v1","kind":"Service","metadata":{"annotations":{},
      "name":"web","namespace":"default"},"spec":{"ports":[{"port":80}],"selector":{"app":"web"},
      "type":"NodePort"}})");
  json live = createdService(file);
  live["spec"]["ports"][0]["nodePort"] = 30080;
  ASSERT_EQ(live["spec"]["externalTrafficPolicy"], "Cluster");

  json file2 = file;
  file2["spec"]["type"] = "ClusterIP";
  json body = {{"metadata", {{"annotations", {{kLastApplied, lastApplied(file2)}}}}},
               {"spec", {{"type", "ClusterIP"}}}};
  json got = patched(live, body.dump(), "Service");
  EXPECT_EQ(got["spec"]["type"], "ClusterIP");
  EXPECT_FALSE(got["spec"]["ports"][0].contains("nodePort"));
  EXPECT_FALSE(got["spec"].contains("externalTrafficPolicy"));
  EXPECT_EQ(got["spec"]["clusterIP"], "10.96.0.50");
}

// kubectl apply of a Pod whose image changes and which gains an env var.
TEST(KubectlApply, PodContainerImageAndEnv) {
  json file = json::parse(R"({"apiVersion":"v1","kind":"Pod","metadata":{"annotations":{},
      "name":"app","namespace":"default"},"spec":{"containers":[{"env":[{"name":"A","value":"1"}],
      "image":"nginx:1.25","name":"app","ports":[{"containerPort":80}]}]}})");
  json live = file;
  live["metadata"]["annotations"][kLastApplied] = lastApplied(file);
  applyDefaults("Pod", live);
  prepareForCreate("Pod", live);
  live["metadata"]["uid"] = "u-1";
  live["metadata"]["resourceVersion"] = "5";
  live["spec"]["nodeName"] = "node-1";

  json file2 = file;
  file2["spec"]["containers"][0]["image"] = "nginx:1.27";
  file2["spec"]["containers"][0]["env"].push_back({{"name", "B"}, {"value", "2"}});
  json body = json::parse(R"({"spec":{"$setElementOrder/containers":[{"name":"app"}],
      "containers":[{"$setElementOrder/env":[{"name":"A"},{"name":"B"}],
                     "env":[{"name":"B","value":"2"}],"image":"nginx:1.27","name":"app"}]}})");
  body["metadata"]["annotations"][kLastApplied] = lastApplied(file2);

  auto got = applyStrategicMergePatch(live, body, "Pod");
  ASSERT_TRUE(got) << got.error();
  const json& c = (*got)["spec"]["containers"][0];
  EXPECT_EQ(c["image"], "nginx:1.27");
  EXPECT_EQ(c["env"], json::parse(R"([{"name":"A","value":"1"},{"name":"B","value":"2"}])"));
  EXPECT_EQ(c["ports"], json::parse(R"([{"containerPort":80,"protocol":"TCP"}])"));
  EXPECT_EQ(c["imagePullPolicy"], "IfNotPresent");
  EXPECT_EQ((*got)["spec"]["nodeName"], "node-1");
}

// kubectl patch --type strategic, as users type it.
TEST(KubectlPatch, ServicePortDeleteAndMerge) {
  json live = createdService(v1File());
  json got = patched(live, R"({"spec":{"ports":[{"port":443,"$patch":"delete"},
      {"port":80,"targetPort":"http-alt"}]}})",
                     "Service");
  EXPECT_EQ(got["spec"]["ports"],
            json::parse(R"([{"name":"http","port":80,"protocol":"TCP","targetPort":"http-alt"}])"));
}

TEST(KubectlPatch, SelectorReplace) {
  json live = createdService(v1File());
  json got =
      patched(live, R"({"spec":{"selector":{"$patch":"replace","app.kubernetes.io/name":"web"}}})",
              "Service");
  EXPECT_EQ(got["spec"]["selector"], json::parse(R"({"app.kubernetes.io/name":"web"})"));
}

}  // namespace
}  // namespace ferry::api
