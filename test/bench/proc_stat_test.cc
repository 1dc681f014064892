// CPU accounting of the system under test: /proc/<pid>/stat parsing (command names with spaces
// and parentheses), schedstat parsing, and the live readers against this very process.
#include "ferry/bench/proc_stat.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>

namespace ferry::bench {
namespace {

TEST(ProcStat, ReadsUtimeAndStimeAfterTheCommandName) {
  // Fields 14 and 15 (utime, stime) are 250 and 50 ticks.
  auto c = parseProcStat(
      "1234 (etcd) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 9 0 100 0 0", 100);
  ASSERT_TRUE(c.has_value());
  EXPECT_DOUBLE_EQ(c->user_s, 2.5);
  EXPECT_DOUBLE_EQ(c->system_s, 0.5);
  EXPECT_DOUBLE_EQ(c->total(), 3.0);
}

TEST(ProcStat, CommandNamesMayHoldSpacesAndParentheses) {
  auto c = parseProcStat("77 (a b) (c)) R 1 77 77 0 -1 0 0 0 0 0 7 3 0 0 20 0 1 0 5 0 0", 100);
  ASSERT_TRUE(c.has_value());
  EXPECT_DOUBLE_EQ(c->user_s, 0.07);
  EXPECT_DOUBLE_EQ(c->system_s, 0.03);
}

TEST(ProcStat, RejectsMalformedLines) {
  EXPECT_FALSE(parseProcStat("", 100).has_value());
  EXPECT_FALSE(parseProcStat("12 (x) S 1 2 3", 100).has_value());  // too short
  EXPECT_FALSE(parseProcStat("12 (x) S 1 1 1 0 -1 0 0 0 0 0 x 3 0", 100).has_value());
  EXPECT_FALSE(parseProcStat("1 (x) S 1 1 1 0 -1 0 0 0 0 0 1 1 0", 0).has_value());
}

TEST(Schedstat, FirstFieldInSeconds) {
  EXPECT_DOUBLE_EQ(*parseSchedstat("1500000000 20 3"), 1.5);
  EXPECT_FALSE(parseSchedstat("").has_value());
  EXPECT_FALSE(parseSchedstat("abc 1 2").has_value());
}

TEST(ProcStat, LiveReadersSeeThisProcessWork) {
  auto before = readProcessCpu(getpid());
  auto sched_before = readLiveThreadsCpuSeconds(getpid());
  ASSERT_TRUE(before.has_value());
  // Burn a little CPU (bounded in time) so the counters must move.
  volatile uint64_t x = 0;
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(60);
  while (std::chrono::steady_clock::now() < until) x = x + 1;
  auto after = readProcessCpu(getpid());
  ASSERT_TRUE(after.has_value());
  EXPECT_GE(after->total(), before->total());
  if (sched_before) {
    auto sched_after = readLiveThreadsCpuSeconds(getpid());
    ASSERT_TRUE(sched_after.has_value());
    EXPECT_GT(*sched_after, *sched_before);
  }
  EXPECT_GT(selfCpu().total(), 0.0);
  EXPECT_FALSE(readProcessCpu(-5).has_value());
}

}  // namespace
}  // namespace ferry::bench
