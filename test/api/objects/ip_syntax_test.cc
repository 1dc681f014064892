#include "ferry/api/ip_syntax.h"

#include <gtest/gtest.h>

namespace ferry::api {
namespace {

TEST(IpSyntax, Addresses) {
  for (const char* ok : {"10.0.0.1", "0.0.0.0", "255.255.255.255", "010.001.0.9", "::", "fd00::1",
                         "2001:db8::ffff", "::ffff:10.1.2.3"}) {
    EXPECT_TRUE(isValidIp(ok)) << ok;
  }
  for (const char* bad : {"", "10.0.0", "10.0.0.256", "10.0.0.1.", " 10.0.0.1", "1.2.3.4/32",
                          "fd00:::1", "fe80::1%eth0", "abc", "1.2.3.-4", "::1::"}) {
    EXPECT_FALSE(isValidIp(bad)) << bad;
  }
}

TEST(IpSyntax, FamiliesFollowGo) {
  EXPECT_TRUE(isIpv4("10.1.2.3"));
  EXPECT_TRUE(isIpv4("::ffff:10.1.2.3"));  // a mapped address is IPv4 to Go
  EXPECT_FALSE(isIpv6("::ffff:10.1.2.3"));
  EXPECT_TRUE(isIpv6("fd00::1"));
  EXPECT_FALSE(isIpv4("nope"));
  EXPECT_FALSE(isIpv6("nope"));
}

TEST(IpSyntax, SpecialRanges) {
  auto ip = [](const char* t) { return *parseIp(t); };
  EXPECT_TRUE(ip("0.0.0.0").isUnspecified());
  EXPECT_TRUE(ip("::").isUnspecified());
  EXPECT_TRUE(ip("127.3.4.5").isLoopback());
  EXPECT_TRUE(ip("::1").isLoopback());
  EXPECT_FALSE(ip("::2").isLoopback());
  EXPECT_TRUE(ip("169.254.1.1").isLinkLocalUnicast());
  EXPECT_TRUE(ip("fe80::1").isLinkLocalUnicast());
  EXPECT_TRUE(ip("febf::1").isLinkLocalUnicast());
  EXPECT_FALSE(ip("fec0::1").isLinkLocalUnicast());
  EXPECT_TRUE(ip("224.0.0.251").isLinkLocalMulticast());
  EXPECT_FALSE(ip("224.0.1.1").isLinkLocalMulticast());
  EXPECT_TRUE(ip("ff02::fb").isLinkLocalMulticast());
  EXPECT_FALSE(ip("10.0.0.1").isLoopback());
  EXPECT_FALSE(ip("10.0.0.1").isUnspecified());
}

TEST(IpSyntax, Cidrs) {
  for (const char* ok : {"10.0.0.0/8", "10.0.0.1/32", "0.0.0.0/0", "fd00::/64", "::/0",
                         "2001:db8::1/128", "10.1.2.3/8", "10.0.0.0/0008"}) {
    EXPECT_TRUE(isValidCidr(ok)) << ok;
  }
  for (const char* bad : {"10.0.0.0", "10.0.0.0/33", "10.0.0.0/", "fd00::/129", "x/8", "10.0.0.0/a",
                          "/8", "10.0.0.0/-1"}) {
    EXPECT_FALSE(isValidCidr(bad)) << bad;
  }
}

}  // namespace
}  // namespace ferry::api
