#include "ferry/model/drop_reason.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace ferry::model {
namespace {

// The numbers are ABI (stored in pinned per-CPU maps) and the names are metric labels:
// changing either breaks dashboards and upgrades. This golden table is the guard.
TEST(DropReason, NumbersAndNamesAreStable) {
  struct Row {
    int value;
    const char* name;
  };
  const Row golden[] = {
      {FERRY_DROP_NONE, "none"},
      {FERRY_DROP_TRUNCATED, "truncated"},
      {FERRY_DROP_BAD_L3, "bad_l3"},
      {FERRY_DROP_BAD_L4, "bad_l4"},
      {FERRY_DROP_FRAGMENT, "fragment"},
      {FERRY_DROP_UNSUPPORTED_L4, "unsupported_l4"},
      {FERRY_DROP_NO_BACKEND, "no_backend"},
      {FERRY_DROP_SOURCE_RANGE, "source_range"},
      {FERRY_DROP_CT_FULL, "ct_full"},
      {FERRY_DROP_NAT_FAILED, "nat_failed"},
      {FERRY_DROP_BACKEND_GONE, "backend_gone"},
      {FERRY_DROP_TTL_EXCEEDED, "ttl_exceeded"},
      {FERRY_DROP_POLICY_LOCAL, "policy_local"},
  };
  ASSERT_EQ(std::size(golden), static_cast<size_t>(FERRY_DROP_REASON_MAX))
      << "a drop reason was added: append it to this golden table";
  for (int i = 0; i < static_cast<int>(std::size(golden)); ++i) {
    EXPECT_EQ(golden[i].value, i);
    EXPECT_EQ(dropReasonName(golden[i].value), golden[i].name);
  }
}

TEST(DropReason, NamesAreUniqueAndOutOfRangeIsUnknown) {
  std::set<std::string> seen;
  for (int i = 0; i < FERRY_DROP_REASON_MAX; ++i)
    EXPECT_TRUE(seen.insert(std::string(dropReasonName(i))).second) << i;
  EXPECT_EQ(dropReasonName(-1), "unknown");
  EXPECT_EQ(dropReasonName(FERRY_DROP_REASON_MAX), "unknown");
}

}  // namespace
}  // namespace ferry::model
