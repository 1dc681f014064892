#include "ferry/model/id_allocator.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace ferry::model {
namespace {

using std::chrono::seconds;

MonoTime at(int s) {
  return std::chrono::duration_cast<MonoTime>(seconds(s));
}

TEST(IdAllocator, NeverHandsOutZeroAndIsUnique) {
  IdAllocator ids(100, seconds(10));
  std::set<uint32_t> seen;
  for (int i = 0; i < 100; ++i) {
    auto id = ids.allocate(at(0));
    ASSERT_TRUE(id);
    EXPECT_NE(*id, 0U);
    EXPECT_LE(*id, 100U);
    EXPECT_TRUE(seen.insert(*id).second);
  }
  EXPECT_FALSE(ids.allocate(at(0))) << "exhausted";
  EXPECT_EQ(ids.usedCount(), 100U);
}

TEST(IdAllocator, ReleasedIdIsHeldUntilFlowsAgeOut) {
  IdAllocator ids(2, seconds(10));
  auto a = ids.allocate(at(0));
  auto b = ids.allocate(at(0));
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(ids.release(*a, at(5)));
  EXPECT_EQ(ids.heldCount(), 1U);
  EXPECT_FALSE(ids.allocate(at(14))) << "held until t=15";
  auto again = ids.allocate(at(15));
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, *a);
}

TEST(IdAllocator, PrefersFreshIdsWhileOthersAreHeld) {
  IdAllocator ids(10, seconds(10));
  auto a = ids.allocate(at(0));
  ids.release(*a, at(0));
  auto b = ids.allocate(at(1));
  ASSERT_TRUE(b);
  EXPECT_NE(*a, *b);
}

TEST(IdAllocator, DoubleReleaseIsIgnored) {
  IdAllocator ids(10, seconds(1));
  auto a = ids.allocate(at(0));
  EXPECT_TRUE(ids.release(*a, at(0)));
  EXPECT_FALSE(ids.release(*a, at(0)));
  EXPECT_FALSE(ids.release(7, at(0)));
}

TEST(IdAllocator, AdoptReservesIdsFoundInPinnedMaps) {
  IdAllocator ids(3, seconds(1));
  EXPECT_TRUE(ids.adopt(2));
  EXPECT_FALSE(ids.adopt(2));
  EXPECT_FALSE(ids.adopt(0));
  EXPECT_FALSE(ids.adopt(4));
  std::set<uint32_t> got;
  while (auto id = ids.allocate(at(0))) got.insert(*id);
  EXPECT_EQ(got, (std::set<uint32_t>{1, 3}));
}

TEST(IdAllocator, ReAdoptedAndReleasedIdWaitsForTheNewerHold) {
  IdAllocator ids(1, seconds(10));
  auto a = ids.allocate(at(0));
  ids.release(*a, at(0));      // held until 10
  ASSERT_TRUE(ids.adopt(*a));  // taken back at 1 (agent restart found it in use)
  ids.release(*a, at(8));      // held until 18
  EXPECT_FALSE(ids.allocate(at(12))) << "the stale hold (until 10) must not free it";
  EXPECT_TRUE(ids.allocate(at(18)));
}

TEST(StableIds, SameKeySameIdUntilReleased) {
  StableIds<std::string> ids(10, seconds(30));
  auto a = ids.acquire("default/web:http", at(0));
  auto b = ids.acquire("default/api:grpc", at(0));
  ASSERT_TRUE(a && b);
  EXPECT_NE(*a, *b);
  EXPECT_EQ(ids.acquire("default/web:http", at(1)), a);
  EXPECT_EQ(ids.find("default/web:http"), a);
  EXPECT_TRUE(ids.release("default/web:http", at(2)));
  EXPECT_FALSE(ids.find("default/web:http"));
  auto c = ids.acquire("default/web:http", at(3));
  ASSERT_TRUE(c);
  EXPECT_NE(*c, *a) << "the old id is still held";
  EXPECT_TRUE(ids.adopt("kube-system/dns:53", 9));
  EXPECT_FALSE(ids.adopt("kube-system/other:53", 9));
}

}  // namespace
}  // namespace ferry::model
