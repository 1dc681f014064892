#include "ferry/agent/pods/pod_api.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "ferry/agent/pods/probe.h"

namespace ferry::agent::pods {
namespace {

using nlohmann::json;

TEST(PodManifest, CarriesLabelsNodeAndNamedPorts) {
  PodSpec spec;
  spec.namespace_ = "demo";
  spec.name = "echo-1";
  spec.node = "node-2";
  spec.labels = {{"app", "echo"}};
  spec.ports = {{"http", 8080, "TCP"}, {"udp", 9090, "UDP"}};
  spec.command = {"ferry-echo", "--http-port", "8080"};
  const json pod = json::parse(podManifest(spec));
  EXPECT_EQ(pod["metadata"]["namespace"], "demo");
  EXPECT_EQ(pod["metadata"]["labels"]["app"], "echo");
  EXPECT_EQ(pod["spec"]["nodeName"], "node-2");
  const json& ports = pod["spec"]["containers"][0]["ports"];
  ASSERT_EQ(ports.size(), 2u);
  EXPECT_EQ(ports[0]["name"], "http");
  EXPECT_EQ(ports[0]["containerPort"], 8080);
  EXPECT_EQ(ports[1]["protocol"], "UDP");
  EXPECT_EQ(pod["spec"]["containers"][0]["command"][0], "ferry-echo");
}

TEST(PodStatusPatch, ReadyFollowsTheProbe) {
  for (bool ready : {false, true}) {
    const json patch =
        json::parse(podStatusPatch("echo-1", "10.244.1.2", "172.31.254.11", ready, "now"));
    const json& status = patch["status"];
    EXPECT_EQ(status["phase"], "Running");
    EXPECT_EQ(status["podIP"], "10.244.1.2");
    EXPECT_EQ(status["podIPs"][0]["ip"], "10.244.1.2");
    EXPECT_EQ(status["hostIP"], "172.31.254.11");
    bool found = false;
    for (const auto& c : status["conditions"]) {
      if (c["type"] != "Ready") continue;
      found = true;
      EXPECT_EQ(c["status"], ready ? "True" : "False");
    }
    EXPECT_TRUE(found);
    EXPECT_EQ(status["containerStatuses"][0]["name"], "echo-1");
    EXPECT_EQ(status["containerStatuses"][0]["ready"], ready);
  }
}

TEST(ParsePodList, ReadsNameNodeIpAndReadiness) {
  const auto pods = parsePodList(R"({"items": [
    {"metadata": {"name": "a", "namespace": "demo"}, "spec": {"nodeName": "node-1"},
     "status": {"phase": "Running", "podIP": "10.244.1.2",
                "conditions": [{"type": "Ready", "status": "True"}]}},
    {"metadata": {"name": "b", "namespace": "demo"}, "spec": {}, "status": {}}]})");
  ASSERT_EQ(pods.size(), 2u);
  EXPECT_EQ(pods[0].node, "node-1");
  EXPECT_EQ(pods[0].ip, "10.244.1.2");
  EXPECT_TRUE(pods[0].ready);
  EXPECT_FALSE(pods[1].ready);
  EXPECT_TRUE(parsePodList("not json").empty());
}

TEST(HttpProbeSpec, Parses) {
  EXPECT_EQ(parseHttpProbe("8080:/readyz").port, 8080);
  EXPECT_EQ(parseHttpProbe("8080:/readyz").path, "/readyz");
  EXPECT_EQ(parseHttpProbe("8080").path, "/");
  EXPECT_EQ(parseHttpProbe("8080:healthz").path, "/healthz");
  EXPECT_EQ(parseHttpProbe("x:/a").port, 0);
  EXPECT_EQ(parseHttpProbe("70000:/a").port, 0);
  EXPECT_EQ(parseHttpProbe("").port, 0);
}

}  // namespace
}  // namespace ferry::agent::pods
