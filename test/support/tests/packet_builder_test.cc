#include "ferry/testing/packet_builder.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace ferry::testing {
namespace {

uint16_t be16(const Bytes& b, std::size_t off) {
  return static_cast<uint16_t>(b[off] << 8 | b[off + 1]);
}

uint32_t be32(const Bytes& b, std::size_t off) {
  return static_cast<uint32_t>(b[off]) << 24 | static_cast<uint32_t>(b[off + 1]) << 16 |
         static_cast<uint32_t>(b[off + 2]) << 8 | b[off + 3];
}

constexpr std::size_t kEth = 14;
constexpr std::size_t kV4 = kEth + 20;  // L4 offset behind a plain IPv4 header
constexpr std::size_t kV6 = kEth + 40;

TEST(PacketBuilderTest, MatchesHandcraftedTcpSyn) {
  // The same SYN as in packet_checks_test.cc, whose checksums were worked out by hand.
  Bytes got = PacketBuilder()
                  .ipv4("10.0.0.1", "10.0.0.2")
                  .ipId(0x1234)
                  .dontFragment()
                  .tcp(12345, 80)
                  .seq(1)
                  .tcpFlags(kTcpSyn)
                  .build();
  const Bytes want = {
      0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00,  // eth
      0x45, 0x00, 0x00, 0x28, 0x12, 0x34, 0x40, 0x00, 0x40, 0x06, 0x14, 0x9a,              // ipv4
      0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02,                                      //
      0x30, 0x39, 0x00, 0x50, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,              // tcp
      0x50, 0x02, 0xff, 0xff, 0x6b, 0x56, 0x00, 0x00};
  EXPECT_TRUE(got == want) << describePacketDiff(want, got);
}

TEST(PacketBuilderTest, EthernetDefaultsAndOverrides) {
  Bytes f = PacketBuilder()
                .ethSrc("aa:bb:cc:dd:ee:ff")
                .ethDst("02:00:0A:F4:01:02")
                .ipv6("fd00::1", "fd00::2")
                .udp(1, 2)
                .build();
  EXPECT_EQ(Bytes(f.begin(), f.begin() + 14), (Bytes{0x02, 0x00, 0x0a, 0xf4, 0x01, 0x02, 0xaa, 0xbb,
                                                     0xcc, 0xdd, 0xee, 0xff, 0x86, 0xdd}));
  Bytes arp = PacketBuilder().ethType(0x0806).payload("who-has").build();
  EXPECT_EQ(arp.size(), 14u + 7u);
  EXPECT_EQ(be16(arp, 12), 0x0806);
}

TEST(PacketBuilderTest, Ipv4UdpLengthsAndChecksums) {
  Bytes f = PacketBuilder()
                .ipv4("192.168.10.1", "10.96.0.10")
                .ttl(7)
                .tos(0xb8)
                .ipId(42)
                .udp(40000, 53)
                .payload("hello")
                .build();
  ASSERT_EQ(f.size(), kV4 + 8 + 5);
  EXPECT_EQ(f[kEth], 0x45);
  EXPECT_EQ(f[kEth + 1], 0xb8);
  EXPECT_EQ(be16(f, kEth + 2), 20 + 8 + 5);
  EXPECT_EQ(be16(f, kEth + 4), 42);
  EXPECT_EQ(be16(f, kEth + 6), 0);
  EXPECT_EQ(f[kEth + 8], 7);
  EXPECT_EQ(f[kEth + 9], 17);
  EXPECT_EQ(be16(f, kV4), 40000);
  EXPECT_EQ(be16(f, kV4 + 2), 53);
  EXPECT_EQ(be16(f, kV4 + 4), 8 + 5);
  EXPECT_TRUE(verifyIpv4HeaderChecksum(f));
  EXPECT_TRUE(verifyL4Checksum(f));
}

TEST(PacketBuilderTest, UdpChecksumOfZeroIsSentAsAllOnes) {
  auto make = [](uint16_t word) {
    uint8_t p[2] = {static_cast<uint8_t>(word >> 8), static_cast<uint8_t>(word)};
    return PacketBuilder().ipv4("10.0.0.1", "10.0.0.2").udp(1, 2).payload(p).build();
  };
  // The payload word equal to the checksum with a zero word makes the true checksum 0.
  Bytes f = make(be16(make(0), kV4 + 6));
  EXPECT_EQ(be16(f, kV4 + 6), 0xffff);
  EXPECT_TRUE(verifyL4Checksum(f));
}

TEST(PacketBuilderTest, UdpZeroChecksumOption) {
  Bytes f =
      PacketBuilder().ipv4("10.0.0.1", "10.0.0.2").udp(1, 2).payload("x").udpZeroChecksum().build();
  EXPECT_EQ(be16(f, kV4 + 6), 0);
  EXPECT_THROW(PacketBuilder().ipv6("fd00::1", "fd00::2").udp(1, 2).udpZeroChecksum().build(),
               std::invalid_argument);
}

TEST(PacketBuilderTest, Ipv6TcpWithOptions) {
  const uint8_t mss[] = {0x02, 0x04, 0x05, 0x8c};
  Bytes f = PacketBuilder()
                .ipv6("fd00:244:0:1::2", "fd00:244::3")
                .hopLimit(9)
                .tos(0x28)
                .flowLabel(0xabcde)
                .tcp(443, 50000)
                .seq(0x01020304)
                .ack(0x0a0b0c0d)
                .tcpFlags(kTcpSyn | kTcpAck)
                .window(1024)
                .tcpOptions(mss)
                .payload("data")
                .build();
  ASSERT_EQ(f.size(), kV6 + 24 + 4);
  EXPECT_EQ(be32(f, kEth), 0x6u << 28 | 0x28u << 20 | 0xabcdeu);
  EXPECT_EQ(be16(f, kEth + 4), 24 + 4);
  EXPECT_EQ(f[kEth + 6], 6);
  EXPECT_EQ(f[kEth + 7], 9);
  EXPECT_EQ(f[kEth + 8], 0xfd);
  EXPECT_EQ(f[kEth + 8 + 15], 0x02);
  EXPECT_EQ(be32(f, kV6 + 4), 0x01020304u);
  EXPECT_EQ(be32(f, kV6 + 8), 0x0a0b0c0du);
  EXPECT_EQ(f[kV6 + 12], 6 << 4);  // data offset: 24 bytes
  EXPECT_EQ(f[kV6 + 13], kTcpSyn | kTcpAck);
  EXPECT_EQ(be16(f, kV6 + 14), 1024);
  EXPECT_TRUE(verifyL4Checksum(f));
}

TEST(PacketBuilderTest, TcpDefaults) {
  Bytes f = PacketBuilder().ipv4("10.0.0.1", "10.0.0.2").tcp(1, 2).build();
  EXPECT_EQ(f[kV4 + 13], kTcpAck);
  EXPECT_EQ(be16(f, kV4 + 14), 65535);
  EXPECT_EQ(f[kEth + 8], 64);  // TTL
}

TEST(PacketBuilderTest, IcmpEchoBothFamilies) {
  Bytes v4 =
      PacketBuilder().ipv4("10.0.0.1", "10.0.0.2").icmpEchoRequest(0x1234, 7).payload("p").build();
  EXPECT_EQ(v4[kEth + 9], 1);
  EXPECT_EQ(v4[kV4], 8);
  EXPECT_EQ(be16(v4, kV4 + 4), 0x1234);
  EXPECT_EQ(be16(v4, kV4 + 6), 7);
  EXPECT_TRUE(verifyL4Checksum(v4));
  // ICMPv4 has no pseudo-header: the checksum covers the message alone.
  EXPECT_EQ(internetChecksum(ByteView(v4).subspan(kV4)), 0);

  Bytes r4 = PacketBuilder().ipv4("10.0.0.2", "10.0.0.1").icmpEchoReply(1, 2).build();
  EXPECT_EQ(r4[kV4], 0);
  EXPECT_TRUE(verifyL4Checksum(r4));

  Bytes v6 = PacketBuilder().ipv6("fd00::1", "fd00::2").icmpEchoRequest(5, 6).build();
  EXPECT_EQ(v6[kEth + 6], 58);
  EXPECT_EQ(v6[kV6], 128);
  EXPECT_TRUE(verifyL4Checksum(v6));
  Bytes r6 = PacketBuilder().ipv6("fd00::2", "fd00::1").icmpEchoReply(5, 6).build();
  EXPECT_EQ(r6[kV6], 129);
  EXPECT_TRUE(verifyL4Checksum(r6));
}

TEST(PacketBuilderTest, IcmpErrorsQuoteTheInnerPacket) {
  Bytes inner = PacketBuilder().ipv4("10.244.0.2", "10.96.0.10").tcp(40000, 80).buildL3();
  ASSERT_EQ(inner.size(), 40u);
  Bytes f = PacketBuilder()
                .ipv4("10.96.0.10", "10.244.0.2")
                .icmpDestUnreachable(kIcmpUnreachPort, inner)
                .build();
  EXPECT_EQ(f[kV4], 3);
  EXPECT_EQ(f[kV4 + 1], kIcmpUnreachPort);
  EXPECT_EQ(be32(f, kV4 + 4), 0u);
  EXPECT_EQ(Bytes(f.begin() + kV4 + 8, f.end()), inner);
  EXPECT_EQ(be16(f, kEth + 2), 20 + 8 + 40);
  EXPECT_TRUE(verifyL4Checksum(f));

  Bytes frag = PacketBuilder().ipv4("10.0.0.1", "10.244.0.2").icmpPacketTooBig(1400, inner).build();
  EXPECT_EQ(frag[kV4], 3);
  EXPECT_EQ(frag[kV4 + 1], kIcmpUnreachNeedFrag);
  EXPECT_EQ(be16(frag, kV4 + 4), 0);
  EXPECT_EQ(be16(frag, kV4 + 6), 1400);
  EXPECT_TRUE(verifyL4Checksum(frag));

  Bytes inner6 = PacketBuilder().ipv6("fd00::2", "fd00::9").udp(1, 2).buildL3();
  Bytes ptb = PacketBuilder().ipv6("fd00::1", "fd00::2").icmpPacketTooBig(1280, inner6).build();
  EXPECT_EQ(ptb[kV6], 2);
  EXPECT_EQ(be32(ptb, kV6 + 4), 1280u);
  EXPECT_TRUE(verifyL4Checksum(ptb));
  Bytes un6 = PacketBuilder()
                  .ipv6("fd00::1", "fd00::2")
                  .icmpDestUnreachable(kIcmp6UnreachPort, inner6)
                  .build();
  EXPECT_EQ(un6[kV6], 1);
  EXPECT_EQ(un6[kV6 + 1], kIcmp6UnreachPort);
  EXPECT_TRUE(verifyL4Checksum(un6));
}

TEST(PacketBuilderTest, RawIcmpMessage) {
  Bytes f =
      PacketBuilder().ipv4("10.0.0.1", "10.0.0.2").icmp(13, 0, 0xdeadbeef).payload("ts").build();
  EXPECT_EQ(f[kV4], 13);
  EXPECT_EQ(be32(f, kV4 + 4), 0xdeadbeefu);
  EXPECT_TRUE(verifyL4Checksum(f));
}

TEST(PacketBuilderTest, Ipv4OptionsGrowTheHeader) {
  const uint8_t opts[] = {0x94, 0x04, 0x00, 0x00, 0x01};  // router alert + NOP, padded to 8
  Bytes f = PacketBuilder().ipv4("10.0.0.1", "10.0.0.2").ipv4Options(opts).udp(1, 2).build();
  EXPECT_EQ(f[kEth] & 0x0f, 7);
  EXPECT_EQ(be16(f, kEth + 2), 28 + 8);
  EXPECT_EQ(f[kEth + 20 + 4], 0x01);
  EXPECT_EQ(f[kEth + 20 + 5], 0x00);  // padding
  EXPECT_TRUE(verifyIpv4HeaderChecksum(f));
  EXPECT_TRUE(verifyL4Checksum(f));
  Bytes too_long(41, 1);
  EXPECT_THROW(PacketBuilder().ipv4Options(too_long), std::invalid_argument);
}

TEST(PacketBuilderTest, FragmentFields) {
  Bytes f = PacketBuilder()
                .ipv4("10.0.0.1", "10.0.0.2")
                .moreFragments()
                .fragmentOffset(1480)
                .ipProtocol(17)
                .payload("tail")
                .build();
  EXPECT_EQ(be16(f, kEth + 6), 0x2000 | 185);
  EXPECT_EQ(f[kEth + 9], 17);
  EXPECT_EQ(f.size(), kV4 + 4);
  EXPECT_TRUE(verifyIpv4HeaderChecksum(f));
  Bytes df = PacketBuilder().ipv4("10.0.0.1", "10.0.0.2").dontFragment().udp(1, 2).build();
  EXPECT_EQ(be16(df, kEth + 6), 0x4000);
  EXPECT_THROW(PacketBuilder().fragmentOffset(100), std::invalid_argument);
}

TEST(PacketBuilderTest, MalformedOverridesProduceWhatWasAsked) {
  auto base = [] {
    return PacketBuilder().ipv4("10.0.0.1", "10.0.0.2").udp(1000, 2000).payload("abcdefgh");
  };
  Bytes good = base().build();
  ASSERT_EQ(good.size(), kV4 + 16);

  Bytes ipsum = base().ipChecksum(0xdead).build();
  EXPECT_EQ(be16(ipsum, kEth + 10), 0xdead);
  EXPECT_FALSE(verifyIpv4HeaderChecksum(ipsum));
  EXPECT_TRUE(verifyL4Checksum(ipsum));

  Bytes l4sum = base().l4Checksum(0x1234).build();
  EXPECT_EQ(be16(l4sum, kV4 + 6), 0x1234);
  EXPECT_TRUE(verifyIpv4HeaderChecksum(l4sum));
  EXPECT_FALSE(verifyL4Checksum(l4sum));

  Bytes total = base().ipTotalLength(9000).build();
  EXPECT_EQ(be16(total, kEth + 2), 9000);
  EXPECT_EQ(total.size(), good.size());          // only the field lies
  EXPECT_TRUE(verifyIpv4HeaderChecksum(total));  // consistent with the lie

  Bytes ulen = base().udpLength(4).build();
  EXPECT_EQ(be16(ulen, kV4 + 4), 4);

  Bytes ihl = base().ipHeaderLength(6).build();
  EXPECT_EQ(ihl[kEth] & 0x0f, 6);
  EXPECT_EQ(ihl.size(), good.size());

  Bytes ver = base().ipVersion(5).build();
  EXPECT_EQ(ver[kEth] >> 4, 5);

  Bytes proto = base().ipProtocol(6).build();
  EXPECT_EQ(proto[kEth + 9], 6);

  Bytes doff = PacketBuilder().ipv4("10.0.0.1", "10.0.0.2").tcp(1, 2).tcpDataOffset(15).build();
  EXPECT_EQ(doff[kV4 + 12], 15 << 4);
  EXPECT_EQ(doff.size(), kV4 + 20);

  Bytes cut = base().truncate(kV4 + 3).build();
  EXPECT_EQ(cut.size(), kV4 + 3);
  EXPECT_EQ(Bytes(cut.begin(), cut.end()), Bytes(good.begin(), good.begin() + kV4 + 3));
  Bytes cut_l3 = base().truncate(10).buildL3();
  EXPECT_EQ(cut_l3, Bytes(good.begin() + kEth, good.begin() + kEth + 10));
  EXPECT_THROW(base().truncate(1000).build(), std::invalid_argument);

  Bytes v6len = PacketBuilder().ipv6("fd00::1", "fd00::2").udp(1, 2).ipTotalLength(3).build();
  EXPECT_EQ(be16(v6len, kEth + 4), 3);
}

TEST(PacketBuilderTest, BuildL3OmitsEthernet) {
  auto b = PacketBuilder().ipv6("fd00::1", "fd00::2").tcp(1, 2).payload("x");
  Bytes frame = b.build();
  Bytes l3 = b.buildL3();
  EXPECT_EQ(l3, Bytes(frame.begin() + kEth, frame.end()));
}

TEST(PacketBuilderTest, MistakesThrowClearly) {
  auto expectThrowMentioning = [](auto&& fn, const std::string& text) {
    try {
      fn();
      ADD_FAILURE() << "no exception; wanted one mentioning " << text;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(text), std::string::npos) << e.what();
    }
  };
  expectThrowMentioning([] { PacketBuilder().ipv4("10.0.0.1", "10.0.0.2").seq(1).build(); },
                        "need tcp()");
  expectThrowMentioning([] { PacketBuilder().ipv4("10.0.0.1", "fd00::1"); }, "IPv4 addresses");
  expectThrowMentioning([] { PacketBuilder().ipv4("10.0.0.300", "10.0.0.1"); },
                        "not an IPv4 or IPv6 address");
  expectThrowMentioning([] { PacketBuilder().ethSrc("02:00:00:00:00"); }, "not a MAC");
  expectThrowMentioning([] { PacketBuilder().ipv6("fd00::1", "fd00::2").ipId(1).build(); },
                        "need ipv4()");
  expectThrowMentioning([] { PacketBuilder().ipv4("10.0.0.1", "10.0.0.2").flowLabel(1).build(); },
                        "needs ipv6()");
  expectThrowMentioning([] { PacketBuilder().udp(1, 2).build(); }, "need ipv4() or ipv6()");
  expectThrowMentioning([] { PacketBuilder().ipv4("10.0.0.1", "10.0.0.2").payload("x").build(); },
                        "needs ipProtocol()");
  expectThrowMentioning([] { PacketBuilder().payload("x").build(); }, "needs ethType()");
}

TEST(FragmentIpv4Test, SplitsAndReassembles) {
  std::string data(3000, '\0');
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>('a' + i % 26);
  Bytes whole =
      PacketBuilder().ipv4("10.0.0.1", "10.0.0.2").ipId(77).udp(5, 6).payload(data).build();
  auto frags = fragmentIpv4(whole, 1480);
  ASSERT_EQ(frags.size(), 3u);  // 3008 bytes of UDP: 1480 + 1480 + 48
  Bytes reassembled;
  for (std::size_t i = 0; i < frags.size(); ++i) {
    const Bytes& f = frags[i];
    EXPECT_TRUE(verifyIpv4HeaderChecksum(f)) << i;
    EXPECT_EQ(be16(f, kEth + 4), 77);
    uint16_t field = be16(f, kEth + 6);
    EXPECT_EQ((field & 0x1fff) * 8u, i * 1480) << i;
    EXPECT_EQ((field & 0x2000) != 0, i + 1 < frags.size()) << i;
    EXPECT_EQ(be16(f, kEth + 2), f.size() - kEth);
    reassembled.insert(reassembled.end(), f.begin() + kV4, f.end());
  }
  EXPECT_EQ(reassembled, Bytes(whole.begin() + kV4, whole.end()));
  EXPECT_THROW(
      fragmentIpv4(
          PacketBuilder(PacketBuilder().ipv4("10.0.0.1", "10.0.0.2").dontFragment().udp(1, 2))
              .build(),
          1480),
      std::invalid_argument);
}

}  // namespace
}  // namespace ferry::testing
