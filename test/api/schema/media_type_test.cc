#include "ferry/api/media_type.h"

#include <gtest/gtest.h>

namespace ferry::api {
namespace {

// What kubectl 1.32 sends (captured from a real kubectl against a logging server).
constexpr std::string_view kKubectlDiscoveryAccept =
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
    "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,"
    "application/json";
constexpr std::string_view kKubectlGetAccept =
    "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;"
    "g=meta.k8s.io,application/json";

TEST(MediaType, ParsesRangesWithParameters) {
  auto ranges = parseAccept(kKubectlDiscoveryAccept);
  ASSERT_EQ(ranges.size(), 3u);
  EXPECT_EQ(ranges[0].type, "application");
  EXPECT_EQ(ranges[0].subtype, "json");
  EXPECT_EQ(ranges[0].param("g"), "apidiscovery.k8s.io");
  EXPECT_EQ(ranges[0].param("v"), "v2");
  EXPECT_EQ(ranges[0].param("as"), "APIGroupDiscoveryList");
  EXPECT_EQ(ranges[1].param("v"), "v2beta1");
  EXPECT_TRUE(ranges[2].params.empty());
  EXPECT_EQ(ranges[2].param("as"), "");
}

TEST(MediaType, ToleratesSpacesQuotesCaseAndQuality) {
  auto ranges = parseAccept(" Application/JSON ; charset=\"utf-8\" ; q=0.5 , text/plain;q=0");
  ASSERT_EQ(ranges.size(), 2u);
  EXPECT_EQ(ranges[0].type, "application");
  EXPECT_EQ(ranges[0].subtype, "json");
  EXPECT_EQ(ranges[0].param("charset"), "utf-8");
  EXPECT_DOUBLE_EQ(ranges[0].quality, 0.5);
  EXPECT_DOUBLE_EQ(ranges[1].quality, 0.0);
}

TEST(MediaType, SkipsMalformedRanges) {
  auto ranges = parseAccept("garbage, /json, application/, application/json;q=2, */*");
  ASSERT_EQ(ranges.size(), 1u);
  EXPECT_EQ(ranges[0].type, "*");
  EXPECT_TRUE(parseAccept("").empty());
}

TEST(MediaType, KubectlGetsAggregatedDiscoveryV2) {
  auto n = negotiateDiscovery(kKubectlDiscoveryAccept);
  ASSERT_TRUE(n);
  EXPECT_EQ(n->format, DiscoveryFormat::kAggregatedV2);
  EXPECT_EQ(n->content_type,
            "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList");
}

TEST(MediaType, DiscoveryNegotiationCases) {
  struct Case {
    std::string_view accept;
    std::optional<DiscoveryFormat> want;
  };
  const Case cases[] = {
      {"", DiscoveryFormat::kLegacy},
      {"application/json", DiscoveryFormat::kLegacy},
      {"application/json, */*", DiscoveryFormat::kLegacy},
      {"*/*", DiscoveryFormat::kLegacy},
      {"application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList",
       DiscoveryFormat::kAggregatedV2Beta1},
      // Newer clients ask for the no-peer profile first; a server without peers serves v2.
      {"application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList;profile=nopeer,"
       "application/json",
       DiscoveryFormat::kAggregatedV2},
      // Unknown versions and protobuf are skipped in favour of what follows.
      {"application/json;g=apidiscovery.k8s.io;v=v3;as=APIGroupDiscoveryList,application/json",
       DiscoveryFormat::kLegacy},
      {"application/vnd.kubernetes.protobuf;g=apidiscovery.k8s.io;v=v2;"
       "as=APIGroupDiscoveryList,application/json",
       DiscoveryFormat::kLegacy},
      // Quality beats order.
      {"application/json;q=0.5,application/json;g=apidiscovery.k8s.io;v=v2;"
       "as=APIGroupDiscoveryList",
       DiscoveryFormat::kAggregatedV2},
      {"application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList;q=0,"
       "application/json",
       DiscoveryFormat::kLegacy},
      {"application/yaml", std::nullopt},
      {"application/json;as=Table;g=meta.k8s.io;v=v1", std::nullopt},
  };
  for (const auto& c : cases) {
    auto n = negotiateDiscovery(c.accept);
    ASSERT_EQ(n.has_value(), c.want.has_value()) << c.accept;
    if (!n) continue;
    EXPECT_EQ(n->format, *c.want) << c.accept;
    if (n->format == DiscoveryFormat::kLegacy) {
      EXPECT_EQ(n->content_type, "application/json");
    }
  }
}

TEST(MediaType, KubectlGetAsksForTables) {
  auto n = negotiateObject(kKubectlGetAccept);
  ASSERT_TRUE(n);
  EXPECT_EQ(n->format, ObjectFormat::kTableV1);
  EXPECT_EQ(n->content_type, "application/json;as=Table;v=v1;g=meta.k8s.io");

  n = negotiateObject("application/json;as=Table;v=v1beta1;g=meta.k8s.io");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->format, ObjectFormat::kTableV1Beta1);

  // PartialObjectMetadata is not served: the client's plain JSON fallback is used.
  n = negotiateObject(
      "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,"
      "application/json");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->format, ObjectFormat::kObject);

  EXPECT_EQ(negotiateObject("")->format, ObjectFormat::kObject);
  EXPECT_FALSE(negotiateObject("application/json;as=Table;v=v2;g=meta.k8s.io"));
  EXPECT_FALSE(negotiateObject("application/vnd.kubernetes.protobuf"));
}

}  // namespace
}  // namespace ferry::api
