// The controllers' cache: the watch and the controller's own writes in any order end in the
// newest state, and an own delete is not resurrected by an older put still on the watch.
#include "ferry/controllers/object_cache.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ferry::controlplane {
namespace {

using nlohmann::json;

TEST(ObjectCache, OlderVersionsNeverReplaceNewerOnes) {
  ObjectCache c;
  EXPECT_TRUE(c.put("ns/a", {{"v", 2}}, 20));   // written through by the controller
  EXPECT_FALSE(c.put("ns/a", {{"v", 2}}, 20));  // the same write arriving on the watch
  EXPECT_FALSE(c.put("ns/a", {{"v", 1}}, 10));
  ASSERT_NE(c.find("ns/a"), nullptr);
  EXPECT_EQ((*c.find("ns/a"))["v"], 2);
  EXPECT_TRUE(c.put("ns/a", {{"v", 3}}, 30));
  EXPECT_EQ((*c.find("ns/a"))["v"], 3);
}

TEST(ObjectCache, OwnDeleteHoldsUntilTheWatchReportsIt) {
  ObjectCache c;
  c.put("ns/a", {{"v", 1}}, 10);
  c.tombstone("ns/a", 15);
  EXPECT_EQ(c.find("ns/a"), nullptr);
  EXPECT_FALSE(c.put("ns/a", {{"v", 1}}, 12)) << "an older put on the watch stays dead";
  EXPECT_EQ(c.find("ns/a"), nullptr);
  EXPECT_FALSE(c.erase("ns/a", 15)) << "our own delete: nothing new";
  EXPECT_EQ(c.size(), 0U);
  EXPECT_TRUE(c.put("ns/a", {{"v", 9}}, 16)) << "a re-create is accepted";
}

TEST(ObjectCache, WatchDeleteOfSomethingElseIsNews) {
  ObjectCache c;
  c.put("ns/a", {{"v", 1}}, 10);
  EXPECT_TRUE(c.erase("ns/a", 11));
  EXPECT_EQ(c.find("ns/a"), nullptr);
  EXPECT_TRUE(c.erase("ns/never-seen", 12));
}

TEST(ObjectCache, ReplaceKeepsWritesNewerThanTheList) {
  ObjectCache c;
  c.put("ns/old", {{"v", 1}}, 5);
  c.put("ns/mine", {{"v", 1}}, 50);  // written through after the list's revision
  c.replace({{"ns/listed", json{{"v", 1}}}}, 40);
  EXPECT_EQ(c.find("ns/old"), nullptr);
  EXPECT_NE(c.find("ns/listed"), nullptr);
  EXPECT_NE(c.find("ns/mine"), nullptr);
}

TEST(ObjectCache, ForEachScansOneNamespace) {
  ObjectCache c;
  c.put("a/x", json::object(), 1);
  c.put("ab/y", json::object(), 2);
  c.put("a/z", json::object(), 3);
  c.tombstone("a/w", 4);
  std::vector<std::string> seen;
  c.forEach("a/", [&](const std::string& k, const json&) { seen.push_back(k); });
  EXPECT_EQ(seen, (std::vector<std::string>{"a/x", "a/z"}));
}

json slice(const std::string& service) {
  return {{"metadata", {{"labels", {{"kubernetes.io/service-name", service}}}}}};
}

std::vector<std::string> labelled(const ObjectCache& c, const std::string& ns,
                                  const std::string& value) {
  std::vector<std::string> keys;
  c.forEachLabelled(ns, value, [&](const std::string& key, const json&) { keys.push_back(key); });
  return keys;
}

using Keys = std::vector<std::string>;

TEST(ObjectCache, LabelIndexFollowsPutsRelabelsDeletesAndReplaces) {
  ObjectCache c("kubernetes.io/service-name");
  c.put("a/web-1", slice("web"), 10);
  c.put("a/web-2", slice("web"), 11);
  c.put("a/db-1", slice("db"), 12);
  c.put("b/web-1", slice("web"), 13);  // same value, another namespace
  c.put("a/unlabelled", {{"metadata", json::object()}}, 14);
  EXPECT_EQ(labelled(c, "a", "web"), (Keys{"a/web-1", "a/web-2"}));
  EXPECT_EQ(labelled(c, "b", "web"), (Keys{"b/web-1"}));

  c.put("a/web-2", slice("db"), 20);  // relabelled: moves
  EXPECT_EQ(labelled(c, "a", "web"), (Keys{"a/web-1"}));
  EXPECT_EQ(labelled(c, "a", "db"), (Keys{"a/db-1", "a/web-2"}));
  c.put("a/web-2", slice("web"), 19);  // older: ignored, index unchanged
  EXPECT_EQ(labelled(c, "a", "db"), (Keys{"a/db-1", "a/web-2"}));

  c.tombstone("a/web-1", 21);
  EXPECT_EQ(labelled(c, "a", "web"), Keys{});
  c.erase("a/db-1", 22);
  EXPECT_EQ(labelled(c, "a", "db"), (Keys{"a/web-2"}));

  c.replace({{"a/web-3", slice("web")}, {"c/x", slice("x")}}, 25);
  EXPECT_EQ(labelled(c, "a", "web"), (Keys{"a/web-3"}));
  EXPECT_EQ(labelled(c, "a", "db"), Keys{});
  EXPECT_EQ(labelled(c, "c", "x"), (Keys{"c/x"}));
}

TEST(ObjectCache, WithoutAnIndexedLabelNothingIsLabelled) {
  ObjectCache c;
  c.put("a/web-1", slice("web"), 10);
  EXPECT_EQ(labelled(c, "a", "web"), Keys{});
}

}  // namespace
}  // namespace ferry::controlplane
