// Incremental updates to the zone index and the objects file loader.
#include "ferry/dns/zone_index.h"

#include <gmock/gmock.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <thread>

#include "answer_fixture.h"
#include "ferry/api/timestamp.h"
#include "ferry/dns/domain_name.h"
#include "ferry/dns/file_object_source.h"
#include "ferry/runtime/metrics.h"

namespace ferry::dns::testing {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;

json service(const std::string& ip) {
  return {{"kind", "Service"},
          {"metadata", {{"namespace", "default"}, {"name", "late"}}},
          {"spec", {{"clusterIP", ip}}}};
}

TEST_F(DnsAnswerTest, AppliedChangesAreVisibleToTheNextQuery) {
  EXPECT_EQ(ask("late.default.svc.cluster.local", rrtype::kA).rcode, 3);
  const auto before = index_->snapshot();
  ASSERT_TRUE(index_->apply("Service", service("10.96.0.77")).ok());
  EXPECT_THAT(ask("late.default.svc.cluster.local", rrtype::kA).answerData(rrtype::kA),
              ElementsAre("10.96.0.77"));
  ASSERT_TRUE(index_->apply("Service", service("10.96.0.78")).ok());
  EXPECT_THAT(ask("late.default.svc.cluster.local", rrtype::kA).answerData(rrtype::kA),
              ElementsAre("10.96.0.78"));
  // A reader holding the old snapshot still sees a consistent, unchanged zone.
  Record scratch;
  EXPECT_EQ(
      before->lookup(nameFromText("late.default.svc.cluster.local").value(), rrtype::kA, scratch)
          .kind,
      LookupKind::kNxDomain);
  EXPECT_GT(index_->snapshot()->serial(), before->serial());

  EXPECT_TRUE(index_->remove("Service", "default", "late"));
  EXPECT_EQ(ask("late.default.svc.cluster.local", rrtype::kA).rcode, 3);
  EXPECT_FALSE(index_->remove("Service", "default", "late"));
}

json slice(const std::string& name, const std::optional<std::string>& trigger) {
  json s = {{"kind", "EndpointSlice"},
            {"addressType", "IPv4"},
            {"metadata",
             {{"namespace", "default"},
              {"name", name},
              {"labels", {{"kubernetes.io/service-name", "late"}}}}},
            {"endpoints", json::array({{{"addresses", {"10.244.9.1"}}}})}};
  if (trigger)
    s["metadata"]["annotations"]["endpoints.kubernetes.io/last-change-trigger-time"] = *trigger;
  return s;
}

TEST(ZoneIndexProgrammingLatency, ObservesTriggerTimesOfChangesAfterTheSync) {
  runtime::Histogram latency(runtime::latencyBuckets());
  ZoneIndex index;
  index.setProgrammingLatency(&latency);
  const auto two_seconds_ago = std::chrono::system_clock::now() - std::chrono::seconds(2);
  // The initial list is state, not a change.
  ASSERT_TRUE(
      index.apply("EndpointSlice", slice("a", api::formatMicroTimestamp(two_seconds_ago))).ok());
  index.markSynced();
  EXPECT_EQ(latency.count(), 0U);

  ASSERT_TRUE(
      index.apply("EndpointSlice", slice("b", api::formatMicroTimestamp(two_seconds_ago))).ok());
  EXPECT_EQ(latency.count(), 1U);
  EXPECT_GE(latency.sum(), 1.9);
  EXPECT_LT(latency.sum(), 60.0);

  // Hand-written slices (no annotation) and unparsable times are not observed.
  ASSERT_TRUE(index.apply("EndpointSlice", slice("c", std::nullopt)).ok());
  ASSERT_TRUE(index.apply("EndpointSlice", slice("d", std::string("yesterday"))).ok());
  EXPECT_EQ(latency.count(), 1U);

  // In a batch, observed once the batch is published.
  index.beginBatch();
  ASSERT_TRUE(
      index.apply("EndpointSlice", slice("e", api::formatMicroTimestamp(two_seconds_ago))).ok());
  EXPECT_EQ(latency.count(), 1U);
  index.endBatch();
  EXPECT_EQ(latency.count(), 2U);
}

TEST_F(DnsAnswerTest, EndpointChangesMoveHeadlessAnswers) {
  ASSERT_TRUE(index_->remove("EndpointSlice", "apps", "db-v4"));
  EXPECT_THAT(ask("db.apps.svc.cluster.local", rrtype::kA).answerData(rrtype::kA),
              ::testing::IsEmpty());
  ASSERT_TRUE(index_->remove("EndpointSlice", "apps", "db-v6"));
  EXPECT_EQ(ask("db.apps.svc.cluster.local", rrtype::kA).rcode, 3);
}

TEST_F(DnsAnswerTest, MalformedObjectsAreRejectedAndChangeNothing) {
  const auto serial = index_->snapshot()->serial();
  EXPECT_FALSE(index_->apply("Service", json{{"kind", "Service"}}).ok());
  EXPECT_FALSE(index_->apply("Service", service("10.96.0.999")).ok());
  json bad_port = service("10.96.0.5");
  bad_port["spec"]["ports"] = {{{"name", "x"}, {"port", 70000}}};
  EXPECT_FALSE(index_->apply("Service", bad_port).ok());
  json bad_slice = {{"kind", "EndpointSlice"},
                    {"metadata", {{"namespace", "apps"}, {"name", "s"}}},
                    {"addressType", "IPv4"},
                    {"endpoints", {{{"addresses", {"fd00::1"}}}}}};
  EXPECT_FALSE(index_->apply("EndpointSlice", bad_slice).ok());
  EXPECT_EQ(index_->snapshot()->serial(), serial);
  // Kinds DNS does not use are ignored, not errors.
  auto other = index_->apply("ConfigMap", json::object());
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(*other);
}

// Readers racing a writer see either the old or the new zone, never a half-built one.
TEST_F(DnsAnswerTest, ReadersRacingUpdatesSeeWholeSnapshots) {
  ASSERT_TRUE(index_->apply("Service", service("10.96.0.1")).ok());
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int i = 0; i < 300; ++i) {
      (void)index_->apply("Service", service(i % 2 ? "10.96.0.1" : "10.96.0.2"));
    }
    done = true;
  });
  const auto query = makeQuery("late.default.svc.cluster.local", rrtype::kA);
  std::vector<uint8_t> out(kMaxMessageSize);
  size_t reads = 0;
  while (!done || reads < 100) {
    const Response r = respond(*index_->snapshot(), query, Transport::kUdp, out);
    out.resize(r.size);
    auto decoded = decodeResponse(out);
    out.resize(kMaxMessageSize);
    ASSERT_TRUE(decoded.has_value());
    ASSERT_EQ(decoded->rcode, 0);
    ASSERT_EQ(decoded->answers.size(), 1u);
    ASSERT_THAT(decoded->answers[0].data, ::testing::AnyOf("10.96.0.1", "10.96.0.2"));
    ++reads;
  }
  writer.join();
}

class DnsObjectsFile : public ::testing::Test {
 protected:
  std::string write(const std::string& name, const std::string& text) {
    const auto path = std::filesystem::temp_directory_path() /
                      ("ferry-dns-" + std::to_string(getpid()) + "-" + name);
    std::ofstream(path) << text;
    paths_.push_back(path);
    return path;
  }
  void TearDown() override {
    for (const auto& p : paths_) std::filesystem::remove(p);
  }
  std::vector<std::filesystem::path> paths_;
};

TEST_F(DnsObjectsFile, YamlMultiDocumentAndTypedListsLoad) {
  const auto path = write("objects.yaml", R"(apiVersion: v1
kind: Service
metadata: {name: a, namespace: ns1}
spec: {clusterIP: 10.96.1.1, ports: [{name: http, port: 80}]}
---
apiVersion: v1
kind: ServiceList
items:
- metadata: {name: b, namespace: ns1}
  spec: {clusterIP: "10.96.1.2"}
)");
  ZoneIndex index;
  FileObjectSource source(path);
  auto started = source.start(index);
  ASSERT_TRUE(started.ok()) << started.error();
  ASSERT_TRUE(index.snapshot()->synced());
  Record scratch;
  for (const char* name : {"a.ns1.svc.cluster.local", "b.ns1.svc.cluster.local",
                           "_http._tcp.a.ns1.svc.cluster.local"}) {
    EXPECT_EQ(index.snapshot()->lookup(nameFromText(name).value(), rrtype::kAny, scratch).kind,
              LookupKind::kAnswer)
        << name;
  }
}

TEST_F(DnsObjectsFile, JsonListLoadsAndBadObjectsAreNamed) {
  ZoneIndex index;
  ASSERT_TRUE(FileObjectSource(write("list.json", clusterObjects().dump())).start(index).ok());
  EXPECT_TRUE(index.snapshot()->synced());

  ZoneIndex other;
  auto bad = FileObjectSource(write("bad.json", service("nope").dump())).start(other);
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.error(), ::testing::HasSubstr("default/late"));
  EXPECT_FALSE(other.snapshot()->synced());
  EXPECT_FALSE(FileObjectSource("/nonexistent/objects.json").start(other).ok());
}

}  // namespace
}  // namespace ferry::dns::testing
