#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "ferry/store/embedded_store.h"
#include "store_test_util.h"

namespace ferry::controlplane::store {
namespace {

using std::chrono::milliseconds;
using testing::openOrDie;
using testing::optionsFor;
using testing::TempDir;
using testing::waitFor;

constexpr auto kDeadline = std::chrono::seconds(10);

// Collects `n` events (or until the stream ends or the deadline passes).
struct Drained {
  std::vector<Event> events;
  Status end;
};

Drained drain(Watch& w, size_t n) {
  Drained out;
  const auto until = std::chrono::steady_clock::now() + kDeadline;
  while (out.events.size() < n && std::chrono::steady_clock::now() < until) {
    Status s = w.wait(out.events, n - out.events.size(), milliseconds(100));
    if (!s.ok()) {
      out.end = s;
      break;
    }
  }
  return out;
}

std::string describe(const Event& e) {
  return std::string(e.type == EventType::kPut ? "PUT " : "DEL ") + e.kv->key + "@" +
         std::to_string(e.kv->mod_revision);
}

std::vector<std::string> describe(const std::vector<Event>& events) {
  std::vector<std::string> out;
  out.reserve(events.size());
  for (const auto& e : events) out.push_back(describe(e));
  return out;
}

class WatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = openOrDie(optionsFor(dir_.path()));
    ASSERT_NE(store_, nullptr);
  }
  TempDir dir_;
  std::unique_ptr<EmbeddedStore> store_;
};

TEST_F(WatchTest, ReplaysFromRevisionThenStreamsLive) {
  ASSERT_TRUE(store_->create("/w/a", "1").ok());     // 1
  ASSERT_TRUE(store_->create("/other", "x").ok());   // 2
  ASSERT_TRUE(store_->update("/w/a", "2", 0).ok());  // 3
  ASSERT_TRUE(store_->create("/w/b", "1").ok());     // 4
  auto w = store_->watch("/w/", 1);
  ASSERT_TRUE(w.ok()) << w.status().toString();
  ASSERT_TRUE(store_->remove("/w/a", 0).ok());  // 5
  auto got = drain(**w, 3);
  EXPECT_TRUE(got.end.ok()) << got.end.toString();
  EXPECT_EQ(describe(got.events),
            (std::vector<std::string>{"PUT /w/a@3", "PUT /w/b@4", "DEL /w/a@5"}));
  ASSERT_EQ(got.events.size(), 3U);
  ASSERT_NE(got.events[0].prev, nullptr);
  EXPECT_EQ(got.events[0].prev->value, "1");
  EXPECT_EQ(got.events[0].kv->value, "2");
  EXPECT_EQ(got.events[1].prev, nullptr) << "a create has no prev";
  EXPECT_EQ(got.events[1].kv->create_revision, 4);
  ASSERT_NE(got.events[2].prev, nullptr);
  EXPECT_EQ(got.events[2].prev->value, "2");
  EXPECT_EQ(got.events[2].kv->version, 0);
}

TEST_F(WatchTest, FromZeroReplaysWholeHistory) {
  ASSERT_TRUE(store_->create("/a", "1").ok());
  ASSERT_TRUE(store_->create("/b", "1").ok());
  auto w = store_->watch("/", 0);
  ASSERT_TRUE(w.ok());
  auto got = drain(**w, 2);
  EXPECT_EQ(describe(got.events), (std::vector<std::string>{"PUT /a@1", "PUT /b@2"}));
}

TEST_F(WatchTest, FromNowDeliversOnlyNewEvents) {
  ASSERT_TRUE(store_->create("/a", "1").ok());
  auto w = store_->watch("/", std::nullopt);
  ASSERT_TRUE(w.ok());
  std::vector<Event> none;
  EXPECT_TRUE((*w)->poll(none, 10).ok());
  EXPECT_TRUE(none.empty());
  ASSERT_TRUE(store_->create("/b", "1").ok());
  auto got = drain(**w, 1);
  EXPECT_EQ(describe(got.events), (std::vector<std::string>{"PUT /b@2"}));
}

TEST_F(WatchTest, FromCurrentRevisionEqualsFromNow) {
  ASSERT_TRUE(store_->create("/a", "1").ok());
  auto w = store_->watch("/", store_->currentRevision());
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE(store_->create("/b", "1").ok());
  auto got = drain(**w, 1);
  EXPECT_EQ(describe(got.events), (std::vector<std::string>{"PUT /b@2"}));
}

TEST_F(WatchTest, FutureRevisionWaitsForIt) {
  auto w = store_->watch("/", 2);
  ASSERT_TRUE(w.ok());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(store_->create("/k" + std::to_string(i), "v").ok());
  auto got = drain(**w, 1);
  EXPECT_EQ(describe(got.events), (std::vector<std::string>{"PUT /k2@3"}));
}

TEST_F(WatchTest, CompactedRevisionIsRefused) {
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(store_->create("/k" + std::to_string(i), "v").ok());
  ASSERT_TRUE(store_->compact(3).ok());
  EXPECT_EQ(store_->watch("/", 2).code(), StatusCode::kCompacted);
  EXPECT_EQ(store_->watch("/", 0).code(), StatusCode::kCompacted);
  auto ok = store_->watch("/", 3);
  ASSERT_TRUE(ok.ok());
  auto got = drain(**ok, 2);
  EXPECT_EQ(describe(got.events), (std::vector<std::string>{"PUT /k3@4", "PUT /k4@5"}));
}

TEST_F(WatchTest, TxnEventsShareOneRevisionInKeyOrder) {
  auto w = store_->watch("/", std::nullopt);
  ASSERT_TRUE(w.ok());
  TxnRequest t;
  t.ops = {TxnOp::put("/z", "1"), TxnOp::put("/a", "1"), TxnOp::put("/m", "1")};
  ASSERT_TRUE(store_->txn(t).ok());
  auto got = drain(**w, 3);
  EXPECT_EQ(describe(got.events), (std::vector<std::string>{"PUT /a@1", "PUT /m@1", "PUT /z@1"}));
}

TEST_F(WatchTest, SlowWatcherIsCutOffWhileFastWatcherAndWriterContinue) {
  constexpr size_t kLimit = 16;
  constexpr int kWrites = 400;
  auto slow = store_->watch("/s/", std::nullopt, {.queue_limit = kLimit});
  ASSERT_TRUE(slow.ok());
  std::atomic<int> fast_seen{0};
  Status fast_end;
  // Its own queue is roomy so that a descheduled consumer thread on a busy machine cannot
  // overflow it: what is under test is that the slow watcher never holds it up.
  auto fast = store_->watch("/s/", std::nullopt, {.queue_limit = kWrites});
  ASSERT_TRUE(fast.ok());
  std::thread consumer([&] {
    std::vector<Event> buf;
    while (fast_seen.load() < kWrites) {
      buf.clear();
      Status s = (*fast)->wait(buf, 1000, milliseconds(100));
      fast_seen += static_cast<int>(buf.size());
      if (!s.ok()) {
        fast_end = s;
        return;
      }
    }
  });
  // The writer never waits on the slow watcher, which nobody polls.
  for (int i = 0; i < kWrites; ++i) {
    ASSERT_TRUE(store_->create("/s/" + std::to_string(i), "v").ok());
  }
  consumer.join();
  EXPECT_TRUE(fast_end.ok()) << fast_end.toString();
  EXPECT_EQ(fast_seen.load(), kWrites);

  // The slow watcher gets what fitted in its queue, in order, then the overflow error.
  std::vector<Event> got;
  Status s = (*slow)->poll(got, 10'000);
  EXPECT_EQ(s.code(), StatusCode::kOverflow) << s.toString();
  EXPECT_EQ(got.size(), kLimit);
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].kv->mod_revision, static_cast<Revision>(i + 1));
  }
  EXPECT_GE(store_->stats().watchers_cut_off, 1U);

  // Resuming after the last revision it saw delivers the rest: nothing was lost.
  auto resumed = store_->watch("/s/", got.back().kv->mod_revision);
  ASSERT_TRUE(resumed.ok());
  auto rest = drain(**resumed, kWrites - kLimit);
  EXPECT_EQ(rest.events.size(), kWrites - kLimit);
  EXPECT_EQ(rest.events.front().kv->mod_revision, static_cast<Revision>(kLimit + 1));
}

TEST_F(WatchTest, PrefixGroupsOnlySeeTheirKeys) {
  auto pods = store_->watch("/registry/pods/", std::nullopt);
  auto svcs = store_->watch("/registry/services/", std::nullopt);
  auto all = store_->watch("/registry/", std::nullopt);
  ASSERT_TRUE(pods.ok() && svcs.ok() && all.ok());
  ASSERT_TRUE(store_->create("/registry/pods/a", "1").ok());
  ASSERT_TRUE(store_->create("/registry/services/a", "1").ok());
  EXPECT_EQ(describe(drain(**pods, 1).events),
            (std::vector<std::string>{"PUT /registry/pods/a@1"}));
  EXPECT_EQ(describe(drain(**svcs, 1).events),
            (std::vector<std::string>{"PUT /registry/services/a@2"}));
  EXPECT_EQ(drain(**all, 2).events.size(), 2U);
  std::vector<Event> extra;
  EXPECT_TRUE((*pods)->poll(extra, 10).ok());
  EXPECT_TRUE(extra.empty());
}

TEST_F(WatchTest, ManyWatchersOnOnePrefixAllReceiveEveryEvent) {
  constexpr int kWatchers = 1000;
  std::vector<std::unique_ptr<Watch>> watches;
  for (int i = 0; i < kWatchers; ++i) {
    auto w = store_->watch("/svc/", std::nullopt);
    ASSERT_TRUE(w.ok());
    watches.push_back(std::move(*w));
  }
  EXPECT_EQ(store_->stats().watchers, static_cast<uint64_t>(kWatchers));
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(store_->create("/svc/" + std::to_string(i), "v").ok());
  for (auto& w : watches) ASSERT_EQ(drain(*w, 5).events.size(), 5U);
  watches.clear();
  EXPECT_EQ(store_->stats().watchers, 0U);
}

TEST_F(WatchTest, OnReadyCallbackFiresAndStopsAfterCancel) {
  std::atomic<int> calls{0};
  auto w = store_->watch("/", std::nullopt, {.on_ready = [&] { ++calls; }});
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE(store_->create("/a", "1").ok());
  ASSERT_TRUE(waitFor([&] { return calls.load() >= 1; }));
  (*w)->cancel();
  const int after_cancel = calls.load();
  ASSERT_TRUE(store_->create("/b", "1").ok());
  // A second watch proves the dispatcher has handled the write; the cancelled one stays quiet.
  auto probe = store_->watch("/", 1);
  ASSERT_TRUE(probe.ok());
  EXPECT_EQ(drain(**probe, 1).events.size(), 1U);
  EXPECT_EQ(calls.load(), after_cancel);
  std::vector<Event> out;
  EXPECT_EQ((*w)->poll(out, 10).code(), StatusCode::kCancelled);
  EXPECT_TRUE(out.empty());
}

TEST_F(WatchTest, CallbackMayCancelItsOwnWatch) {
  std::unique_ptr<Watch> self;
  std::atomic<bool> cancelled{false};
  auto w = store_->watch("/", std::nullopt, {.on_ready = [&] {
                           if (self) self->cancel();
                           cancelled = true;
                         }});
  ASSERT_TRUE(w.ok());
  self = std::move(*w);
  ASSERT_TRUE(store_->create("/a", "1").ok());
  ASSERT_TRUE(waitFor([&] { return cancelled.load(); }));
  std::vector<Event> out;
  EXPECT_EQ(self->poll(out, 10).code(), StatusCode::kCancelled);
}

TEST_F(WatchTest, CloseEndsWatchesWithUnavailable) {
  auto w = store_->watch("/", std::nullopt);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE(store_->create("/a", "1").ok());
  store_->close();
  auto got = drain(**w, 10);
  EXPECT_EQ(got.events.size(), 1U) << "events committed before close are still delivered";
  EXPECT_EQ(got.end.code(), StatusCode::kUnavailable);
}

TEST_F(WatchTest, WatchOutlivingTheStoreIsSafe) {
  auto w = store_->watch("/", std::nullopt);
  ASSERT_TRUE(w.ok());
  store_.reset();
  std::vector<Event> out;
  EXPECT_EQ((*w)->poll(out, 10).code(), StatusCode::kUnavailable);
  (*w)->cancel();
}

TEST_F(WatchTest, ConcurrentWritersProduceOneOrderedStream) {
  auto w = store_->watch("/c/", std::nullopt, {.queue_limit = 100'000});
  ASSERT_TRUE(w.ok());
  constexpr int kThreads = 4;
  constexpr int kEach = 50;
  constexpr size_t kTotal = size_t{kThreads} * kEach;
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        ASSERT_TRUE(store_->create("/c/" + std::to_string(t) + "/" + std::to_string(i), "v").ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  auto got = drain(**w, kTotal);
  ASSERT_EQ(got.events.size(), kTotal);
  for (size_t i = 0; i < got.events.size(); ++i) {
    EXPECT_EQ(got.events[i].kv->mod_revision, static_cast<Revision>(i + 1));
  }
}

}  // namespace
}  // namespace ferry::controlplane::store
