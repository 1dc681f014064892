// The small public helpers: selector matching and semantic object equality.
#include <gtest/gtest.h>

#include "ferry/controllers/object_equality.h"
#include "ferry/controllers/selector.h"
#include "test_objects.h"

namespace ferry::controlplane {
namespace {

using testing::Json;
using testing::PodBuilder;
using testing::ServiceBuilder;

TEST(Selector, MatchLabelsSemantics) {
  struct Case {
    const char* name;
    Json selector;
    Json labels;
    bool match;
  };
  const Case cases[] = {
      {"subset matches", {{"app", "web"}}, {{"app", "web"}, {"tier", "fe"}}, true},
      {"all keys needed",
       {{"app", "web"}, {"tier", "be"}},
       {{"app", "web"}, {"tier", "fe"}},
       false},
      {"value differs", {{"app", "web"}}, {{"app", "db"}}, false},
      {"missing key", {{"app", "web"}}, Json::object(), false},
      {"labels absent", {{"app", "web"}}, nullptr, false},
      {"empty selector selects nothing", Json::object(), {{"app", "web"}}, false},
      {"null selector selects nothing", nullptr, {{"app", "web"}}, false},
      {"non-string selector value", {{"app", 1}}, {{"app", "1"}}, false},
      {"non-string label value", {{"app", "1"}}, {{"app", 1}}, false},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    EXPECT_EQ(selectorMatches(tc.selector, tc.labels), tc.match);
  }
}

TEST(Selector, PodsSelectedByServiceKeepsOrderAndNamespace) {
  Json other_ns = PodBuilder("x");
  other_ns["metadata"]["namespace"] = "other";
  std::vector<Json> pods = {PodBuilder("b"), PodBuilder("db", "db"), other_ns, PodBuilder("a")};
  std::vector<Json> picked = podsSelectedBy(ServiceBuilder("web"), pods);
  ASSERT_EQ(picked.size(), 2u);
  EXPECT_EQ(picked[0]["metadata"]["name"], "b");
  EXPECT_EQ(picked[1]["metadata"]["name"], "a");
  EXPECT_TRUE(serviceHasSelector(ServiceBuilder("web")));
  EXPECT_FALSE(serviceHasSelector(ServiceBuilder("web").noSelector()));
  EXPECT_TRUE(podsSelectedBy(ServiceBuilder("web").noSelector(), pods).empty());
}

TEST(ObjectEquality, IgnoresServerOwnedMetadataAndEmptyValues) {
  Json a = Json::parse(R"({"metadata":{"name":"s","labels":{"a":"b"}},"ports":[],"x":1})");
  Json b = Json::parse(R"({"metadata":{"name":"s","labels":{"a":"b"},"resourceVersion":"9",
      "uid":"u","creationTimestamp":"t","generation":3,"managedFields":[{"m":1}],
      "annotations":{}},"x":1.0,"endpoints":null})");
  EXPECT_TRUE(semanticallyEqual(a, b));
  EXPECT_TRUE(semanticallyEqual(b, a));
}

TEST(ObjectEquality, SeesRealDifferences) {
  Json base = Json::parse(R"({"metadata":{"name":"s","labels":{"a":"b"}},"list":[1,2],
      "flag":false,"spec":{"uid":"kept"}})");
  const std::pair<const char*, const char*> edits[] = {
      {"label value",
       R"({"metadata":{"name":"s","labels":{"a":"c"}},"list":[1,2],"flag":false,"spec":{"uid":"kept"}})"},
      {"list order",
       R"({"metadata":{"name":"s","labels":{"a":"b"}},"list":[2,1],"flag":false,"spec":{"uid":"kept"}})"},
      {"false is not absent",
       R"({"metadata":{"name":"s","labels":{"a":"b"}},"list":[1,2],"spec":{"uid":"kept"}})"},
      {"uid outside metadata counts",
       R"({"metadata":{"name":"s","labels":{"a":"b"}},"list":[1,2],"flag":false,"spec":{"uid":"other"}})"},
      {"name counts",
       R"({"metadata":{"name":"t","labels":{"a":"b"}},"list":[1,2],"flag":false,"spec":{"uid":"kept"}})"},
  };
  for (const auto& [what, text] : edits) {
    SCOPED_TRACE(what);
    EXPECT_FALSE(semanticallyEqual(base, Json::parse(text)));
  }
  EXPECT_FALSE(semanticallyEqual(Json::array({1}), Json::object({{"a", 1}})));
  EXPECT_TRUE(semanticallyEqual(nullptr, Json::array()));
}

}  // namespace
}  // namespace ferry::controlplane
