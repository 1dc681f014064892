#include "ferry/model/nat.h"

#include <gtest/gtest.h>

#include <cstring>

#include "ferry/testing/packet_builder.h"
#include "ferry/testing/packet_checks.h"

namespace ferry::model {
namespace {

using testing::PacketBuilder;

IpAddress ip(const char* s) {
  return *IpAddress::parse(s);
}

// Rewrites and checks the result against a packet built from scratch with the new tuple: the
// builder computes checksums from first principles, so equal bytes mean the incremental update
// (RFC 1624) is right.
void expectRewriteEquals(testing::Bytes in, NatSide side, const char* addr, uint16_t port,
                         const testing::Bytes& want) {
  auto parsed = parsePacket(in);
  ASSERT_EQ(parsed.status, ParseStatus::kOk);
  ASSERT_EQ(natRewrite(in, parsed, side, ip(addr), port), FERRY_DROP_NONE);
  EXPECT_EQ(in, want) << testing::describePacketDiff(want, in);
  EXPECT_TRUE(testing::verifyL4Checksum(in));
  auto reparsed = parsePacket(in);
  EXPECT_EQ(std::memcmp(&reparsed.pkt.tuple, &parsed.pkt.tuple, sizeof parsed.pkt.tuple), 0)
      << "the parsed tuple follows the rewrite";
}

TEST(NatRewrite, DnatIpv4Tcp) {
  auto in = PacketBuilder()
                .ipv4("10.244.1.5", "10.96.0.10")
                .tcp(40000, 80)
                .seq(7)
                .payload("GET /")
                .build();
  auto want = PacketBuilder()
                  .ipv4("10.244.1.5", "10.244.2.9")
                  .tcp(40000, 8080)
                  .seq(7)
                  .payload("GET /")
                  .build();
  expectRewriteEquals(in, NatSide::kDestination, "10.244.2.9", 8080, want);
  EXPECT_TRUE(testing::verifyIpv4HeaderChecksum(want));
}

TEST(NatRewrite, ReverseNatIpv4Udp) {
  auto in =
      PacketBuilder().ipv4("10.244.2.9", "10.244.1.5").udp(5353, 40000).payload("answer").build();
  auto want =
      PacketBuilder().ipv4("10.96.0.10", "10.244.1.5").udp(53, 40000).payload("answer").build();
  expectRewriteEquals(in, NatSide::kSource, "10.96.0.10", 53, want);
}

TEST(NatRewrite, Ipv6TcpAndUdp) {
  auto tcp = PacketBuilder()
                 .ipv6("fd00::5", "fd00:96::a")
                 .tcp(1000, 443)
                 .tcpFlags(testing::kTcpSyn)
                 .build();
  auto tcp_want = PacketBuilder()
                      .ipv6("fd00::5", "fd00:244:2::9")
                      .tcp(1000, 8443)
                      .tcpFlags(testing::kTcpSyn)
                      .build();
  expectRewriteEquals(tcp, NatSide::kDestination, "fd00:244:2::9", 8443, tcp_want);

  auto udp = PacketBuilder().ipv6("fd00::5", "fd00:96::a").udp(1000, 53).payload("x").build();
  auto udp_want =
      PacketBuilder().ipv6("fd00:1::1", "fd00:96::a").udp(2000, 53).payload("x").build();
  expectRewriteEquals(udp, NatSide::kSource, "fd00:1::1", 2000, udp_want);
}

TEST(NatRewrite, Icmpv6EchoCoversThePseudoHeader) {
  auto in = PacketBuilder().ipv6("fd00::5", "fd00:96::a").icmpEchoRequest(77, 1).build();
  auto want = PacketBuilder().ipv6("fd00::5", "fd00::9").icmpEchoRequest(77, 1).build();
  expectRewriteEquals(in, NatSide::kDestination, "fd00::9", 77, want);
}

TEST(NatRewrite, Icmpv4EchoIdentifier) {
  auto in = PacketBuilder().ipv4("10.0.0.1", "10.96.0.1").icmpEchoRequest(77, 1).build();
  auto want = PacketBuilder().ipv4("10.0.0.1", "10.0.0.9").icmpEchoRequest(99, 1).build();
  expectRewriteEquals(in, NatSide::kDestination, "10.0.0.9", 99, want);
}

TEST(NatRewrite, UdpWithoutChecksumStaysWithout) {
  auto in = PacketBuilder()
                .ipv4("10.0.0.1", "10.96.0.10")
                .udp(1, 53)
                .udpZeroChecksum()
                .payload("q")
                .build();
  auto want = PacketBuilder()
                  .ipv4("10.0.0.1", "10.0.0.9")
                  .udp(1, 5353)
                  .udpZeroChecksum()
                  .payload("q")
                  .build();
  auto parsed = parsePacket(in);
  ASSERT_EQ(natRewrite(in, parsed, NatSide::kDestination, ip("10.0.0.9"), 5353), FERRY_DROP_NONE);
  EXPECT_EQ(in, want) << testing::describePacketDiff(want, in);
}

TEST(NatRewrite, FamilyMismatchFailsAndLeavesBytesAlone) {
  auto in = PacketBuilder().ipv4("10.0.0.1", "10.96.0.10").tcp(1, 80).build();
  auto before = in;
  auto parsed = parsePacket(in);
  EXPECT_EQ(natRewrite(in, parsed, NatSide::kDestination, ip("fd00::1"), 80),
            FERRY_DROP_NAT_FAILED);
  EXPECT_EQ(in, before);
}

TEST(NatRewrite, RefusesUnparsedPackets) {
  testing::Bytes junk(20, 0);
  auto parsed = parsePacket(junk);
  EXPECT_EQ(natRewrite(junk, parsed, NatSide::kDestination, ip("10.0.0.1"), 80),
            FERRY_DROP_NAT_FAILED);
}

}  // namespace
}  // namespace ferry::model
