#include "ferry/abi/flow_hash.h"

#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "ferry/model/address.h"

namespace ferry::model {
namespace {

ferry_tuple tuple(const char* src, uint16_t sport, const char* dst, uint16_t dport,
                  uint8_t proto = 6) {
  ferry_tuple t{};
  t.saddr = IpAddress::parse(src)->raw();
  t.daddr = IpAddress::parse(dst)->raw();
  t.sport = ferry_htons(sport);
  t.dport = ferry_htons(dport);
  t.proto = proto;
  return t;
}

// lookup3's final() is a published function; these values come from an independent
// transcription of it (Python, in the commit that added this test). Pinning them makes an
// accidental edit of the mix — which would silently move every Maglev flow on upgrade — fail.
TEST(FlowHash, JhashMatchesLookup3) {
  EXPECT_EQ(ferry_jhash_3words(0, 0, 0, 0), 0x31b8a510U);
  EXPECT_EQ(ferry_jhash_3words(1, 2, 3, 0), 0x3be016dcU);
  EXPECT_EQ(ferry_jhash_3words(0x0a000001, 0x0a000002, 0x12345678, 7), 0x3565c66bU);
}

TEST(FlowHash, DependsOnEveryTupleField) {
  auto base = tuple("10.244.1.5", 40000, "10.96.0.10", 53, 17);
  uint32_t h = ferry_flow_hash(&base, 0);
  EXPECT_EQ(h, ferry_flow_hash(&base, 0));
  auto t = base;
  t.sport = ferry_htons(40001);
  EXPECT_NE(ferry_flow_hash(&t, 0), h);
  t = base;
  t.dport = ferry_htons(54);
  EXPECT_NE(ferry_flow_hash(&t, 0), h);
  t = base;
  t.proto = 6;
  EXPECT_NE(ferry_flow_hash(&t, 0), h);
  t = base;
  t.saddr = IpAddress::parse("10.244.1.6")->raw();
  EXPECT_NE(ferry_flow_hash(&t, 0), h);
  t = base;
  t.daddr = IpAddress::parse("10.96.0.11")->raw();
  EXPECT_NE(ferry_flow_hash(&t, 0), h);
  EXPECT_NE(ferry_flow_hash(&base, 1), h) << "the seed matters";
}

TEST(FlowHash, SpreadsSourcePortsEvenly) {
  // 65536 flows differing only in source port into 64 buckets: chi-squared, 63 dof,
  // p = 0.001 critical value 103.4.
  std::vector<int> buckets(64, 0);
  auto t = tuple("10.244.1.5", 0, "10.96.0.10", 80);
  for (uint32_t p = 0; p < 65536; ++p) {
    t.sport = ferry_htons(static_cast<uint16_t>(p));
    ++buckets[ferry_flow_hash(&t, 0) % 64];
  }
  double expect = 65536.0 / 64, chi2 = 0;
  for (int b : buckets) chi2 += (b - expect) * (b - expect) / expect;
  EXPECT_LT(chi2, 103.4);
}

TEST(FlowHash, ClientHashIgnoresPorts) {
  auto a = tuple("fd00::5", 1, "fd00::10", 80);
  auto b = tuple("fd00::5", 2, "fd00::11", 443);
  EXPECT_EQ(ferry_client_hash(&a.saddr, 0), ferry_client_hash(&b.saddr, 0));
}

}  // namespace
}  // namespace ferry::model
