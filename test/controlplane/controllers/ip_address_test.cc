// White-box: the IP parser and printer must agree with Go's net.IP (as kube uses it), or
// addresses written here would differ textually from kube's for the same pod.
#include "ip_address.h"

#include <gtest/gtest.h>

namespace ferry::controlplane::detail {
namespace {

TEST(IpAddress, CanonicalFormsMatchGo) {
  const std::pair<const char*, const char*> cases[] = {
      {"10.0.0.1", "10.0.0.1"},
      {"010.000.000.001", "10.0.0.1"},  // ParseIPSloppy: leading zeros are decimal
      {"255.255.255.255", "255.255.255.255"},
      {"::", "::"},
      {"::1", "::1"},
      {"FD00:0:0:0:0:0:0:2", "fd00::2"},
      {"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"},  // first longest run compressed
      {"2001:0db8:0000:0001:0000:0000:0000:0001", "2001:db8:0:1::1"},
      {"2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"},  // a single zero group stays
      {"1::", "1::"},
      {"::ffff:192.0.2.1", "192.0.2.1"},  // IPv4-mapped is IPv4 (To4)
      {"::192.0.2.1", "::c000:201"},      // IPv4-compatible is IPv6, printed without dots
      {"64:ff9b::192.0.2.33", "64:ff9b::c000:221"},
  };
  for (const auto& [in, out] : cases) {
    SCOPED_TRACE(in);
    auto ip = parseIpSloppy(in);
    ASSERT_TRUE(ip.has_value());
    EXPECT_EQ(ip->toString(), out);
  }
  EXPECT_EQ(parseIpSloppy("::ffff:192.0.2.1")->family, IpFamily::kIPv4);
  EXPECT_EQ(parseIpSloppy("::192.0.2.1")->family, IpFamily::kIPv6);
}

TEST(IpAddress, RejectsWhatGoRejects) {
  for (const char* bad :
       {"", "1.2.3", "1.2.3.4.5", "256.0.0.1", "1.2.3.-4", "a.b.c.d", "1.2.3.4 ", ":",
        ":::", "1:2:3:4:5:6:7:8:9", "1::2::3", "12345::", "::g", "1:2:3:4:5:6:7::8:9",
        "1:2:3:4:5:6:7:8::", "fe80::1%eth0", "10.0.0.0/8", "1:2:3:4:5:6:1.2.3.4:5", "1:"}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(parseIpSloppy(bad).has_value());
  }
}

TEST(IpAddress, NumericOrder) {
  EXPECT_TRUE(addressLess("10.0.0.9", "10.0.0.10"));
  EXPECT_FALSE(addressLess("10.0.0.10", "10.0.0.9"));
  EXPECT_TRUE(addressLess("255.255.255.255", "::1"));
  EXPECT_TRUE(addressLess("::1", "not-an-ip"));
  EXPECT_TRUE(addressLess("x", "y"));
}

}  // namespace
}  // namespace ferry::controlplane::detail
