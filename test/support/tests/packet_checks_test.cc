#include "ferry/testing/packet_checks.h"

#include <gtest/gtest.h>

#include "ferry/testing/packet_builder.h"

namespace ferry::testing {
namespace {

// Frame bytes as written in a packet capture, for vectors checked by hand.
Bytes hex(std::string_view text) {
  Bytes out;
  int nibbles = 0;
  uint8_t cur = 0;
  for (char c : text) {
    int v;
    if (c >= '0' && c <= '9')
      v = c - '0';
    else if (c >= 'a' && c <= 'f')
      v = c - 'a' + 10;
    else
      continue;
    cur = static_cast<uint8_t>(cur << 4 | v);
    if (++nibbles % 2 == 0) out.push_back(cur);
  }
  return out;
}

TEST(InternetChecksumTest, Rfc1071Example) {
  // RFC 1071 §3: bytes 00 01 f2 03 f4 f5 f6 f7 sum to 0xddf2; the checksum is its complement.
  Bytes data = hex("00 01 f2 03 f4 f5 f6 f7");
  uint32_t sum = onesComplementSum(data);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  EXPECT_EQ(sum, 0xddf2u);
  EXPECT_EQ(internetChecksum(data), 0x220d);
}

TEST(InternetChecksumTest, OddLengthPadsWithZero) {
  EXPECT_EQ(internetChecksum(hex("01")), 0xfeff);
  EXPECT_EQ(internetChecksum(hex("00 01 f2")), internetChecksum(hex("00 01 f2 00")));
}

TEST(InternetChecksumTest, EmptyIsAllOnes) {
  EXPECT_EQ(internetChecksum({}), 0xffff);
}

TEST(InternetChecksumTest, InitialSumIsAdded) {
  Bytes data = hex("12 34");
  EXPECT_EQ(internetChecksum(data, 0x1111), internetChecksum(hex("12 34 11 11")));
}

TEST(InternetChecksumTest, CarriesWrapAround) {
  // 0xffff + 0x0001 = 0x10000 -> folds to 0x0001 in one's complement arithmetic.
  EXPECT_EQ(internetChecksum(hex("ff ff 00 01")), 0xfffe);
}

// The IPv4 header example widely used to teach the header checksum (192.168.0.1 ->
// 192.168.0.199, UDP, total length 0x73): its checksum field is 0xb861.
TEST(Ipv4HeaderChecksumTest, KnownHeader) {
  Bytes header = hex("4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7");
  EXPECT_TRUE(verifyIpv4HeaderChecksum(header, FrameStart::kIp));
  Bytes zeroed = header;
  zeroed[10] = zeroed[11] = 0;
  EXPECT_EQ(internetChecksum(zeroed), 0xb861);
  header[8] = 0x3f;  // TTL decremented without fixing the checksum
  EXPECT_FALSE(verifyIpv4HeaderChecksum(header, FrameStart::kIp));
}

// 10.0.0.1:12345 -> 10.0.0.2:80 SYN, seq 1, window 65535, IP id 0x1234, DF, TTL 64. Checksums
// worked out by hand:
//   IP:  4500+0028+1234+4000+4006+0a00+0001+0a00+0002 = eb65 -> ~ = 149a
//   TCP: pseudo 0a00+0001+0a00+0002+0006+0014 = 141d; header 3039+0050+0001+5002+ffff = 1808b
//        -> 808c; 141d+808c = 94a9 -> ~ = 6b56
const char* kSynFrame =
    "020000000002 020000000001 0800"
    "4500 0028 1234 4000 4006 149a 0a00 0001 0a00 0002"
    "3039 0050 00000001 00000000 5002 ffff 6b56 0000";

TEST(L4ChecksumTest, HandcraftedTcpSyn) {
  Bytes frame = hex(kSynFrame);
  ASSERT_EQ(frame.size(), 54u);
  EXPECT_TRUE(verifyIpv4HeaderChecksum(frame));
  EXPECT_TRUE(verifyL4Checksum(frame));
  EXPECT_EQ(computeL4Checksum(frame), 0x6b56);
  frame[14 + 20 + 13] = 0x12;  // SYN -> SYN|ACK without fixing the checksum
  EXPECT_FALSE(verifyL4Checksum(frame));
  EXPECT_EQ(computeL4Checksum(frame), 0x6b46);
}

TEST(L4ChecksumTest, BothEncodingsOfZeroVerify) {
  // Choose a payload word that makes the TCP checksum come out as 0x0000: an incremental update
  // may produce 0xffff instead (RFC 1624 §3), and a receiver accepts either.
  auto make = [](uint16_t word) {
    uint8_t p[2] = {static_cast<uint8_t>(word >> 8), static_cast<uint8_t>(word)};
    return PacketBuilder().ipv4("10.0.0.1", "10.0.0.2").tcp(1, 2).payload(p).build();
  };
  uint16_t c = *computeL4Checksum(make(0));
  Bytes frame = make(c);
  const std::size_t field = 14 + 20 + 16;
  ASSERT_EQ(frame[field], 0);
  ASSERT_EQ(frame[field + 1], 0);
  EXPECT_TRUE(verifyL4Checksum(frame));
  frame[field] = frame[field + 1] = 0xff;
  EXPECT_TRUE(verifyL4Checksum(frame));
}

TEST(L4ChecksumTest, UdpZeroChecksumValidOnlyOverIpv4) {
  Bytes v4 =
      PacketBuilder().ipv4("10.0.0.1", "10.0.0.2").udp(1, 2).payload("x").udpZeroChecksum().build();
  EXPECT_TRUE(verifyL4Checksum(v4));
  Bytes v6 =
      PacketBuilder().ipv6("fd00::1", "fd00::2").udp(1, 2).payload("x").l4Checksum(0).build();
  EXPECT_FALSE(verifyL4Checksum(v6));
}

TEST(L4ChecksumTest, FragmentsAndTruncatedPacketsAreNotVerifiable) {
  auto b = PacketBuilder().ipv4("10.0.0.1", "10.0.0.2").udp(1, 2).payload("hello");
  Bytes whole = b.build();
  EXPECT_TRUE(verifyL4Checksum(whole));
  Bytes cut = whole;
  cut.pop_back();
  EXPECT_FALSE(computeL4Checksum(cut).has_value());
  EXPECT_FALSE(verifyL4Checksum(cut));
  Bytes frag = PacketBuilder(b).moreFragments().build();
  EXPECT_FALSE(computeL4Checksum(frag).has_value());
}

TEST(ParsePacketTest, Ipv4WithOptionsAndTcpOptions) {
  const uint8_t ip_opts[] = {0x94, 0x04, 0x00, 0x00};         // router alert
  const uint8_t tcp_opts[] = {0x02, 0x04, 0x05, 0xb4, 0x01};  // MSS 1460, NOP (+ padding)
  Bytes f = PacketBuilder()
                .ipv4("10.0.0.1", "10.0.0.2")
                .ipv4Options(ip_opts)
                .tcp(1, 2)
                .tcpOptions(tcp_opts)
                .payload("abc")
                .build();
  auto l = parsePacket(f);
  ASSERT_TRUE(l.has_value());
  EXPECT_EQ(l->l3, 14u);
  EXPECT_EQ(l->ip_version, 4);
  EXPECT_EQ(l->l3_header_len, 24u);
  EXPECT_EQ(l->l4, 38u);
  EXPECT_EQ(l->l4_proto, 6);
  EXPECT_EQ(l->l4_header_len, 28u);
  EXPECT_EQ(l->payload, 66u);
  EXPECT_EQ(l->l3_end, f.size());
  EXPECT_FALSE(l->fragment);
}

TEST(ParsePacketTest, Ipv6UdpAndL3Start) {
  Bytes l3 = PacketBuilder().ipv6("fd00::1", "fd00::2").udp(53, 5353).payload("q").buildL3();
  auto l = parsePacket(l3, FrameStart::kIp);
  ASSERT_TRUE(l.has_value());
  EXPECT_EQ(l->l3, 0u);
  EXPECT_EQ(l->ip_version, 6);
  EXPECT_EQ(l->l4, 40u);
  EXPECT_EQ(l->l4_header_len, 8u);
  EXPECT_EQ(l->payload, 48u);
  EXPECT_TRUE(verifyL4Checksum(l3, FrameStart::kIp));
}

TEST(ParsePacketTest, RejectsNonIpAndShortHeaders) {
  Bytes arp = PacketBuilder().ethType(0x0806).payload("arp").build();
  EXPECT_FALSE(parsePacket(arp).has_value());
  Bytes cut = PacketBuilder().ipv4("10.0.0.1", "10.0.0.2").udp(1, 2).truncate(30).build();
  EXPECT_FALSE(parsePacket(cut).has_value());
  Bytes bad_ihl = PacketBuilder().ipv4("10.0.0.1", "10.0.0.2").udp(1, 2).ipHeaderLength(4).build();
  EXPECT_FALSE(parsePacket(bad_ihl).has_value());
}

TEST(FieldAtTest, NamesHeaderFields) {
  Bytes f = hex(kSynFrame);
  EXPECT_EQ(fieldAt(f, 0), "eth.dst");
  EXPECT_EQ(fieldAt(f, 13), "eth.type");
  EXPECT_EQ(fieldAt(f, 14 + 8), "ipv4.ttl");
  EXPECT_EQ(fieldAt(f, 14 + 10), "ipv4.checksum");
  EXPECT_EQ(fieldAt(f, 14 + 19), "ipv4.dst");
  EXPECT_EQ(fieldAt(f, 34 + 4), "tcp.seq");
  EXPECT_EQ(fieldAt(f, 34 + 13), "tcp.flags");
  EXPECT_EQ(fieldAt(f, 100), "");
}

TEST(FieldAtTest, NamesIcmpErrorInnerFields) {
  Bytes inner = PacketBuilder().ipv4("10.0.0.2", "10.0.0.9").udp(4000, 53).payload("q").buildL3();
  Bytes f = PacketBuilder()
                .ipv4("10.0.0.9", "10.0.0.2")
                .icmpDestUnreachable(kIcmpUnreachPort, inner)
                .build();
  const std::size_t inner_at = 14 + 20 + 8;
  EXPECT_EQ(fieldAt(f, 14 + 20), "icmp.type");
  EXPECT_EQ(fieldAt(f, inner_at + 12), "icmp.inner.ipv4.src");
  EXPECT_EQ(fieldAt(f, inner_at + 20 + 2), "icmp.inner.udp.dport");
  EXPECT_EQ(fieldAt(f, inner_at + 28), "icmp.inner.udp.payload");
}

TEST(DescribePacketDiffTest, EqualPacketsGiveEmptyString) {
  Bytes f = hex(kSynFrame);
  EXPECT_EQ(describePacketDiff(f, f), "");
}

TEST(DescribePacketDiffTest, NamesChangedFieldsAndOffsets) {
  Bytes want = hex(kSynFrame);
  Bytes got = want;
  got[14 + 19] = 0x03;  // ipv4.dst 10.0.0.2 -> 10.0.0.3
  got[14 + 11] = 0x99;  // ipv4.checksum low byte
  std::string d = describePacketDiff(want, got);
  EXPECT_NE(d.find("2 of the first 54 bytes differ"), std::string::npos) << d;
  EXPECT_NE(d.find("at 0x0018 (24) ipv4.checksum: expected 14 9a, actual 14 99"), std::string::npos)
      << d;
  EXPECT_NE(d.find("at 0x001e (30) ipv4.dst: expected 0a 00 00 02, actual 0a 00 00 03"),
            std::string::npos)
      << d;
  EXPECT_NE(d.find("^^"), std::string::npos) << d;
}

TEST(DescribePacketDiffTest, ReportsLengthDifference) {
  Bytes want = PacketBuilder().ipv4("10.0.0.1", "10.0.0.2").udp(1, 2).payload("abcd").build();
  Bytes got(want.begin(), want.end() - 2);
  std::string d = describePacketDiff(want, got);
  EXPECT_NE(d.find("expected 46 bytes, actual 44 bytes"), std::string::npos) << d;
  EXPECT_NE(d.find("expected has 2 extra bytes from 0x002c (44), starting in udp.payload"),
            std::string::npos)
      << d;
}

TEST(HexdumpTest, Format) {
  Bytes data = hex("48 65 6c 6c 6f 00 01 02 03 04 05 06 07 08 09 0a 41");
  EXPECT_EQ(hexdump(data),
            "0000  48 65 6c 6c 6f 00 01 02 03 04 05 06 07 08 09 0a  |Hello...........|\n"
            "0010  41                                               |A|\n");
}

}  // namespace
}  // namespace ferry::testing
