// Group commit: concurrent writers share fdatasync calls, a write is acknowledged only after
// its batch's sync returned, and a failed sync makes the store read-only.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ferry/store/embedded_store.h"
#include "store_test_util.h"

namespace ferry::controlplane::store {
namespace {

using testing::openOrDie;
using testing::optionsFor;
using testing::TempDir;
using testing::waitFor;

// A sync that holds every call until released, so a test can line writers up behind it.
class GatedSync {
 public:
  int operator()(int fd) {
    std::unique_lock lock(mu_);
    ++entered_;
    cv_.wait(lock, [this] { return open_; });
    lock.unlock();
    return ::fdatasync(fd);
  }
  void open() {
    {
      std::lock_guard lock(mu_);
      open_ = true;
    }
    cv_.notify_all();
  }
  int entered() {
    std::lock_guard lock(mu_);
    return entered_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
  int entered_ = 0;
};

TEST(GroupCommit, WritersQueuedBehindOneSyncShareTheNext) {
  TempDir dir;
  auto gate = std::make_shared<GatedSync>();
  auto options = optionsFor(dir.path());
  options.sync_override = [gate](int fd) { return (*gate)(fd); };
  auto store = openOrDie(options);
  constexpr int kWriters = 8;

  std::atomic<int> acked{0};
  std::vector<std::thread> writers;
  writers.emplace_back([&] {
    ASSERT_TRUE(store->create("/first", "v").ok());
    ++acked;
  });
  ASSERT_TRUE(waitFor([&] { return gate->entered() == 1; }));
  for (int i = 1; i < kWriters; ++i) {
    writers.emplace_back([&, i] {
      ASSERT_TRUE(store->create("/w/" + std::to_string(i), "v").ok());
      ++acked;
    });
  }
  ASSERT_TRUE(waitFor([&] { return store->stats().queued_records == kWriters - 1; }));
  EXPECT_EQ(acked.load(), 0) << "nothing is acknowledged before its sync returns";
  EXPECT_EQ(store->currentRevision(), 0) << "nor visible to readers";
  EXPECT_EQ(store->get("/first").code(), StatusCode::kNotFound);
  gate->open();
  for (auto& w : writers) w.join();
  EXPECT_EQ(acked.load(), kWriters);
  EXPECT_EQ(store->currentRevision(), kWriters);
  const auto stats = store->stats();
  EXPECT_EQ(stats.wal_records, static_cast<uint64_t>(kWriters));
  EXPECT_EQ(stats.wal_syncs, 2U) << "one sync for the first write, one for the other seven";
}

TEST(GroupCommit, ManyConcurrentWritersNeedFarFewerSyncsThanWrites) {
  TempDir dir;
  auto options = optionsFor(dir.path());
  // Device latency, as a slow disk would have it: batching is what hides it.
  options.sync_override = [](int fd) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    return ::fdatasync(fd);
  };
  auto store = openOrDie(options);
  constexpr int kThreads = 8;
  constexpr int kEach = 50;
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        ASSERT_TRUE(store->create("/g/" + std::to_string(t) + "/" + std::to_string(i), "v").ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  const auto stats = store->stats();
  EXPECT_EQ(stats.wal_records, static_cast<uint64_t>(kThreads * kEach));
  EXPECT_LT(stats.wal_syncs * 3, stats.wal_records)
      << stats.wal_syncs << " syncs for " << stats.wal_records << " writes";
}

TEST(GroupCommit, FailedSyncMakesTheStoreReadOnly) {
  TempDir dir;
  std::atomic<int> calls{0};
  auto options = optionsFor(dir.path());
  options.sync_override = [&calls](int fd) {
    if (++calls == 3) {
      errno = EIO;
      return -1;
    }
    return ::fdatasync(fd);
  };
  auto store = openOrDie(options);
  ASSERT_TRUE(store->create("/a", "1").ok());
  ASSERT_TRUE(store->create("/b", "1").ok());
  auto failed = store->create("/c", "1");
  EXPECT_EQ(failed.code(), StatusCode::kUnavailable);
  EXPECT_NE(failed.status().message().find("fdatasync"), std::string::npos);
  EXPECT_EQ(store->create("/d", "1").code(), StatusCode::kUnavailable) << "no retry after EIO";
  EXPECT_EQ(store->currentRevision(), 2);
  EXPECT_EQ(store->get("/c").code(), StatusCode::kNotFound) << "never acknowledged, never seen";
  EXPECT_TRUE(store->get("/b").ok()) << "reads keep working";
  EXPECT_EQ(store->stats().write_failures, 2U);
  store.reset();

  // A restart recovers whatever really reached the disk; acknowledged writes certainly did.
  auto reopened = openOrDie(optionsFor(dir.path()));
  EXPECT_GE(reopened->currentRevision(), 2);
  EXPECT_TRUE(reopened->get("/b").ok());
  EXPECT_TRUE(reopened->create("/e", "1").ok());
}

}  // namespace
}  // namespace ferry::controlplane::store
