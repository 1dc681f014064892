// Response-rate limiting and the address ranges behind it and the recursion ACL.
#include "ferry/dns/rate_limiter.h"

#include <gmock/gmock.h>

#include "dns_packets.h"
#include "ferry/dns/address_set.h"
#include "ferry/dns/wire_types.h"

namespace ferry::dns {
namespace {

using namespace std::chrono_literals;
using Clock = ResponseRateLimiter::Clock;

ClientAddress addr(const char* text) {
  return ClientAddress::parse(text).value();
}

const Clock::time_point t0{std::chrono::hours(1000)};

TEST(AddressSet, MatchesIpv4AndIpv6Ranges) {
  auto set = AddressSet::parse(defaultRecursionRanges());
  ASSERT_TRUE(set.ok());
  EXPECT_TRUE(set->contains(addr("127.0.0.1")));
  EXPECT_TRUE(set->contains(addr("10.244.3.7")));
  EXPECT_TRUE(set->contains(addr("172.31.255.255")));
  EXPECT_FALSE(set->contains(addr("172.32.0.1")));
  EXPECT_TRUE(set->contains(addr("192.168.1.1")));
  EXPECT_FALSE(set->contains(addr("8.8.8.8")));
  EXPECT_TRUE(set->contains(addr("::1")));
  EXPECT_TRUE(set->contains(addr("fd00::10")));
  EXPECT_FALSE(set->contains(addr("2001:db8::1")));
  EXPECT_FALSE(AddressSet::parse({"10.0.0.0/33"}).ok());
  EXPECT_FALSE(AddressSet::parse({"nonsense"}).ok());
  EXPECT_TRUE(AddressSet::parse({"none"})->empty());
  EXPECT_TRUE(AddressSet::parse({"192.0.2.1"})->contains(addr("192.0.2.1")));
  EXPECT_FALSE(AddressSet::parse({"192.0.2.1"})->contains(addr("192.0.2.2")));
}

TEST(ResponseRateLimiter, NetworksAreSlash24AndSlash56) {
  EXPECT_EQ(ResponseRateLimiter::networkKey(addr("192.0.2.1")),
            ResponseRateLimiter::networkKey(addr("192.0.2.254")));
  EXPECT_NE(ResponseRateLimiter::networkKey(addr("192.0.2.1")),
            ResponseRateLimiter::networkKey(addr("192.0.3.1")));
  EXPECT_EQ(ResponseRateLimiter::networkKey(addr("2001:db8:0:ff::1")),
            ResponseRateLimiter::networkKey(addr("2001:db8:0:0::2")));
  EXPECT_NE(ResponseRateLimiter::networkKey(addr("2001:db8:0:100::1")),
            ResponseRateLimiter::networkKey(addr("2001:db8::1")));
}

TEST(ResponseRateLimiter, BurstOfOneSecondThenRefillAtTheRate) {
  ResponseRateLimiter rrl({.responses_per_second = 10, .slip = 0, .table_size = 64});
  const auto a = addr("192.0.2.1");
  for (int i = 0; i < 10; ++i) EXPECT_EQ(rrl.check(a, t0), RrlVerdict::kSend) << i;
  EXPECT_EQ(rrl.check(a, t0), RrlVerdict::kDrop);
  // 10/s: one token per 100 ms.
  EXPECT_EQ(rrl.check(a, t0 + 50ms), RrlVerdict::kDrop);
  EXPECT_EQ(rrl.check(a, t0 + 100ms), RrlVerdict::kSend);
  EXPECT_EQ(rrl.check(a, t0 + 100ms), RrlVerdict::kDrop);
  // Another /24 has its own bucket; the same /24 shares it.
  EXPECT_EQ(rrl.check(addr("192.0.3.1"), t0 + 100ms), RrlVerdict::kSend);
  EXPECT_EQ(rrl.check(addr("192.0.2.99"), t0 + 100ms), RrlVerdict::kDrop);
  // Refill stops at the burst.
  for (int i = 0; i < 10; ++i) EXPECT_EQ(rrl.check(a, t0 + 1h), RrlVerdict::kSend) << i;
  EXPECT_EQ(rrl.check(a, t0 + 1h), RrlVerdict::kDrop);
}

TEST(ResponseRateLimiter, EverySecondOverTheLimitSlips) {
  ResponseRateLimiter rrl({.responses_per_second = 1, .slip = 2, .table_size = 64});
  const auto a = addr("2001:db8::1");
  EXPECT_EQ(rrl.check(a, t0), RrlVerdict::kSend);
  EXPECT_EQ(rrl.check(a, t0), RrlVerdict::kDrop);
  EXPECT_EQ(rrl.check(a, t0), RrlVerdict::kSlip);
  EXPECT_EQ(rrl.check(a, t0), RrlVerdict::kDrop);
  EXPECT_EQ(rrl.check(a, t0), RrlVerdict::kSlip);
}

TEST(ResponseRateLimiter, ZeroRateIsOff) {
  ResponseRateLimiter rrl({.responses_per_second = 0});
  EXPECT_FALSE(rrl.enabled());
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(rrl.check(addr("192.0.2.1"), t0), RrlVerdict::kSend);
}

TEST(TruncateToQuestion, KeepsHeaderAndQuestionWithTc) {
  auto m = testing::makeQuery("www.example.test", rrtype::kA, testing::edns(1232));
  m[2] |= 0x80;  // QR, so it decodes as a response
  const size_t question_end = 12 + 18 + 4;
  const size_t n = truncateToQuestion(m, m.size());
  EXPECT_EQ(n, question_end);
  m.resize(n);
  const auto d = testing::decodeResponse(m);
  ASSERT_TRUE(d.has_value());
  EXPECT_TRUE(d->tc());
  EXPECT_EQ(d->qname, "www.example.test.");
  EXPECT_FALSE(d->has_opt);
  std::vector<uint8_t> runt = {1, 2, 3};
  EXPECT_EQ(truncateToQuestion(runt, runt.size()), 0u);
}

}  // namespace
}  // namespace ferry::dns
