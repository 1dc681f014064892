#include "ferry/abi/csum.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace {

// RFC 1071 full checksum over 16-bit words (memory order), for comparison.
uint16_t fullChecksum(const std::vector<uint16_t>& words) {
  uint32_t sum = 0;
  for (uint16_t w : words) sum += w;
  return static_cast<uint16_t>(~ferry_csum_fold(sum));
}

// RFC 1624 §4 worked example: HC = 0xDD2F, m = 0x5555 -> m' = 0x3285 gives HC' = 0x0000.
TEST(Csum, Rfc1624Example) {
  EXPECT_EQ(ferry_csum_replace2(0xDD2F, 0x5555, 0x3285), 0x0000);
}

// One's complement has two zeros; a checksum field may legitimately hold either.
bool sameChecksum(uint16_t a, uint16_t b) {
  return a == b || ((a == 0 || a == 0xffff) && (b == 0 || b == 0xffff));
}

TEST(Csum, IncrementalMatchesRecomputationForRandomEdits) {
  std::mt19937 rng(1624);
  for (int round = 0; round < 2000; ++round) {
    std::vector<uint16_t> w(24);
    for (auto& x : w) x = static_cast<uint16_t>(rng());
    uint16_t check = fullChecksum(w);

    // 16-bit edit.
    size_t i = rng() % w.size();
    uint16_t old16 = w[i];
    w[i] = static_cast<uint16_t>(rng());
    check = ferry_csum_replace2(check, old16, w[i]);
    ASSERT_TRUE(sameChecksum(check, fullChecksum(w))) << "round " << round;

    // 32-bit edit (an IPv4 address), little-endian word layout as in memory.
    size_t j = rng() % (w.size() - 1);
    uint32_t old32 = w[j] | static_cast<uint32_t>(w[j + 1]) << 16;
    uint32_t new32 = rng();
    w[j] = static_cast<uint16_t>(new32);
    w[j + 1] = static_cast<uint16_t>(new32 >> 16);
    check = ferry_csum_replace4(check, old32, new32);
    ASSERT_TRUE(sameChecksum(check, fullChecksum(w))) << "round " << round;

    // 128-bit edit (an IPv6 address).
    size_t k = rng() % (w.size() - 7);
    uint32_t from[4], to[4];
    for (int q = 0; q < 4; ++q) {
      from[q] = w[k + 2 * q] | static_cast<uint32_t>(w[k + 2 * q + 1]) << 16;
      to[q] = rng();
      w[k + 2 * q] = static_cast<uint16_t>(to[q]);
      w[k + 2 * q + 1] = static_cast<uint16_t>(to[q] >> 16);
    }
    check = ferry_csum_replace16(check, from, to);
    ASSERT_TRUE(sameChecksum(check, fullChecksum(w))) << "round " << round;
  }
}

TEST(Csum, ReplacingWithTheSameValueKeepsTheChecksum) {
  EXPECT_EQ(ferry_csum_replace2(0x1234, 0xabcd, 0xabcd), 0x1234);
  EXPECT_EQ(ferry_csum_replace4(0x1234, 0xdeadbeef, 0xdeadbeef), 0x1234);
}

}  // namespace
