#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ferry/store/embedded_store.h"
#include "store_test_util.h"

namespace ferry::controlplane::store {
namespace {

using testing::openOrDie;
using testing::optionsFor;
using testing::TempDir;

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = openOrDie(optionsFor(dir_.path()));
    ASSERT_NE(store_, nullptr);
  }
  Store& store() { return *store_; }

  TempDir dir_;
  std::unique_ptr<EmbeddedStore> store_;
};

std::vector<std::string> keysOf(const RangeResponse& r) {
  std::vector<std::string> out;
  for (const auto& kv : r.items) out.push_back(kv->key);
  return out;
}

TEST_F(StoreTest, EmptyStoreStartsAtRevisionZero) {
  EXPECT_EQ(store().currentRevision(), 0);
  EXPECT_EQ(store().compactedRevision(), 0);
  EXPECT_EQ(store().get("/a").code(), StatusCode::kNotFound);
}

TEST_F(StoreTest, CreateThenGet) {
  auto w = store().create("/registry/services/default/web", "v1");
  ASSERT_TRUE(w.ok()) << w.status().toString();
  EXPECT_EQ(w->revision, 1);
  EXPECT_EQ(w->prev, nullptr);
  auto kv = store().get("/registry/services/default/web");
  ASSERT_TRUE(kv.ok());
  EXPECT_EQ(kv->value, "v1");
  EXPECT_EQ(kv->create_revision, 1);
  EXPECT_EQ(kv->mod_revision, 1);
  EXPECT_EQ(kv->version, 1);
  EXPECT_EQ(store().currentRevision(), 1);
}

TEST_F(StoreTest, CreateExistingFailsAlreadyExistsAndDoesNotBumpRevision) {
  ASSERT_TRUE(store().create("/a", "1").ok());
  auto again = store().create("/a", "2");
  EXPECT_EQ(again.code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(store().currentRevision(), 1);
  EXPECT_EQ(store().get("/a")->value, "1");
}

TEST_F(StoreTest, UpdateBumpsVersionAndKeepsCreateRevision) {
  ASSERT_TRUE(store().create("/a", "1").ok());
  ASSERT_TRUE(store().create("/b", "x").ok());
  auto w = store().update("/a", "2", 0);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->revision, 3);
  ASSERT_NE(w->prev, nullptr);
  EXPECT_EQ(w->prev->value, "1");
  auto kv = store().get("/a");
  EXPECT_EQ(kv->value, "2");
  EXPECT_EQ(kv->create_revision, 1);
  EXPECT_EQ(kv->mod_revision, 3);
  EXPECT_EQ(kv->version, 2);
}

TEST_F(StoreTest, UpdateWithMatchingModRevisionSucceeds) {
  auto c = store().create("/a", "1");
  auto w = store().update("/a", "2", c->revision);
  ASSERT_TRUE(w.ok()) << w.status().toString();
  EXPECT_EQ(store().get("/a")->value, "2");
}

TEST_F(StoreTest, UpdateWithStaleModRevisionConflicts) {
  auto c = store().create("/a", "1");
  ASSERT_TRUE(store().update("/a", "2", c->revision).ok());
  auto stale = store().update("/a", "3", c->revision);
  EXPECT_EQ(stale.code(), StatusCode::kConflict);
  EXPECT_NE(stale.status().message().find("expected mod_revision 1, have 2"), std::string::npos)
      << stale.status().message();
  EXPECT_EQ(store().get("/a")->value, "2");
  EXPECT_EQ(store().currentRevision(), 2);
}

TEST_F(StoreTest, UpdateMissingKeyIsNotFound) {
  EXPECT_EQ(store().update("/nope", "x", 0).code(), StatusCode::kNotFound);
  EXPECT_EQ(store().update("/nope", "x", 5).code(), StatusCode::kNotFound);
}

TEST_F(StoreTest, RemoveReturnsPrevAndLeavesNotFound) {
  auto c = store().create("/a", "1");
  auto d = store().remove("/a", c->revision);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->revision, 2);
  ASSERT_NE(d->prev, nullptr);
  EXPECT_EQ(d->prev->value, "1");
  EXPECT_EQ(store().get("/a").code(), StatusCode::kNotFound);
  EXPECT_EQ(store().remove("/a", 0).code(), StatusCode::kNotFound);
}

TEST_F(StoreTest, RemoveWithStaleModRevisionConflicts) {
  ASSERT_TRUE(store().create("/a", "1").ok());
  ASSERT_TRUE(store().update("/a", "2", 0).ok());
  EXPECT_EQ(store().remove("/a", 1).code(), StatusCode::kConflict);
  EXPECT_TRUE(store().get("/a").ok());
}

TEST_F(StoreTest, RecreateAfterDeleteStartsANewGeneration) {
  ASSERT_TRUE(store().create("/a", "1").ok());
  ASSERT_TRUE(store().update("/a", "2", 0).ok());
  ASSERT_TRUE(store().remove("/a", 0).ok());
  auto c = store().create("/a", "3");
  ASSERT_TRUE(c.ok());
  auto kv = store().get("/a");
  EXPECT_EQ(kv->create_revision, 4);
  EXPECT_EQ(kv->version, 1);
}

TEST_F(StoreTest, InvalidArguments) {
  EXPECT_EQ(store().create("", "x").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store().get("").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store().get("/a", -1).code(), StatusCode::kInvalidArgument);
  TxnRequest dup;
  dup.ops = {TxnOp::put("/a", "1"), TxnOp::del("/a")};
  EXPECT_EQ(store().txn(dup).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store().currentRevision(), 0);
}

TEST(StoreLimits, OversizedValueIsRejected) {
  TempDir dir;
  auto options = optionsFor(dir.path());
  options.max_value_bytes = 10;
  auto s = openOrDie(options);
  EXPECT_EQ(s->create("/a", std::string(11, 'x')).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(s->create("/a", std::string(10, 'x')).ok());
  EXPECT_EQ(s->update("/a", std::string(11, 'x'), 0).code(), StatusCode::kInvalidArgument);
}

TEST_F(StoreTest, RangeReturnsPrefixInKeyOrderWithRevision) {
  ASSERT_TRUE(store().create("/registry/pods/b", "2").ok());
  ASSERT_TRUE(store().create("/registry/pods/a", "1").ok());
  ASSERT_TRUE(store().create("/registry/podsx", "no").ok());
  ASSERT_TRUE(store().create("/registry/services/a", "no").ok());
  auto r = store().range({.prefix = "/registry/pods/"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(keysOf(*r), (std::vector<std::string>{"/registry/pods/a", "/registry/pods/b"}));
  EXPECT_EQ(r->revision, 4);
  EXPECT_FALSE(r->more);
}

TEST_F(StoreTest, RangePaginatesAtOneRevision) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(store().create("/p/" + std::to_string(i), std::to_string(i)).ok());
  }
  auto page1 = store().range({.prefix = "/p/", .limit = 2});
  ASSERT_TRUE(page1.ok());
  EXPECT_EQ(keysOf(*page1), (std::vector<std::string>{"/p/0", "/p/1"}));
  ASSERT_TRUE(page1->more);
  // A write between pages must not show up in the continuation at the first page's revision.
  ASSERT_TRUE(store().remove("/p/2", 0).ok());
  auto page2 = store().range(
      {.prefix = "/p/", .from_key = page1->next_key, .limit = 2, .revision = page1->revision});
  ASSERT_TRUE(page2.ok());
  EXPECT_EQ(keysOf(*page2), (std::vector<std::string>{"/p/2", "/p/3"}));
  EXPECT_TRUE(page2->more);
  auto page3 = store().range(
      {.prefix = "/p/", .from_key = page2->next_key, .limit = 2, .revision = page1->revision});
  EXPECT_EQ(keysOf(*page3), (std::vector<std::string>{"/p/4"}));
  EXPECT_FALSE(page3->more);
}

TEST_F(StoreTest, RangeLimitExactlyMatchingIsNotMore) {
  ASSERT_TRUE(store().create("/p/a", "1").ok());
  ASSERT_TRUE(store().create("/p/b", "1").ok());
  auto r = store().range({.prefix = "/p/", .limit = 2});
  EXPECT_EQ(r->items.size(), 2U);
  EXPECT_FALSE(r->more);
}

TEST_F(StoreTest, RangeRejectsFromKeyOutsidePrefix) {
  EXPECT_EQ(store().range({.prefix = "/p/", .from_key = "/q"}).code(),
            StatusCode::kInvalidArgument);
}

TEST_F(StoreTest, ReadsAtOldRevisionsSeeOldValues) {
  ASSERT_TRUE(store().create("/a", "1").ok());     // rev 1
  ASSERT_TRUE(store().create("/b", "1").ok());     // rev 2
  ASSERT_TRUE(store().update("/a", "2", 0).ok());  // rev 3
  ASSERT_TRUE(store().remove("/b", 0).ok());       // rev 4
  ASSERT_TRUE(store().create("/c", "1").ok());     // rev 5
  EXPECT_EQ(store().get("/a", 1)->value, "1");
  EXPECT_EQ(store().get("/a", 2)->value, "1");
  EXPECT_EQ(store().get("/a", 3)->value, "2");
  EXPECT_EQ(store().get("/b", 1).code(), StatusCode::kNotFound);
  EXPECT_EQ(store().get("/b", 3)->value, "1");
  EXPECT_EQ(store().get("/b", 4).code(), StatusCode::kNotFound);
  auto at3 = store().range({.prefix = "/", .revision = 3});
  EXPECT_EQ(keysOf(*at3), (std::vector<std::string>{"/a", "/b"}));
  EXPECT_EQ(at3->revision, 3);
  auto at5 = store().range({.prefix = "/", .revision = 5});
  EXPECT_EQ(keysOf(*at5), (std::vector<std::string>{"/a", "/c"}));
}

TEST_F(StoreTest, ReadAtFutureRevisionFails) {
  ASSERT_TRUE(store().create("/a", "1").ok());
  EXPECT_EQ(store().get("/a", 2).code(), StatusCode::kFutureRevision);
  EXPECT_EQ(store().range({.prefix = "/", .revision = 9}).code(), StatusCode::kFutureRevision);
}

TEST_F(StoreTest, CompactForgetsOldRevisionsButKeepsStateAtCompactionPoint) {
  ASSERT_TRUE(store().create("/a", "1").ok());     // 1
  ASSERT_TRUE(store().update("/a", "2", 0).ok());  // 2
  ASSERT_TRUE(store().create("/b", "1").ok());     // 3
  ASSERT_TRUE(store().remove("/b", 0).ok());       // 4
  ASSERT_TRUE(store().update("/a", "3", 0).ok());  // 5
  ASSERT_TRUE(store().compact(4).ok());
  EXPECT_EQ(store().compactedRevision(), 4);
  EXPECT_EQ(store().get("/a", 3).code(), StatusCode::kCompacted);
  EXPECT_EQ(store().range({.prefix = "/", .revision = 1}).code(), StatusCode::kCompacted);
  EXPECT_EQ(store().get("/a", 4)->value, "2");
  EXPECT_EQ(store().get("/b", 4).code(), StatusCode::kNotFound);
  EXPECT_EQ(store().get("/a")->value, "3");
  EXPECT_EQ(store().get("/a")->version, 3) << "compaction keeps version counting";
  EXPECT_EQ(store().compact(4).code(), StatusCode::kCompacted);
  EXPECT_EQ(store().compact(3).code(), StatusCode::kCompacted);
  EXPECT_EQ(store().compact(6).code(), StatusCode::kFutureRevision);
}

TEST_F(StoreTest, TxnAppliesAllOpsAtOneRevision) {
  ASSERT_TRUE(store().create("/alloc/ip/10.0.0.1", "old").ok());  // 1
  TxnRequest t;
  t.compares = {{"/registry/services/default/web", 0}, {"/alloc/ip/10.0.0.2", 0}};
  t.ops = {TxnOp::put("/registry/services/default/web", "svc"),
           TxnOp::put("/alloc/ip/10.0.0.2", "web"), TxnOp::del("/alloc/ip/10.0.0.1")};
  auto r = store().txn(t);
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_EQ(r->revision, 2);
  EXPECT_EQ(store().currentRevision(), 2);
  EXPECT_EQ(store().get("/registry/services/default/web")->mod_revision, 2);
  EXPECT_EQ(store().get("/alloc/ip/10.0.0.2")->mod_revision, 2);
  EXPECT_EQ(store().get("/alloc/ip/10.0.0.1").code(), StatusCode::kNotFound);
}

TEST_F(StoreTest, TxnWithFailedCompareChangesNothing) {
  auto a = store().create("/a", "1");
  ASSERT_TRUE(store().update("/a", "2", 0).ok());
  TxnRequest t;
  t.compares = {{"/a", a->revision}};
  t.ops = {TxnOp::put("/a", "3"), TxnOp::put("/b", "1")};
  auto r = store().txn(t);
  EXPECT_EQ(r.code(), StatusCode::kConflict);
  EXPECT_NE(r.status().message().find("/a"), std::string::npos);
  EXPECT_EQ(store().get("/a")->value, "2");
  EXPECT_EQ(store().get("/b").code(), StatusCode::kNotFound);
  EXPECT_EQ(store().currentRevision(), 2);
}

TEST_F(StoreTest, TxnCompareZeroMeansAbsent) {
  ASSERT_TRUE(store().create("/a", "1").ok());
  TxnRequest t;
  t.compares = {{"/a", 0}};
  t.ops = {TxnOp::put("/a", "2")};
  EXPECT_EQ(store().txn(t).code(), StatusCode::kConflict);
  ASSERT_TRUE(store().remove("/a", 0).ok());
  EXPECT_TRUE(store().txn(t).ok()) << "a deleted key compares as absent";
}

TEST_F(StoreTest, TxnDeletingOnlyMissingKeysDoesNotBumpRevision) {
  ASSERT_TRUE(store().create("/a", "1").ok());
  TxnRequest t;
  t.ops = {TxnOp::del("/missing")};
  auto r = store().txn(t);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->revision, 1);
  EXPECT_EQ(store().currentRevision(), 1);
}

TEST_F(StoreTest, TxnPutOverwritesUnconditionally) {
  ASSERT_TRUE(store().create("/a", "1").ok());
  TxnRequest t;
  t.ops = {TxnOp::put("/a", "2")};
  ASSERT_TRUE(store().txn(t).ok());
  EXPECT_EQ(store().get("/a")->version, 2);
}

TEST_F(StoreTest, ConcurrentConditionalUpdatesNeverLoseAnIncrement) {
  ASSERT_TRUE(store().create("/counter", "0").ok());
  constexpr int kThreads = 4;
  constexpr int kIncrements = 50;
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this] {
      for (int i = 0; i < kIncrements;) {
        auto kv = store().get("/counter");
        ASSERT_TRUE(kv.ok());
        const int n = std::stoi(kv->value);
        auto w = store().update("/counter", std::to_string(n + 1), kv->mod_revision);
        if (w.ok()) {
          ++i;
        } else {
          ASSERT_EQ(w.code(), StatusCode::kConflict) << w.status().toString();
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(store().get("/counter")->value, std::to_string(kThreads * kIncrements));
}

TEST_F(StoreTest, ClosedStoreRefusesEverything) {
  ASSERT_TRUE(store().create("/a", "1").ok());
  store_->close();
  EXPECT_EQ(store().create("/b", "1").code(), StatusCode::kUnavailable);
  EXPECT_EQ(store().get("/a").code(), StatusCode::kUnavailable);
  EXPECT_EQ(store().watch("/", std::nullopt).code(), StatusCode::kUnavailable);
  EXPECT_EQ(store().compact(1).code(), StatusCode::kUnavailable);
  store_->close();  // idempotent
}

TEST(StatusTest, NamesAndMessages) {
  Status s{StatusCode::kConflict, "x"};
  EXPECT_EQ(s.toString(), "Conflict: x");
  EXPECT_TRUE(Status{}.ok());
  EXPECT_EQ(statusCodeName(StatusCode::kCompacted), "Compacted");
  Result<int> r = Status{StatusCode::kNotFound, "gone"};
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.code(), StatusCode::kNotFound);
  Result<int> v = 3;
  EXPECT_EQ(*v, 3);
}

}  // namespace
}  // namespace ferry::controlplane::store
