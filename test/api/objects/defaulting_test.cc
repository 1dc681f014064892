#include "ferry/api/defaulting.h"

#include <gtest/gtest.h>

namespace ferry::api {
namespace {

using nlohmann::json;

json defaulted(std::string_view kind, const char* text) {
  json obj = json::parse(text);
  applyDefaults(kind, obj);
  return obj;
}

TEST(Defaulting, ServiceClusterIp) {
  json svc = defaulted("Service", R"({"spec":{"ports":[{"port":80},{"port":53,"protocol":"UDP",
      "targetPort":"dns"}]}})");
  EXPECT_EQ(svc["spec"], json::parse(R"({"type":"ClusterIP","sessionAffinity":"None",
      "internalTrafficPolicy":"Cluster","ipFamilyPolicy":"SingleStack",
      "ports":[{"port":80,"protocol":"TCP","targetPort":80},
               {"port":53,"protocol":"UDP","targetPort":"dns"}]})"));
}

TEST(Defaulting, ServiceIsIdempotent) {
  json svc = defaulted("Service", R"({"spec":{"type":"LoadBalancer","ports":[{"port":80}]}})");
  json again = svc;
  applyDefaults("Service", again);
  EXPECT_EQ(again, svc);
}

TEST(Defaulting, ServiceExternalTypes) {
  json np = defaulted("Service", R"({"spec":{"type":"NodePort"}})");
  EXPECT_EQ(np["spec"]["externalTrafficPolicy"], "Cluster");
  EXPECT_FALSE(np["spec"].contains("allocateLoadBalancerNodePorts"));
  json lb = defaulted("Service", R"({"spec":{"type":"LoadBalancer"},
      "status":{"loadBalancer":{"ingress":[{"ip":"192.0.2.1"},{"hostname":"lb.example.com"}]}}})");
  EXPECT_EQ(lb["spec"]["externalTrafficPolicy"], "Cluster");
  EXPECT_EQ(lb["spec"]["allocateLoadBalancerNodePorts"], true);
  EXPECT_EQ(lb["status"]["loadBalancer"]["ingress"][0]["ipMode"], "VIP");
  EXPECT_FALSE(lb["status"]["loadBalancer"]["ingress"][1].contains("ipMode"));
  json local =
      defaulted("Service", R"({"spec":{"type":"LoadBalancer","externalTrafficPolicy":"Local",
      "allocateLoadBalancerNodePorts":false}})");
  EXPECT_EQ(local["spec"]["externalTrafficPolicy"], "Local");
  EXPECT_EQ(local["spec"]["allocateLoadBalancerNodePorts"], false);
  // A ClusterIP service with external IPs is externally reachable too.
  json ext = defaulted("Service", R"({"spec":{"externalIPs":["192.0.2.7"]}})");
  EXPECT_EQ(ext["spec"]["externalTrafficPolicy"], "Cluster");
  json plain = defaulted("Service", R"({"spec":{}})");
  EXPECT_FALSE(plain["spec"].contains("externalTrafficPolicy"));
}

TEST(Defaulting, ServiceExternalName) {
  json svc = defaulted("Service", R"({"spec":{"type":"ExternalName","externalName":"a.b"}})");
  EXPECT_FALSE(svc["spec"].contains("internalTrafficPolicy"));
  EXPECT_FALSE(svc["spec"].contains("ipFamilyPolicy"));
  EXPECT_FALSE(svc["spec"].contains("externalTrafficPolicy"));
  EXPECT_EQ(svc["spec"]["sessionAffinity"], "None");
}

TEST(Defaulting, ServiceSessionAffinity) {
  json none = defaulted("Service",
                        R"({"spec":{"sessionAffinityConfig":{"clientIP":{"timeoutSeconds":5}}}})");
  EXPECT_FALSE(none["spec"].contains("sessionAffinityConfig"));
  json client = defaulted("Service", R"({"spec":{"sessionAffinity":"ClientIP"}})");
  EXPECT_EQ(client["spec"]["sessionAffinityConfig"],
            json::parse(R"({"clientIP":{"timeoutSeconds":10800}})"));
  json kept = defaulted("Service", R"({"spec":{"sessionAffinity":"ClientIP",
      "sessionAffinityConfig":{"clientIP":{"timeoutSeconds":60}}}})");
  EXPECT_EQ(kept["spec"]["sessionAffinityConfig"]["clientIP"]["timeoutSeconds"], 60);
}

TEST(Defaulting, ServiceIpFamilyPolicy) {
  json dual = defaulted("Service", R"({"spec":{"clusterIPs":["10.96.0.1","fd00::1"]}})");
  EXPECT_EQ(dual["spec"]["ipFamilyPolicy"], "RequireDualStack");
  json families = defaulted("Service", R"({"spec":{"ipFamilies":["IPv6","IPv4"]}})");
  EXPECT_EQ(families["spec"]["ipFamilyPolicy"], "RequireDualStack");
  json chosen = defaulted("Service", R"({"spec":{"ipFamilyPolicy":"PreferDualStack"}})");
  EXPECT_EQ(chosen["spec"]["ipFamilyPolicy"], "PreferDualStack");
  json headless = defaulted("Service", R"({"spec":{"clusterIPs":["None"]}})");
  EXPECT_EQ(headless["spec"]["ipFamilyPolicy"], "SingleStack");
}

TEST(Defaulting, ServiceTargetPortZeroOrEmpty) {
  json svc = defaulted("Service", R"({"spec":{"ports":[{"port":80,"targetPort":0},
      {"port":81,"targetPort":""},{"port":82,"targetPort":null}]}})");
  for (int i = 0; i < 3; ++i) EXPECT_EQ(svc["spec"]["ports"][i]["targetPort"], 80 + i);
}

TEST(Defaulting, ServiceToleratesWrongTypes) {
  for (const char* text : {R"({"spec":"x"})", R"({"spec":{"ports":"x"}})",
                           R"({"spec":{"ports":[1,"a",null,{"port":"80"}]}})",
                           R"({"spec":{"type":5,"sessionAffinity":[]}})",
                           R"({"spec":{"type":"LoadBalancer"},"status":{"loadBalancer":[]}})",
                           R"([])", R"("x")", R"(null)"}) {
    json obj = json::parse(text);
    EXPECT_NO_THROW(applyDefaults("Service", obj)) << text;
  }
  json svc = defaulted("Service", R"({"spec":{"ports":[{"port":"80"}]}})");
  EXPECT_FALSE(svc["spec"]["ports"][0].contains("targetPort"));  // left for validation
}

TEST(Defaulting, Pod) {
  json pod = defaulted("Pod", R"({"spec":{"containers":[
      {"name":"a","image":"nginx","ports":[{"containerPort":80}]},
      {"name":"b","image":"registry.example.com:5000/app:1.2"},
      {"name":"c","image":"app@sha256:abcd"},
      {"name":"d","image":"app:latest","imagePullPolicy":"Never"}]}})");
  const json& spec = pod["spec"];
  EXPECT_EQ(spec["restartPolicy"], "Always");
  EXPECT_EQ(spec["dnsPolicy"], "ClusterFirst");
  EXPECT_EQ(spec["terminationGracePeriodSeconds"], 30);
  EXPECT_EQ(spec["schedulerName"], "default-scheduler");
  EXPECT_EQ(spec["enableServiceLinks"], true);
  EXPECT_EQ(spec["securityContext"], json::object());
  EXPECT_EQ(spec["containers"][0]["imagePullPolicy"], "Always");  // untagged means :latest
  EXPECT_EQ(spec["containers"][1]["imagePullPolicy"], "IfNotPresent");
  EXPECT_EQ(spec["containers"][2]["imagePullPolicy"], "IfNotPresent");  // digest, no tag
  EXPECT_EQ(spec["containers"][3]["imagePullPolicy"], "Never");
  EXPECT_EQ(spec["containers"][0]["terminationMessagePath"], "/dev/termination-log");
  EXPECT_EQ(spec["containers"][0]["terminationMessagePolicy"], "File");
  EXPECT_EQ(spec["containers"][0]["ports"][0],
            json::parse(R"({"containerPort":80,"protocol":"TCP"})"));
}

TEST(Defaulting, PodHostNetworkPorts) {
  json pod = defaulted("Pod", R"({"spec":{"hostNetwork":true,"containers":[
      {"name":"a","image":"x:1","ports":[{"containerPort":9100}]}]}})");
  EXPECT_EQ(pod["spec"]["containers"][0]["ports"][0]["hostPort"], 9100);
}

TEST(Defaulting, PodIpsFollowTheV1Conversion) {
  json only_single = defaulted("Pod", R"({"status":{"podIP":"10.0.0.1","hostIP":"192.0.2.1"}})");
  EXPECT_EQ(only_single["status"]["podIPs"], json::parse(R"([{"ip":"10.0.0.1"}])"));
  EXPECT_EQ(only_single["status"]["hostIPs"], json::parse(R"([{"ip":"192.0.2.1"}])"));
  json only_plural =
      defaulted("Pod", R"({"status":{"podIPs":[{"ip":"10.0.0.1"},{"ip":"fd00::1"}]}})");
  EXPECT_EQ(only_plural["status"]["podIP"], "10.0.0.1");
  // The singular wins when they disagree.
  json both = defaulted(
      "Pod", R"({"status":{"podIP":"10.0.0.2","podIPs":[{"ip":"10.0.0.1"},{"ip":"fd00::1"}]}})");
  EXPECT_EQ(both["status"]["podIPs"], json::parse(R"([{"ip":"10.0.0.2"}])"));
  json agree = defaulted(
      "Pod", R"({"status":{"podIP":"10.0.0.1","podIPs":[{"ip":"10.0.0.1"},{"ip":"fd00::1"}]}})");
  EXPECT_EQ(agree["status"]["podIPs"].size(), 2U);
}

TEST(Defaulting, EndpointsAndSlices) {
  json ep = defaulted("Endpoints",
                      R"({"subsets":[{"ports":[{"port":80},{"port":53,"protocol":"UDP"}]}]})");
  EXPECT_EQ(ep["subsets"][0]["ports"][0]["protocol"], "TCP");
  EXPECT_EQ(ep["subsets"][0]["ports"][1]["protocol"], "UDP");
  json slice = defaulted("EndpointSlice", R"({"ports":[{"port":80}]})");
  EXPECT_EQ(slice["ports"][0], json::parse(R"({"name":"","port":80,"protocol":"TCP"})"));
}

TEST(Defaulting, Secret) {
  json s = defaulted("Secret", R"({"data":{"a":"eA=="},"stringData":{"b":"hello","a":"y"}})");
  EXPECT_EQ(s["type"], "Opaque");
  EXPECT_EQ(s["data"], json::parse(R"({"a":"eQ==","b":"aGVsbG8="})"));
  EXPECT_FALSE(s.contains("stringData"));
  json tls = defaulted("Secret", R"({"type":"kubernetes.io/tls"})");
  EXPECT_EQ(tls["type"], "kubernetes.io/tls");
  json bad = defaulted("Secret", R"({"data":[],"stringData":{"a":"x"}})");
  EXPECT_TRUE(bad.contains("stringData"));  // left for validation
}

TEST(Defaulting, Namespace) {
  json ns = defaulted(
      "Namespace", R"({"metadata":{"name":"shop","labels":{"kubernetes.io/metadata.name":"x"}}})");
  EXPECT_EQ(ns["metadata"]["labels"]["kubernetes.io/metadata.name"], "shop");
  EXPECT_EQ(ns["status"]["phase"], "Active");
}

TEST(Defaulting, Node) {
  json node = defaulted(
      "Node", R"({"spec":{"podCIDR":"10.244.1.0/24"},"status":{"capacity":{"cpu":"2"}}})");
  EXPECT_EQ(node["spec"]["podCIDRs"], json::parse(R"(["10.244.1.0/24"])"));
  EXPECT_EQ(node["status"]["allocatable"], json::parse(R"({"cpu":"2"})"));
  json plural =
      defaulted("Node", R"({"spec":{"podCIDR":"10.0.0.0/24","podCIDRs":["10.244.1.0/24"]}})");
  EXPECT_EQ(plural["spec"]["podCIDR"], "10.244.1.0/24");
}

TEST(Defaulting, IngressClassParametersScope) {
  json ic = defaulted("IngressClass",
                      R"({"spec":{"controller":"a.b/c","parameters":{"kind":"K","name":"n"}}})");
  EXPECT_EQ(ic["spec"]["parameters"]["scope"], "Cluster");
}

TEST(Defaulting, KindsWithoutDefaultsAreUntouched) {
  for (const char* kind : {"ConfigMap", "Ingress", "Event", "Widget"}) {
    json obj = json::parse(R"({"metadata":{"name":"a"},"spec":{}})");
    json before = obj;
    applyDefaults(kind, obj);
    EXPECT_EQ(obj, before) << kind;
  }
}

}  // namespace
}  // namespace ferry::api
