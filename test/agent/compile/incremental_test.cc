// Incrementality: build() recompiles only what changed and shares unchanged model::Services
// with the previous snapshot by pointer; slices move between Services with their label;
// deletions and full resyncs remove what is gone.
#include <gtest/gtest.h>

#include <map>

#include "compile_fixtures.h"

namespace ferry::agent {
namespace {

using testing::backendStrings;
using testing::endpoint;
using testing::Json;
using testing::sliceObject;
using testing::slicePort;

const model::Service* ptr(const model::ServiceSnapshot::Ptr& snap, const char* name) {
  for (const auto& s : snap->services()) {
    if (s->name.name == name) return s.get();
  }
  return nullptr;
}

class Incremental : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::pair<const char*, const char*> services[] = {
        {"a", "10.96.1.1"}, {"b", "10.96.1.2"}, {"c", "10.96.1.3"}};
    for (const auto& [name, vip] : services) {
      Json svc = testing::simpleService("default", name, vip);
      c_.applyService("default", name, &svc);
      Json slice = sliceObject("default", std::string(name) + "-1", name, "IPv4",
                               {slicePort("", 8080)}, {endpoint("10.1.0.1")});
      c_.applyEndpointSlice("default", std::string(name) + "-1", &slice);
    }
    first_ = c_.build();
    ASSERT_EQ(first_->size(), 3u);
    compiled_after_setup_ = c_.compiledServiceCount();
  }

  ServiceCompiler c_;
  model::ServiceSnapshot::Ptr first_;
  uint64_t compiled_after_setup_ = 0;
};

TEST_F(Incremental, ChangingOneSliceRecompilesOnlyItsService) {
  Json slice = sliceObject("default", "b-1", "b", "IPv4", {slicePort("", 8080)},
                           {endpoint("10.1.0.1"), endpoint("10.1.0.2")});
  c_.applyEndpointSlice("default", "b-1", &slice);
  auto second = c_.build();
  EXPECT_EQ(c_.compiledServiceCount() - compiled_after_setup_, 1u);
  EXPECT_GT(second->version(), first_->version());
  EXPECT_EQ(ptr(second, "a"), ptr(first_, "a"));
  EXPECT_EQ(ptr(second, "c"), ptr(first_, "c"));
  EXPECT_NE(ptr(second, "b"), ptr(first_, "b"));
  EXPECT_EQ(ptr(second, "b")->backends.size(), 2u);
}

TEST_F(Incremental, NothingChangedReturnsTheSameSnapshot) {
  EXPECT_EQ(c_.build(), first_);
  // Re-applying an identical object is not a change either.
  Json svc = testing::simpleService("default", "a", "10.96.1.1");
  c_.applyService("default", "a", &svc);
  EXPECT_EQ(c_.build(), first_);
  EXPECT_EQ(c_.compiledServiceCount(), compiled_after_setup_);
}

TEST_F(Incremental, EquivalentRewriteKeepsThePointer) {
  // A slice rewritten with different metadata but the same endpoints recompiles "a" and
  // yields an equal model service, which keeps the old object.
  Json slice =
      sliceObject("default", "a-1", "a", "IPv4", {slicePort("", 8080)}, {endpoint("10.1.0.1")});
  slice["metadata"]["resourceVersion"] = "42";
  c_.applyEndpointSlice("default", "a-1", &slice);
  auto second = c_.build();
  EXPECT_EQ(c_.compiledServiceCount() - compiled_after_setup_, 1u);
  EXPECT_EQ(ptr(second, "a"), ptr(first_, "a"));
}

TEST_F(Incremental, RelabelledSliceMovesItsBackends) {
  Json moved =
      sliceObject("default", "a-1", "c", "IPv4", {slicePort("", 8080)}, {endpoint("10.1.0.9")});
  c_.applyEndpointSlice("default", "a-1", &moved);
  auto second = c_.build();
  EXPECT_EQ(c_.compiledServiceCount() - compiled_after_setup_, 2u);  // a and c
  EXPECT_TRUE(ptr(second, "a")->backends.empty());
  EXPECT_EQ(backendStrings(*ptr(second, "c")),
            (std::vector<std::string>{"10.1.0.1:8080", "10.1.0.9:8080"}));
  EXPECT_EQ(ptr(second, "b"), ptr(first_, "b"));
}

TEST_F(Incremental, ServiceDeletionRemovesItsModelServices) {
  c_.applyService("default", "b", nullptr);
  auto second = c_.build();
  EXPECT_EQ(second->size(), 2u);
  EXPECT_EQ(ptr(second, "b"), nullptr);
  // Its slices linger harmlessly and come back with the Service.
  Json svc = testing::simpleService("default", "b", "10.96.1.2");
  c_.applyService("default", "b", &svc);
  EXPECT_EQ(ptr(c_.build(), "b")->backends.size(), 1u);
}

TEST_F(Incremental, SliceDeletionRemovesBackends) {
  c_.applyEndpointSlice("default", "c-1", nullptr);
  EXPECT_TRUE(ptr(c_.build(), "c")->backends.empty());
}

TEST_F(Incremental, RemovedPortDisappears) {
  Json two = testing::serviceObject(
      "default", "a",
      {{"clusterIPs", {"10.96.1.1"}},
       {"ports", {{{"name", "x"}, {"port", 80}}, {{"name", "y"}, {"port", 81}}}}});
  c_.applyService("default", "a", &two);
  auto second = c_.build();
  EXPECT_NE(second->find({"default", "a", "x"}), nullptr);
  EXPECT_NE(second->find({"default", "a", "y"}), nullptr);
  EXPECT_EQ(second->find({"default", "a", ""}), nullptr);
  two["spec"]["ports"].erase(1);
  c_.applyService("default", "a", &two);
  auto third = c_.build();
  EXPECT_NE(third->find({"default", "a", "x"}), nullptr);
  EXPECT_EQ(third->find({"default", "a", "y"}), nullptr);
  EXPECT_EQ(third->size(), 3u);
}

TEST_F(Incremental, TypeChangeToHeadlessOrExternalNameRemoves) {
  Json svc = testing::serviceObject("default", "a",
                                    {{"type", "ExternalName"}, {"externalName", "x.example.com"}});
  c_.applyService("default", "a", &svc);
  EXPECT_EQ(ptr(c_.build(), "a"), nullptr);
}

// The feed's map shape (ferry/feed/feed_state.h), without linking the feed.
struct Key {
  std::string kind, ns, name;
  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 misreads defaulted <=>
  auto operator<=>(const Key&) const = default;
};
struct Stored {
  int64_t revision = 0;
  std::string json;
};

TEST_F(Incremental, FullResyncRemovesWhatIsGoneAndKeepsTheRest) {
  std::map<Key, Stored> objects;
  objects[{"Service", "default", "a"}] = {
      1, testing::simpleService("default", "a", "10.96.1.1").dump()};
  objects[{"EndpointSlice", "default", "a-1"}] = {
      1, sliceObject("default", "a-1", "a", "IPv4", {slicePort("", 8080)}, {endpoint("10.1.0.1")})
             .dump()};
  objects[{"Service", "default", "c"}] = {
      1, testing::simpleService("default", "c", "10.96.1.3").dump()};
  objects[{"Ingress", "default", "ing"}] = {1, "{}"};  // not the compiler's kind
  c_.applyAll(objects);
  auto second = c_.build();
  EXPECT_EQ(second->size(), 2u);
  EXPECT_EQ(ptr(second, "a"), ptr(first_, "a"));    // unchanged: shared
  EXPECT_EQ(ptr(second, "b"), nullptr);             // gone from the snapshot
  EXPECT_TRUE(ptr(second, "c")->backends.empty());  // its slice is gone
  EXPECT_EQ(c_.malformedCount(), 0u);
  // Compiled: b (removed) and c (slice gone); a was identical.
  EXPECT_EQ(c_.compiledServiceCount() - compiled_after_setup_, 2u);
}

TEST(IncrementalScale, OneChangeAmongManyRecompilesOne) {
  ServiceCompiler c;
  for (int i = 0; i < 500; ++i) {
    std::string name = "s" + std::to_string(i);
    Json svc = testing::simpleService(
        "default", name, "10.96." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1));
    c.applyService("default", name, &svc);
  }
  auto first = c.build();
  ASSERT_EQ(first->size(), 500u);
  uint64_t before = c.compiledServiceCount();
  Json slice =
      sliceObject("default", "s7-x", "s7", "IPv4", {slicePort("", 80)}, {endpoint("10.2.0.7")});
  c.applyEndpointSlice("default", "s7-x", &slice);
  auto second = c.build();
  EXPECT_EQ(c.compiledServiceCount() - before, 1u);
  size_t shared = 0;
  for (size_t i = 0; i < second->size(); ++i) {
    if (second->services()[i] == first->services()[i]) ++shared;
  }
  EXPECT_EQ(shared, 499u);
}

}  // namespace
}  // namespace ferry::agent
