// What ferry-bench sends and how it reads watch streams back: base64 against RFC 4648's test
// vectors, request bodies that parse and have the promised sizes, and the watch-line scanners
// against lines captured from ferry-controlplane and from etcd 3.4's gateway.
#include "ferry/bench/wire.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace ferry::bench {
namespace {

TEST(Base64, Rfc4648TestVectors) {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(base64Encode(plain), encoded) << plain;
    auto decoded = base64Decode(encoded);
    ASSERT_TRUE(decoded.has_value()) << encoded;
    EXPECT_EQ(*decoded, plain);
  }
}

TEST(Base64, RoundTripsEveryByteValue) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  for (std::size_t len = 0; len <= all.size(); len += 37) {
    std::string in = all.substr(0, len);
    EXPECT_EQ(base64Decode(base64Encode(in)), in) << len;
  }
}

TEST(Base64, RejectsMalformedInput) {
  EXPECT_FALSE(base64Decode("Zm9").has_value());       // length not a multiple of 4
  EXPECT_FALSE(base64Decode("Zm9v!A==").has_value());  // outside the alphabet
  EXPECT_FALSE(base64Decode("Z===").has_value());      // three padding characters
  EXPECT_FALSE(base64Decode("Zm=v").has_value());      // padding in the middle
}

TEST(ConfigMapJson, HasTheRequestedSizeAndParses) {
  for (std::size_t size : {100u, 256u, 1000u}) {
    std::string doc = configMapJson("w-17", size);
    EXPECT_EQ(doc.size(), size);
    auto j = nlohmann::json::parse(doc);
    EXPECT_EQ(j["kind"], "ConfigMap");
    EXPECT_EQ(j["metadata"]["name"], "w-17");
    EXPECT_TRUE(j["data"]["v"].is_string());
  }
  // Too small a size: the skeleton alone, still valid.
  std::string tiny = configMapJson("w-1", 10);
  EXPECT_GT(tiny.size(), 10u);
  EXPECT_TRUE(nlohmann::json::accept(tiny));
}

TEST(EtcdPutJson, CarriesKeyAndValueInBase64) {
  std::string doc = configMapJson("w-3", 256);
  auto j = nlohmann::json::parse(etcdPutJson("/registry/configmaps/bench/w-3", doc));
  EXPECT_EQ(base64Decode(j["key"].get<std::string>()), "/registry/configmaps/bench/w-3");
  EXPECT_EQ(base64Decode(j["value"].get<std::string>()), doc);
}

TEST(EtcdWatchPrefixJson, RangeEndIsThePrefixPlusOne) {
  auto j = nlohmann::json::parse(etcdWatchPrefixJson("/registry/configmaps/bench/"));
  EXPECT_EQ(base64Decode(j["create_request"]["key"].get<std::string>()),
            "/registry/configmaps/bench/");
  EXPECT_EQ(base64Decode(j["create_request"]["range_end"].get<std::string>()),
            "/registry/configmaps/bench0");
  // Trailing 0xff bytes are dropped before incrementing (clientv3.GetPrefixRangeEnd).
  auto k = nlohmann::json::parse(etcdWatchPrefixJson(std::string("a\xff", 2)));
  EXPECT_EQ(base64Decode(k["create_request"]["range_end"].get<std::string>()), "b");
}

TEST(SequencedName, ParsesOnlyPrefixAndDigits) {
  EXPECT_EQ(parseSequencedName("w-0", "w-"), 0u);
  EXPECT_EQ(parseSequencedName("w-12345", "w-"), 12345u);
  EXPECT_FALSE(parseSequencedName("w-", "w-").has_value());
  EXPECT_FALSE(parseSequencedName("w-12x", "w-").has_value());
  EXPECT_FALSE(parseSequencedName("warm-0-1", "w-").has_value());
  EXPECT_FALSE(parseSequencedName("w--1", "w-").has_value());
  EXPECT_FALSE(parseSequencedName("w-99999999999999999999999", "w-").has_value());  // overflow
}

// Captured from ferry-controlplane (keys sorted: "object" before "type").
constexpr const char* kFerryAdded =
    R"({"object":{"apiVersion":"v1","data":{"v":"xxxx"},"kind":"ConfigMap","metadata":{"creationTimestamp":"2026-11-22T00:42:18Z","generation":1,"name":"w-7","namespace":"bench","resourceVersion":"7","uid":"9d565bdc-60ff-422d-89ab-ba81adc01a8e"}},"type":"ADDED"})";

TEST(KubernetesWatchLine, FindsTheAddedObjectsSequence) {
  std::vector<uint64_t> seqs;
  appendKubernetesWatchSeqs(kFerryAdded, "w-", seqs);
  EXPECT_EQ(seqs, std::vector<uint64_t>{7});
}

TEST(KubernetesWatchLine, TypeFirstAsKubeApiserverWritesIt) {
  std::vector<uint64_t> seqs;
  appendKubernetesWatchSeqs(
      R"({"type":"ADDED","object":{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"w-42","namespace":"bench"},"data":{"v":"x"}}})",
      "w-", seqs);
  EXPECT_EQ(seqs, std::vector<uint64_t>{42});
}

TEST(KubernetesWatchLine, IgnoresOtherEventsAndNames) {
  std::vector<uint64_t> seqs;
  std::string modified = kFerryAdded;
  modified.replace(modified.rfind("ADDED"), 5, "MODIFIED");
  appendKubernetesWatchSeqs(modified, "w-", seqs);
  appendKubernetesWatchSeqs(R"({"object":{"kind":"Status","code":410},"type":"ERROR"})", "w-",
                            seqs);
  appendKubernetesWatchSeqs(
      R"({"object":{"kind":"ConfigMap","metadata":{"name":"warm-0-3"}},"type":"ADDED"})", "w-",
      seqs);
  appendKubernetesWatchSeqs("", "w-", seqs);
  appendKubernetesWatchSeqs(R"({"type":"ADD)", "w-", seqs);  // truncated
  EXPECT_TRUE(seqs.empty());
}

// Captured from etcd 3.4's gateway (POST /v3/watch), with the keys replaced by benchmark keys.
std::string etcdLine(const std::vector<std::pair<std::string, bool>>& events) {
  std::string line =
      R"({"result":{"header":{"cluster_id":"324952591200643719","member_id":"3319814642761637952","revision":"3","raft_term":"2"},"events":[)";
  bool first = true;
  for (const auto& [key, is_delete] : events) {
    if (!first) line += ",";
    first = false;
    line += "{";
    if (is_delete) line += R"("type":"DELETE",)";
    line += R"("kv":{"key":")" + base64Encode(key) +
            R"(","create_revision":"2","mod_revision":"3","version":"2","value":"YmF6"}})";
  }
  return line + "]}}";
}

TEST(EtcdWatchLine, DecodesEveryPutEventKey) {
  std::vector<uint64_t> seqs;
  const std::string prefix = "/registry/configmaps/bench/w-";
  appendEtcdWatchSeqs(etcdLine({{prefix + "3", false}, {prefix + "4", false}}), prefix, seqs);
  EXPECT_EQ(seqs, (std::vector<uint64_t>{3, 4}));
}

TEST(EtcdWatchLine, SkipsDeletesOtherKeysAndNonEventLines) {
  std::vector<uint64_t> seqs;
  const std::string prefix = "/registry/configmaps/bench/w-";
  appendEtcdWatchSeqs(
      etcdLine({{prefix + "5", true}, {"/other/w-6", false}, {prefix + "7", false}}), prefix, seqs);
  EXPECT_EQ(seqs, std::vector<uint64_t>{7});
  seqs.clear();
  appendEtcdWatchSeqs(
      R"({"result":{"header":{"cluster_id":"1","member_id":"2","revision":"2","raft_term":"2"},"created":true}})",
      prefix, seqs);
  EXPECT_TRUE(seqs.empty());
}

TEST(LineSplitter, ReassemblesLinesAcrossReads) {
  LineSplitter s;
  std::vector<std::string> lines;
  auto collect = [&](std::string_view l) { lines.emplace_back(l); };
  s.feed("ab", collect);
  s.feed("c\nde", collect);
  s.feed("f\n\ng\n", collect);
  s.feed("tail-without-newline", collect);
  EXPECT_EQ(lines, (std::vector<std::string>{"abc", "def", "", "g"}));
}

TEST(LineSplitter, DropsOverlongLinesWholeAndRecovers) {
  LineSplitter s(8);
  std::vector<std::string> lines;
  auto collect = [&](std::string_view l) { lines.emplace_back(l); };
  s.feed("0123", collect);
  s.feed("456789abc", collect);  // past 8 bytes without a newline: this line is dropped
  s.feed("def\nok\n", collect);
  EXPECT_EQ(lines, std::vector<std::string>{"ok"});
  EXPECT_EQ(s.droppedLines(), 1u);
}

}  // namespace
}  // namespace ferry::bench
