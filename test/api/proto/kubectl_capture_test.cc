// Bodies captured from kubectl 1.32 (through a logging proxy in front of ferry-controlplane),
// each checked against `kubectl ... --dry-run=client -o json` for the same command: the JSON
// kubectl would have sent.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "ferry/api/k8s_protobuf.h"

namespace ferry::api {
namespace {

using nlohmann::json;

std::string unhex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
  }
  return out;
}

void expectDecodes(std::string_view hex, const char* expected_json) {
  Result<json> result = decodeKubernetesProtobuf(unhex(hex));
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_EQ(*result, json::parse(expected_json)) << result->dump();
}

// kubectl create namespace demo
TEST(KubectlCapture, CreateNamespace) {
  expectDecodes(
      "6b3873000a0f0a02763112094e616d657370616365121c0a140a0464656d6f12001a0022002a00320038"
      "00420012001a020a001a002200",
      R"({"apiVersion":"v1","kind":"Namespace","metadata":{"creationTimestamp":null,
          "name":"demo"},"spec":{},"status":{}})");
}

// kubectl create secret generic s1 --from-literal=a=b --from-literal=token=s3cr3t
TEST(KubectlCapture, CreateSecretGeneric) {
  expectDecodes(
      "6b3873000a0c0a0276311206536563726574122f0a120a02733112001a0022002a00320038004200120"
      "60a0161120162120f0a05746f6b656e12067333637233741a001a002200",
      R"({"apiVersion":"v1","data":{"a":"Yg==","token":"czNjcjN0"},"kind":"Secret",
          "metadata":{"creationTimestamp":null,"name":"s1"}})");
}

// kubectl create configmap c2 --from-file=logo.png=<10 bytes of PNG> --from-literal=LOG_LEVEL=info
TEST(KubectlCapture, CreateConfigMapWithBinaryData) {
  expectDecodes(
      "6b3873000a0f0a0276311209436f6e6669674d6170123f0a120a02633212001a0022002a003200380042"
      "0012110a094c4f475f4c4556454c1204696e666f1a160a086c6f676f2e706e67120a89504e470d0a1a0a"
      "00ff1a002200",
      R"({"apiVersion":"v1","binaryData":{"logo.png":"iVBORw0KGgoA/w=="},
          "data":{"LOG_LEVEL":"info"},"kind":"ConfigMap",
          "metadata":{"creationTimestamp":null,"name":"c2"}})");
}

// kubectl create service clusterip x1 --tcp=80:8080
TEST(KubectlCapture, CreateServiceClusterIp) {
  expectDecodes(
      "6b3873000a0d0a02763112075365727669636512660a1d0a02783112001a0022002a003200380042005a"
      "090a036170701202783112410a1b0a0738302d38303830120354435018502207080010903f1a00280012"
      "090a03617070120278311a002209436c757374657249503a00420052005a00600068001a020a001a0022"
      "00",
      R"({"apiVersion":"v1","kind":"Service","metadata":{"creationTimestamp":null,
          "labels":{"app":"x1"},"name":"x1"},
          "spec":{"ports":[{"name":"80-8080","port":80,"protocol":"TCP","targetPort":8080}],
                  "selector":{"app":"x1"},"type":"ClusterIP"},
          "status":{"loadBalancer":{}}})");
}

// kubectl create ingress ing1 --class=nginx --rule="foo.com/bar*=svc1:8080,tls=my-cert"
TEST(KubectlCapture, CreateIngress) {
  expectDecodes(
      "6b3873000a1f0a146e6574776f726b696e672e6b38732e696f2f76311207496e677265737312670a140a"
      "04696e673112001a0022002a00320038004200124b12120a07666f6f2e636f6d12076d792d636572741a"
      "2e0a07666f6f2e636f6d12230a210a1f0a042f626172120f220d0a047376633112050a0010903f1a0650"
      "726566697822056e67696e781a020a001a002200",
      R"({"apiVersion":"networking.k8s.io/v1","kind":"Ingress",
          "metadata":{"creationTimestamp":null,"name":"ing1"},
          "spec":{"ingressClassName":"nginx",
                  "rules":[{"host":"foo.com","http":{"paths":[{"backend":{"service":{
                      "name":"svc1","port":{"number":8080}}},"path":"/bar",
                      "pathType":"Prefix"}]}}],
                  "tls":[{"hosts":["foo.com"],"secretName":"my-cert"}]},
          "status":{"loadBalancer":{}}})");
}

}  // namespace
}  // namespace ferry::api
