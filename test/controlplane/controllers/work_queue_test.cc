// The work queue's de-duplication and one-worker-per-key guarantees.
#include "ferry/controllers/work_queue.h"

#include <gtest/gtest.h>

#include <thread>

namespace ferry::controlplane {
namespace {

TEST(WorkQueue, AKeyAddedTwiceIsHandedOutOnce) {
  WorkQueue q;
  q.add("a");
  q.add("b");
  q.add("a");
  EXPECT_EQ(q.queued(), 2U);
  EXPECT_EQ(q.get(), "a");
  EXPECT_EQ(q.get(), "b");
  EXPECT_EQ(q.queued(), 0U);
}

TEST(WorkQueue, AKeyAddedWhileProcessingComesBackAfterDone) {
  WorkQueue q;
  q.add("a");
  ASSERT_EQ(q.get(), "a");
  q.add("a");  // a change arrived while "a" was being reconciled
  EXPECT_EQ(q.queued(), 0U) << "not handed to a second worker while processing";
  q.done("a");
  EXPECT_EQ(q.queued(), 1U);
  EXPECT_EQ(q.get(), "a");
  q.done("a");
  EXPECT_EQ(q.queued(), 0U);
}

TEST(WorkQueue, AddAfterDelaysTheKey) {
  WorkQueue q;
  const auto t0 = WorkQueue::Clock::now();
  q.addAfter("later", std::chrono::milliseconds(30));
  q.add("now");
  EXPECT_EQ(q.get(), "now");
  EXPECT_EQ(q.get(), "later");
  EXPECT_GE(WorkQueue::Clock::now() - t0, std::chrono::milliseconds(30));
}

TEST(WorkQueue, ShutDownWakesABlockedGet) {
  WorkQueue q;
  std::optional<std::string> got = "unset";
  std::thread worker([&] { got = q.get(); });
  q.shutDown();
  worker.join();
  EXPECT_EQ(got, std::nullopt);
  q.add("dropped");
  EXPECT_EQ(q.get(), std::nullopt);
}

}  // namespace
}  // namespace ferry::controlplane
