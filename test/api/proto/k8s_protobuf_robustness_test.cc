// Hostile bodies: every truncation and single-byte corruption of real objects, and random
// bytes behind the magic, must give an Error or a JSON object that serialises, never a crash.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>

#include "ferry/api/k8s_protobuf.h"
#include "k8s/core_v1.pb.h"
#include "k8s/discovery_v1.pb.h"
#include "k8s_protobuf_test_util.h"

namespace ferry::api {
namespace {

using testing::envelope;
using testing::gogoMeta;
using testing::json;
namespace core = ::k8s::io::api::core::v1;
namespace discovery = ::k8s::io::api::discovery::v1;

std::string samplePod() {
  core::Pod pod;
  gogoMeta(pod.mutable_metadata(), "web-0");
  (*pod.mutable_metadata()->mutable_labels())["app"] = "web";
  pod.mutable_metadata()->add_managedfields()->mutable_fieldsv1()->set_raw(R"({"f:spec":{}})");
  core::Container* c = pod.mutable_spec()->add_containers();
  c->set_name("web");
  c->add_ports()->set_containerport(80);
  c->mutable_readinessprobe()->mutable_handler()->mutable_httpget()->mutable_port()->set_intval(80);
  (*c->mutable_resources()->mutable_limits())["cpu"].set_string("1");
  pod.mutable_status()->mutable_starttime()->set_seconds(1767323045);
  return envelope("v1", "Pod", pod);
}

std::string sampleSlice() {
  discovery::EndpointSlice slice;
  gogoMeta(slice.mutable_metadata(), "web-1");
  slice.set_addresstype("IPv4");
  discovery::Endpoint* e = slice.add_endpoints();
  e->add_addresses("10.0.0.1");
  e->mutable_conditions()->set_ready(true);
  slice.add_ports()->set_port(80);
  return envelope("discovery.k8s.io/v1", "EndpointSlice", slice);
}

// Decoding must not crash; a success must be a JSON object that dumps as valid UTF-8.
// Returns whether it decoded.
bool decodesSafely(const std::string& body) {
  std::vector<std::string> dropped;
  Result<json> result = decodeKubernetesProtobuf(body, {}, &dropped);
  if (!result.ok()) {
    EXPECT_FALSE(result.error().empty());
    return false;
  }
  EXPECT_TRUE(result->is_object());
  EXPECT_NO_THROW((void)result->dump());
  return true;
}

TEST(KubernetesProtobufRobustness, EveryTruncation) {
  for (const std::string& body : {samplePod(), sampleSlice()}) {
    ASSERT_TRUE(decodesSafely(body));
    int decoded = 0;
    for (size_t n = 0; n < body.size(); ++n) {
      decoded += decodesSafely(body.substr(0, n)) ? 1 : 0;
    }
    // Cutting inside the envelope's raw field always breaks the length prefix.
    EXPECT_LT(decoded, static_cast<int>(body.size()) / 2);
  }
}

TEST(KubernetesProtobufRobustness, EverySingleByteCorruption) {
  for (const std::string& body : {samplePod(), sampleSlice()}) {
    for (size_t i = 0; i < body.size(); ++i) {
      for (unsigned char value : {0x00, 0x07, 0x80, 0xff}) {
        std::string corrupt = body;
        corrupt[i] = static_cast<char>(value);
        decodesSafely(corrupt);
      }
    }
  }
}

TEST(KubernetesProtobufRobustness, RandomBytesBehindTheMagic) {
  std::mt19937 rng(20260102);  // fixed seed: failures reproduce
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<size_t> length(0, 300);
  int decoded = 0;
  for (int round = 0; round < 5000; ++round) {
    std::string body("k8s\0", 4);
    const size_t n = length(rng);
    for (size_t i = 0; i < n; ++i) {
      body += static_cast<char>(byte(rng));
    }
    decoded += decodesSafely(body) ? 1 : 0;
  }
  // Random envelopes name no supported kind.
  EXPECT_EQ(decoded, 0);
}

TEST(KubernetesProtobufRobustness, RandomBytesAsTheTypedMessage) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<size_t> length(0, 200);
  for (const char* kind : {"Pod", "Service", "Node", "Event", "Secret"}) {
    for (int round = 0; round < 1000; ++round) {
      std::string raw;
      const size_t n = length(rng);
      for (size_t i = 0; i < n; ++i) {
        raw += static_cast<char>(byte(rng));
      }
      decodesSafely(envelope("v1", kind, raw));
    }
  }
}

}  // namespace
}  // namespace ferry::api
