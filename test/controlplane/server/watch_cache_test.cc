// The per-resource watch cache: one decode and one serialization per event whatever the number
// of watchers, namespace scoping, replay from the ring, slow watchers cut off without holding
// anyone else back, and selector transitions as kube-apiserver reports them.
#include "ferry/controlplane/watch_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <nlohmann/json.hpp>

#include "../store/store_test_util.h"
#include "ferry/controlplane/object_storage.h"

namespace ferry::controlplane {
namespace {

using nlohmann::json;
using store::testing::openOrDie;
using store::testing::optionsFor;
using store::testing::TempDir;
using store::testing::waitFor;

constexpr const char* kPrefix = "/registry/core/services/";

std::string svc(const std::string& ns, const std::string& name, const std::string& app = "web") {
  return json{{"kind", "Service"},
              {"metadata", {{"namespace", ns}, {"name", name}, {"labels", {{"app", app}}}}}}
      .dump();
}

std::string key(const std::string& ns, const std::string& name) {
  return kPrefix + ns + "/" + name;
}

// Polls until `want` events arrived or the deadline passed.
std::vector<CachedEventPtr> collect(CachedWatch& w, size_t want) {
  std::vector<CachedEventPtr> got;
  waitFor([&] {
    (void)w.poll(got, 1000);
    return got.size() >= want;
  });
  return got;
}

class WatchCacheTest : public ::testing::Test {
 protected:
  TempDir dir_;
  std::unique_ptr<store::EmbeddedStore> store_ = openOrDie(optionsFor(dir_.path()));
};

TEST_F(WatchCacheTest, EventsAreDecodedOnceAndSharedByEveryWatcher) {
  auto cache = std::make_shared<WatchCache>(*store_, kPrefix);
  const auto start = store_->currentRevision();
  auto a = cache->subscribe(kPrefix, start, nullptr);
  auto b = cache->subscribe(kPrefix, start, nullptr);
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(store_->create(key("default", "web"), svc("default", "web")).ok());
  auto upd = store_->update(key("default", "web"), svc("default", "web", "v2"), 0);
  ASSERT_TRUE(upd.ok());
  ASSERT_TRUE(store_->remove(key("default", "web"), 0).ok());

  auto ea = collect(*a, 3), eb = collect(*b, 3);
  ASSERT_EQ(ea.size(), 3u);
  ASSERT_EQ(eb.size(), 3u);
  for (size_t i = 0; i < 3; ++i)
    EXPECT_EQ(ea[i].get(), eb[i].get()) << "event " << i << " was copied per watcher";

  EXPECT_TRUE(ea[0]->created());
  EXPECT_FALSE(ea[1]->created());
  EXPECT_TRUE(ea[2]->deleted());
  // The wire object carries its resourceVersion; a delete shows the last state at the delete's.
  json modified = json::parse(ea[1]->objectJson());
  EXPECT_EQ(modified["metadata"]["resourceVersion"], std::to_string(upd->revision));
  EXPECT_EQ(modified["metadata"]["labels"]["app"], "v2");
  json deleted = json::parse(ea[2]->objectJson());
  EXPECT_EQ(deleted["metadata"]["resourceVersion"], std::to_string(ea[2]->revision()));
  EXPECT_EQ(deleted["metadata"]["labels"]["app"], "v2");

  json line = json::parse(watchEventLine(*ea[0], nullptr));
  EXPECT_EQ(line["type"], "ADDED");
  EXPECT_EQ(json::parse(watchEventLine(*ea[1], nullptr))["type"], "MODIFIED");
  EXPECT_EQ(json::parse(watchEventLine(*ea[2], nullptr))["type"], "DELETED");
}

TEST_F(WatchCacheTest, NamespaceScopedWatcherSeesOnlyItsNamespace) {
  auto cache = std::make_shared<WatchCache>(*store_, kPrefix);
  auto w = cache->subscribe(std::string(kPrefix) + "team-a/", store_->currentRevision(), nullptr);
  auto all = cache->subscribe(kPrefix, store_->currentRevision(), nullptr);
  ASSERT_TRUE(store_->create(key("team-b", "x"), svc("team-b", "x")).ok());
  ASSERT_TRUE(store_->create(key("team-a", "y"), svc("team-a", "y")).ok());
  ASSERT_EQ(collect(*all, 2).size(), 2u);
  auto got = collect(*w, 1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0]->key(), key("team-a", "y"));
  std::vector<CachedEventPtr> more;
  EXPECT_TRUE(w->poll(more, 10).ok());
  EXPECT_TRUE(more.empty());
}

TEST_F(WatchCacheTest, ReplaysFromTheRingAndRefusesWhatItNeverSaw) {
  const auto before_cache = store_->currentRevision();
  ASSERT_TRUE(store_->create(key("default", "old"), svc("default", "old")).ok());
  auto cache = std::make_shared<WatchCache>(*store_, kPrefix);
  // Events before the cache started are not in its ring: the caller must use the store.
  EXPECT_EQ(cache->subscribe(kPrefix, before_cache, nullptr), nullptr);

  auto live = cache->subscribe(kPrefix, store_->currentRevision(), nullptr);
  auto r1 = store_->create(key("default", "a"), svc("default", "a"));
  auto r2 = store_->create(key("default", "b"), svc("default", "b"));
  ASSERT_TRUE(r1.ok() && r2.ok());
  ASSERT_EQ(collect(*live, 2).size(), 2u);

  // A watcher starting at r1 (a list at r1, say) gets exactly what followed.
  auto late = cache->subscribe(kPrefix, r1->revision, nullptr);
  ASSERT_NE(late, nullptr);
  auto got = collect(*late, 1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0]->key(), key("default", "b"));
}

TEST_F(WatchCacheTest, SlowWatcherIsCutOffOthersKeepGoing) {
  WatchCacheOptions opts;
  opts.capacity = 8;
  auto cache = std::make_shared<WatchCache>(*store_, kPrefix, opts);
  std::atomic<int> wakes{0};
  auto slow = cache->subscribe(kPrefix, store_->currentRevision(), [&] { ++wakes; });
  auto fast = cache->subscribe(kPrefix, store_->currentRevision(), nullptr);
  std::vector<CachedEventPtr> fast_seen;
  for (int i = 0; i < 40; ++i) {
    ASSERT_TRUE(store_->create(key("default", "s" + std::to_string(i)), svc("default", "s")).ok());
    // The fast watcher keeps up; each write is one revision, so it waits for each.
    ASSERT_TRUE(waitFor([&] {
      (void)fast->poll(fast_seen, 100);
      return fast_seen.size() == static_cast<size_t>(i + 1);
    }));
  }
  EXPECT_GT(wakes.load(), 0);
  std::vector<CachedEventPtr> got;
  store::Status st = slow->poll(got, 100);
  EXPECT_EQ(st.code(), store::StatusCode::kOverflow);
  EXPECT_TRUE(got.empty());
  // The cut-off watcher is gone; the fast one saw every event in order.
  for (size_t i = 1; i < fast_seen.size(); ++i)
    EXPECT_LT(fast_seen[i - 1]->revision(), fast_seen[i]->revision());
  EXPECT_TRUE(fast->poll(got, 100).ok());
  // A new watcher cannot start before what the ring dropped.
  EXPECT_GT(cache->replayableFrom(), fast_seen.front()->revision());
  EXPECT_EQ(cache->subscribe(kPrefix, fast_seen.front()->revision(), nullptr), nullptr);
}

TEST_F(WatchCacheTest, CancelledWatcherEndsAndLeavesTheCache) {
  auto cache = std::make_shared<WatchCache>(*store_, kPrefix);
  auto w = cache->subscribe(kPrefix, store_->currentRevision(), nullptr);
  EXPECT_EQ(cache->watcherCount(), 1u);
  w->cancel();
  EXPECT_EQ(cache->watcherCount(), 0u);
  std::vector<CachedEventPtr> got;
  EXPECT_EQ(w->poll(got, 10).code(), store::StatusCode::kCancelled);
}

TEST_F(WatchCacheTest, SelectorTransitionsBecomeAddedAndDeleted) {
  auto cache = std::make_shared<WatchCache>(*store_, kPrefix);
  auto w = cache->subscribe(kPrefix, store_->currentRevision(), nullptr);
  const std::string k = key("default", "web");
  ASSERT_TRUE(store_->create(k, svc("default", "web", "other")).ok());
  ASSERT_TRUE(store_->update(k, svc("default", "web", "web"), 0).ok());    // enters app=web
  ASSERT_TRUE(store_->update(k, svc("default", "web", "web"), 0).ok());    // stays
  ASSERT_TRUE(store_->update(k, svc("default", "web", "other"), 0).ok());  // leaves
  ASSERT_TRUE(store_->remove(k, 0).ok());                                  // gone, unseen
  auto events = collect(*w, 5);
  ASSERT_EQ(events.size(), 5u);
  auto app_is_web = [](const json& o) { return o["metadata"]["labels"].value("app", "") == "web"; };
  std::vector<std::string> types;
  for (const auto& e : events) {
    std::string line = watchEventLine(*e, app_is_web);
    types.push_back(line.empty() ? "-" : json::parse(line)["type"].get<std::string>());
  }
  EXPECT_EQ(types, (std::vector<std::string>{"-", "ADDED", "MODIFIED", "DELETED", "-"}));
}

TEST(WireJson, SplicesResourceVersionIntoTheTopLevelMetadataOnly) {
  // Keys sort before "metadata" and hide decoys: a nested metadata object, and the key's text
  // inside a string value.
  json obj = {{"apiVersion", "v1"},
              {"data", {{"x", R"("metadata":{)"}}},
              {"aaa", {{"metadata", {{"name", "decoy"}}}}},
              {"metadata", {{"name", "real"}}},
              {"spec", {{"template", {{"metadata", {{"labels", {{"a", "b"}}}}}}}}}};
  store::KeyValue kv;
  kv.value = obj.dump();
  kv.mod_revision = 7;
  json wire = json::parse(ObjectStorage::wireJson(kv, 42));
  EXPECT_EQ(wire["metadata"]["resourceVersion"], "42");
  EXPECT_EQ(wire["metadata"]["name"], "real");
  EXPECT_FALSE(wire["aaa"]["metadata"].contains("resourceVersion"));
  EXPECT_FALSE(wire["spec"]["template"]["metadata"].contains("resourceVersion"));
  wire["metadata"].erase("resourceVersion");
  EXPECT_EQ(wire, obj);

  kv.value = json{{"metadata", json::object()}}.dump();  // empty metadata: no stray comma
  EXPECT_EQ(json::parse(ObjectStorage::wireJson(kv, 3))["metadata"]["resourceVersion"], "3");
  kv.value = json{{"kind", "X"}}.dump();  // no metadata at all: falls back to a decode
  EXPECT_EQ(json::parse(ObjectStorage::wireJson(kv, 5))["metadata"]["resourceVersion"], "5");
}

}  // namespace
}  // namespace ferry::controlplane
