#include "ferry/model/maglev.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>

namespace ferry::model {
namespace {

std::vector<MaglevBackend> makeBackends(uint32_t n, uint32_t weight = 1) {
  std::vector<MaglevBackend> out;
  for (uint32_t i = 0; i < n; ++i) {
    auto addr = IpAddress::v4(0x0af40000 + i);  // 10.244.x.y
    out.push_back({maglevIdentity(addr, 8080), weight, i + 1});
  }
  return out;
}

std::map<uint32_t, uint32_t> shares(const MaglevTable& t) {
  std::map<uint32_t, uint32_t> s;
  for (uint32_t v : t.slots) ++s[v];
  return s;
}

TEST(Maglev, RejectsNonPrimeSizes) {
  auto b = makeBackends(3);
  EXPECT_THROW(buildMaglev(b, 16384), std::invalid_argument);
  EXPECT_NO_THROW(buildMaglev(b, 16381));
  for (uint32_t m : kMaglevSizes) EXPECT_TRUE(isPrime(m)) << m;
  EXPECT_TRUE(isPrime(kMaglevDefaultSize));
  EXPECT_GE(kMaglevDefaultSize, 16381U);
}

TEST(Maglev, EverySlotFilled) {
  for (uint32_t n : {1U, 2U, 7U, 100U, 1000U}) {
    auto build = buildMaglev(makeBackends(n), kMaglevDefaultSize);
    ASSERT_EQ(build.table.slots.size(), kMaglevDefaultSize);
    EXPECT_EQ(std::count(build.table.slots.begin(), build.table.slots.end(), 0U), 0) << n;
    EXPECT_EQ(shares(build.table).size(), n);
  }
}

TEST(Maglev, EmptyBackendSetGivesEmptySlots) {
  auto build = buildMaglev({}, 251);
  EXPECT_EQ(std::count(build.table.slots.begin(), build.table.slots.end(), 0U), 251);
  std::vector<MaglevBackend> zero = makeBackends(3, 0);
  build = buildMaglev(zero, 251);
  EXPECT_EQ(std::count(build.table.slots.begin(), build.table.slots.end(), 0U), 251);
}

TEST(Maglev, DeterministicAndIndependentOfInputOrder) {
  auto b = makeBackends(50);
  auto first = buildMaglev(b, 4093);
  std::mt19937 rng(7);
  std::shuffle(b.begin(), b.end(), rng);
  auto second = buildMaglev(b, 4093);
  EXPECT_EQ(first.table.slots, second.table.slots);
}

// NSDI'16 §5.3: with M > 100·N every backend's share is within 1 % of the ideal.
TEST(Maglev, EqualWeightSharesWithinOnePercent) {
  for (auto [n, m] : {std::pair{10U, 1021U}, std::pair{100U, 16381U}, std::pair{160U, 16381U},
                      std::pair{600U, 65521U}}) {
    ASSERT_GE(m, 100 * n);
    auto t = buildMaglev(makeBackends(n), m).table;
    double ideal = static_cast<double>(m) / n;
    for (auto [value, count] : shares(t))
      EXPECT_NEAR(count, ideal, 0.01 * ideal + 1.0)
          << "n=" << n << " m=" << m << " backend " << value;
  }
}

TEST(Maglev, WeightedSharesWithinOnePercentOfWeight) {
  std::vector<MaglevBackend> b = makeBackends(20);
  uint32_t total = 0;
  for (size_t i = 0; i < b.size(); ++i) {
    b[i].weight = static_cast<uint32_t>(1 + i % 4);  // weights 1..4
    total += b[i].weight;
  }
  auto t = buildMaglev(b, 16381).table;
  auto s = shares(t);
  for (const auto& be : b) {
    double ideal = 16381.0 * be.weight / total;
    EXPECT_NEAR(s[be.value], ideal, 0.01 * ideal + 1.0) << "weight " << be.weight;
  }
}

// Removing one of N backends must move its own slots (1/N of the table) and little else: the
// paper's "minimal disruption". Maglev trades some resilience for balance (NSDI'16 §5.3): the
// extra churn shrinks as M/N grows. Measured with this implementation (moved / (M/N)):
//   M/N ≥ 1000: 1.02–1.11;  M=65521,N=50: 1.22;  M=131071,N=100: 1.36;  M=16381,N=100: 2.24.
// The bounds below hold those figures with a little room; a regression in the population
// order or the permutation shows up here.
TEST(Maglev, RemovingOneBackendMovesAboutOneNth) {
  struct Case {
    uint32_t n, m;
    double bound;  // in units of 1/N
  };
  for (auto [n, m, bound] : {Case{10, 16381, 1.2}, Case{10, 65521, 1.2}, Case{50, 65521, 1.4},
                             Case{100, 131071, 1.5}, Case{100, 16381, 2.5}}) {
    auto all = makeBackends(n);
    auto before = buildMaglev(all, m);
    auto fewer = all;
    fewer.erase(fewer.begin() + n / 2);
    auto after = buildMaglev(fewer, m, &before.table);
    double moved_in_nths = static_cast<double>(after.changed.size()) / m * n;
    RecordProperty("moved_n" + std::to_string(n) + "_m" + std::to_string(m),
                   std::to_string(moved_in_nths));
    EXPECT_GE(moved_in_nths, 0.9) << "the removed backend's own slots must move";
    EXPECT_LE(moved_in_nths, bound) << "n=" << n << " m=" << m;
  }
}

TEST(Maglev, ChangedSlotsAreExactlyTheDifferences) {
  auto all = makeBackends(30);
  auto before = buildMaglev(all, 4093);
  auto more = all;
  more.push_back({maglevIdentity(*IpAddress::parse("fd00::9"), 80), 1, 99});
  auto after = buildMaglev(more, 4093, &before.table);
  std::vector<uint32_t> expect;
  for (uint32_t s = 0; s < 4093; ++s)
    if (before.table.slots[s] != after.table.slots[s]) expect.push_back(s);
  EXPECT_EQ(after.changed, expect);
  EXPECT_FALSE(expect.empty());

  // Without a comparable previous table every slot is reported.
  EXPECT_EQ(buildMaglev(all, 4093).changed.size(), 4093U);
  auto small = buildMaglev(all, 251);
  EXPECT_EQ(buildMaglev(all, 4093, &small.table).changed.size(), 4093U);
  // Same input, same table: nothing changes.
  EXPECT_TRUE(buildMaglev(all, 4093, &before.table).changed.empty());
}

TEST(Maglev, IdentityDependsOnAddressAndPort) {
  auto a = *IpAddress::parse("10.0.0.1");
  auto b = *IpAddress::parse("10.0.0.2");
  EXPECT_EQ(maglevIdentity(a, 80), maglevIdentity(a, 80));
  EXPECT_NE(maglevIdentity(a, 80), maglevIdentity(a, 81));
  EXPECT_NE(maglevIdentity(a, 80), maglevIdentity(b, 80));
}

}  // namespace
}  // namespace ferry::model
