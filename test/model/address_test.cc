#include "ferry/model/address.h"

#include <gtest/gtest.h>

namespace ferry::model {
namespace {

TEST(IpAddress, ParsesAndFormatsIpv4AsMapped) {
  auto a = IpAddress::parse("10.96.0.10");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->family(), Family::kIpv4);
  EXPECT_EQ(a->toString(), "10.96.0.10");
  EXPECT_EQ(a->v4HostOrder(), 0x0a60000aU);
  EXPECT_EQ(a->bytes()[10], 0xff);
  EXPECT_EQ(a->bytes()[11], 0xff);
  EXPECT_EQ(*a, IpAddress::v4(0x0a60000a));
  ferry_addr raw = a->raw();
  EXPECT_TRUE(ferry_addr_is_v4(&raw));
}

TEST(IpAddress, ParsesIpv6) {
  auto a = IpAddress::parse("fd00::1");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->family(), Family::kIpv6);
  EXPECT_EQ(a->toString(), "fd00::1");
  EXPECT_FALSE(a->isUnspecified());
  EXPECT_TRUE(IpAddress().isUnspecified());
  EXPECT_TRUE(IpAddress::parse("0.0.0.0")->isUnspecified());
}

TEST(IpAddress, RejectsGarbage) {
  for (const char* bad : {"", "10.0.0", "10.0.0.256", "fd00:::1", "10.0.0.1/8", "abc", " 1.2.3.4"})
    EXPECT_FALSE(IpAddress::parse(bad)) << bad;
}

TEST(Cidr, ContainsAndClearsHostBits) {
  auto c = Cidr::parse("10.96.3.7/12");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->toString(), "10.96.0.0/12");
  EXPECT_EQ(c->prefixLength(), 12);
  EXPECT_TRUE(c->contains(*IpAddress::parse("10.111.255.255")));
  EXPECT_FALSE(c->contains(*IpAddress::parse("10.112.0.0")));
  EXPECT_FALSE(c->contains(*IpAddress::parse("::a60:1"))) << "IPv6 never matches an IPv4 prefix";
  EXPECT_EQ(*Cidr::parse("10.96.0.0/12"), *c);

  auto v6 = Cidr::parse("fd00:10:96::/108");
  ASSERT_TRUE(v6);
  EXPECT_TRUE(v6->contains(*IpAddress::parse("fd00:10:96::f:ffff")));
  EXPECT_FALSE(v6->contains(*IpAddress::parse("fd00:10:96::10:0")));
  EXPECT_FALSE(v6->contains(*IpAddress::parse("10.96.0.1")));

  auto all = Cidr::parse("0.0.0.0/0");
  ASSERT_TRUE(all);
  EXPECT_TRUE(all->contains(*IpAddress::parse("203.0.113.9")));
  EXPECT_FALSE(all->contains(*IpAddress::parse("2001:db8::1")));
}

TEST(Cidr, RejectsBadPrefixes) {
  for (const char* bad :
       {"10.0.0.0", "10.0.0.0/33", "fd00::/129", "10.0.0.0/", "10.0.0.0/a", "x/8", "10.0.0.0/-1"})
    EXPECT_FALSE(Cidr::parse(bad)) << bad;
}

}  // namespace
}  // namespace ferry::model
