#include "ferry/model/backend_selection.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>

namespace ferry::model {
namespace {

std::map<uint32_t, uint32_t> count(const std::vector<uint32_t>& slots) {
  std::map<uint32_t, uint32_t> c;
  for (uint32_t s : slots) ++c[s];
  return c;
}

TEST(WeightedSlots, EqualWeightsOneSlotEach) {
  std::vector<uint32_t> w{5, 5, 5};
  EXPECT_EQ(weightedSlots(w, 100), (std::vector<uint32_t>{0, 1, 2}));
}

TEST(WeightedSlots, ProportionalAndSmoothlyInterleaved) {
  std::vector<uint32_t> w{5, 1, 1};
  auto slots = weightedSlots(w, 100);
  ASSERT_EQ(slots.size(), 7U);
  auto c = count(slots);
  EXPECT_EQ(c[0], 5U);
  EXPECT_EQ(c[1], 1U);
  EXPECT_EQ(c[2], 1U);
  // nginx's smooth WRR for {5,1,1}: a a b a c a a — never more than two heavy turns in a row.
  EXPECT_EQ(slots, (std::vector<uint32_t>{0, 0, 1, 0, 2, 0, 0}));
}

TEST(WeightedSlots, ZeroWeightGetsNothingAndAllZeroGivesNone) {
  std::vector<uint32_t> w{0, 2, 0, 4};
  auto c = count(weightedSlots(w, 100));
  EXPECT_EQ(c.count(0), 0U);
  EXPECT_EQ(c.count(2), 0U);
  EXPECT_EQ(c[1], 1U);
  EXPECT_EQ(c[3], 2U);
  std::vector<uint32_t> none{0, 0};
  EXPECT_TRUE(weightedSlots(none, 100).empty());
}

TEST(WeightedSlots, ScalesDownToTheSlotBudgetKeepingEveryBackend) {
  std::vector<uint32_t> w{1000, 1, 999};
  auto slots = weightedSlots(w, 64);
  EXPECT_LE(slots.size(), 64U);
  auto c = count(slots);
  EXPECT_GE(c[1], 1U) << "a small positive weight keeps one slot";
  EXPECT_NEAR(static_cast<double>(c[0]) / c[2], 1.0, 0.1);

  std::vector<uint32_t> many(10, 1);
  EXPECT_EQ(weightedSlots(many, 4).size(), 4U) << "more backends than slots";
}

TEST(RoundRobin, CyclesEvenly) {
  RoundRobin rr;
  std::map<uint32_t, int> c;
  for (int i = 0; i < 30; ++i) ++c[rr.next(3)];
  EXPECT_EQ(c[0], 10);
  EXPECT_EQ(c[1], 10);
  EXPECT_EQ(c[2], 10);
  EXPECT_EQ(rr.next(0), 0U);
}

TEST(PickRandom, InRangeAndUniform) {
  std::mt19937 rng(42);
  const uint32_t n = 7;
  const int draws = 70000;
  std::vector<int> c(n, 0);
  for (int i = 0; i < draws; ++i) {
    uint32_t s = pickRandom(n, rng());
    ASSERT_LT(s, n);
    ++c[s];
  }
  // Pearson chi-squared with 6 degrees of freedom: 22.46 is the p = 0.001 critical value.
  double expected = static_cast<double>(draws) / n, chi2 = 0;
  for (int x : c) chi2 += (x - expected) * (x - expected) / expected;
  EXPECT_LT(chi2, 22.46);
  EXPECT_EQ(pickRandom(5, 0), 0U);
  EXPECT_EQ(pickRandom(5, 0xffffffffU), 4U);
}

TEST(PickMaglev, LooksUpTheSlotOfTheHash) {
  MaglevTable t{{11, 22, 33}};
  EXPECT_EQ(pickMaglev(t, 0), 11U);
  EXPECT_EQ(pickMaglev(t, 4), 22U);
  EXPECT_EQ(pickMaglev(MaglevTable{}, 4), 0U);
}

}  // namespace
}  // namespace ferry::model
