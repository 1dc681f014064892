#include "ferry/model/packet_view.h"

#include <gtest/gtest.h>

#include "ferry/testing/packet_builder.h"

namespace ferry::model {
namespace {

using testing::PacketBuilder;

TEST(ParsePacket, Ipv4Tcp) {
  auto bytes = PacketBuilder()
                   .ipv4("10.244.1.5", "10.96.0.10")
                   .tcp(40000, 80)
                   .tcpFlags(testing::kTcpSyn)
                   .build();
  auto p = parsePacket(bytes);
  ASSERT_EQ(p.status, ParseStatus::kOk);
  EXPECT_EQ(p.source().toString(), "10.244.1.5");
  EXPECT_EQ(p.destination().toString(), "10.96.0.10");
  EXPECT_EQ(p.sourcePort(), 40000);
  EXPECT_EQ(p.destinationPort(), 80);
  EXPECT_EQ(p.protocol(), 6);
  EXPECT_EQ(p.pkt.tuple.family, FERRY_AF_INET);
  EXPECT_EQ(p.pkt.tcp_flags, testing::kTcpSyn);
  EXPECT_EQ(p.pkt.l3_off, 14);
  EXPECT_EQ(p.pkt.l4_off, 34);
  EXPECT_EQ(p.pkt.l4_csum_off, 34 + 16);
  EXPECT_EQ(p.pkt.frag, FERRY_FRAG_NONE);
  EXPECT_EQ(p.pkt.ttl, 64);
}

TEST(ParsePacket, Ipv4OptionsMoveTheL4Header) {
  const uint8_t nops[] = {1, 1, 1, 1, 1, 1, 1, 0};  // 8 bytes: NOPs + EOL
  auto bytes = PacketBuilder().ipv4("10.0.0.1", "10.0.0.2").ipv4Options(nops).udp(53, 5353).build();
  auto p = parsePacket(bytes);
  ASSERT_EQ(p.status, ParseStatus::kOk);
  EXPECT_EQ(p.pkt.l4_off, 14 + 28);
  EXPECT_EQ(p.destinationPort(), 5353);
}

TEST(ParsePacket, Ipv6UdpAndIcmpv6Echo) {
  auto udp = PacketBuilder().ipv6("fd00::5", "fd00:96::a").udp(1234, 53).payload("q").build();
  auto p = parsePacket(udp);
  ASSERT_EQ(p.status, ParseStatus::kOk);
  EXPECT_EQ(p.pkt.tuple.family, FERRY_AF_INET6);
  EXPECT_EQ(p.destination().toString(), "fd00:96::a");
  EXPECT_EQ(p.pkt.l4_off, 54);
  EXPECT_EQ(p.pkt.l4_csum_off, 54 + 6);

  auto echo = PacketBuilder().ipv6("fd00::5", "fd00::6").icmpEchoRequest(0x4242, 1).build();
  p = parsePacket(echo);
  ASSERT_EQ(p.status, ParseStatus::kOk);
  EXPECT_EQ(p.protocol(), 58);
  EXPECT_EQ(p.pkt.icmp_type, 128);
  EXPECT_EQ(p.sourcePort(), 0x4242) << "echo id stands in for ports";
  EXPECT_EQ(p.destinationPort(), 0x4242);
}

TEST(ParsePacket, NotOurs) {
  auto arp = PacketBuilder().ethType(0x0806).payload("arp-ish").build();
  EXPECT_EQ(parsePacket(arp).status, ParseStatus::kNotOurs);
  auto gre =
      PacketBuilder().ipv4("10.0.0.1", "10.0.0.2").ipProtocol(47).payload("xxxxxxxx").build();
  EXPECT_EQ(parsePacket(gre).status, ParseStatus::kNotOurs);
}

TEST(ParsePacket, Fragments) {
  auto first = PacketBuilder()
                   .ipv4("10.0.0.1", "10.0.0.2")
                   .moreFragments()
                   .udp(1, 2)
                   .payload("abcdefgh")
                   .build();
  auto p = parsePacket(first);
  ASSERT_EQ(p.status, ParseStatus::kOk);
  EXPECT_EQ(p.pkt.frag, FERRY_FRAG_FIRST);
  EXPECT_EQ(p.destinationPort(), 2);

  auto later = PacketBuilder()
                   .ipv4("10.0.0.1", "10.0.0.2")
                   .fragmentOffset(1480)
                   .ipProtocol(17)
                   .payload("abcdefgh")
                   .build();
  p = parsePacket(later);
  ASSERT_EQ(p.status, ParseStatus::kOk);
  EXPECT_EQ(p.pkt.frag, FERRY_FRAG_LATER);
  EXPECT_EQ(p.destinationPort(), 0) << "no L4 header in a later fragment";
  EXPECT_EQ(p.pkt.l4_csum_off, 0);
}

TEST(ParsePacket, MalformedHeadersAreDropsWithTheRightReason) {
  struct Row {
    const char* what;
    testing::Bytes bytes;
    int reason;
  };
  const Row rows[] = {
      {"short ethernet", testing::Bytes(10, 0), FERRY_DROP_TRUNCATED},
      {"ihl 4", PacketBuilder().ipv4("10.0.0.1", "10.0.0.2").ipHeaderLength(4).udp(1, 2).build(),
       FERRY_DROP_BAD_L3},
      {"version 5", PacketBuilder().ipv4("10.0.0.1", "10.0.0.2").ipVersion(5).udp(1, 2).build(),
       FERRY_DROP_BAD_L3},
      {"total length beyond frame",
       PacketBuilder().ipv4("10.0.0.1", "10.0.0.2").ipTotalLength(1500).udp(1, 2).build(),
       FERRY_DROP_BAD_L3},
      {"total length below header",
       PacketBuilder().ipv4("10.0.0.1", "10.0.0.2").ipTotalLength(12).udp(1, 2).build(),
       FERRY_DROP_BAD_L3},
      {"tcp data offset 4",
       PacketBuilder().ipv4("10.0.0.1", "10.0.0.2").tcp(1, 2).tcpDataOffset(4).build(),
       FERRY_DROP_BAD_L4},
      {"ipv6 payload length beyond frame",
       PacketBuilder().ipv6("fd00::1", "fd00::2").ipTotalLength(4000).udp(1, 2).build(),
       FERRY_DROP_BAD_L3},
  };
  for (const Row& r : rows) {
    auto p = parsePacket(r.bytes);
    EXPECT_EQ(p.status, ParseStatus::kDrop) << r.what;
    EXPECT_EQ(p.drop_reason, r.reason) << r.what;
  }
}

// Every prefix of a valid frame must parse to "ok", "not ours" or a drop — never read past the
// end (ASan builds check the "never" part).
TEST(ParsePacket, EveryTruncationIsHandled) {
  const testing::Bytes frames[] = {
      PacketBuilder().ipv4("10.0.0.1", "10.0.0.2").tcp(1, 2).payload("hello").build(),
      PacketBuilder().ipv6("fd00::1", "fd00::2").udp(1, 2).payload("hello").build(),
      PacketBuilder().ipv4("10.0.0.1", "10.0.0.2").icmpEchoRequest(1, 1).build(),
  };
  for (const auto& full : frames) {
    for (size_t n = 0; n < full.size(); ++n) {
      testing::Bytes cut(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n));
      auto p = parsePacket(cut);
      EXPECT_NE(p.status, ParseStatus::kOk) << "prefix of " << n << " bytes parsed as complete";
    }
    EXPECT_EQ(parsePacket(full).status, ParseStatus::kOk);
  }
}

}  // namespace
}  // namespace ferry::model
