#include "ferry/model/snapshot.h"

#include <gtest/gtest.h>

#include "ferry/model/snapshot_diff.h"

namespace ferry::model {
namespace {

Service svc(const std::string& name, const char* vip, int backends) {
  Service s;
  s.name = {"default", name, "http"};
  s.frontends.push_back({*IpAddress::parse(vip), 80, FrontendKind::kClusterIp, Scope::kInternal});
  for (int i = 0; i < backends; ++i)
    s.backends.push_back({IpAddress::v4(0x0af40000 + static_cast<uint32_t>(i)), 8080,
                          BackendState::kReady, "n1", "", 1});
  return s;
}

TEST(Snapshot, SortedLookupAndVersion) {
  SnapshotBuilder b;
  b.upsert(svc("web", "10.96.0.20", 2));
  b.upsert(svc("api", "10.96.0.21", 1));
  auto snap = b.build(7);
  EXPECT_EQ(snap->version(), 7U);
  ASSERT_EQ(snap->size(), 2U);
  EXPECT_EQ(snap->services()[0]->name.name, "api");
  EXPECT_EQ(snap->services()[1]->name.name, "web");
  ASSERT_NE(snap->find({"default", "web", "http"}), nullptr);
  EXPECT_EQ(snap->find({"default", "web", "http"})->backends.size(), 2U);
  EXPECT_EQ(snap->find({"default", "web", "https"}), nullptr);
  EXPECT_EQ(snap->find({"other", "web", "http"}), nullptr);
}

TEST(Snapshot, BuiltSnapshotsAreImmutable) {
  SnapshotBuilder b;
  b.upsert(svc("web", "10.96.0.20", 2));
  auto first = b.build(1);
  b.upsert(svc("web", "10.96.0.20", 5));
  b.upsert(svc("db", "10.96.0.22", 1));
  auto second = b.build(2);
  EXPECT_EQ(first->size(), 1U);
  EXPECT_EQ(first->find({"default", "web", "http"})->backends.size(), 2U);
  EXPECT_EQ(second->find({"default", "web", "http"})->backends.size(), 5U);
}

TEST(Snapshot, EqualUpsertSharesTheOldObject) {
  SnapshotBuilder b;
  b.upsert(svc("web", "10.96.0.20", 2));
  auto first = b.build(1);
  SnapshotBuilder next(*first);
  next.upsert(svc("web", "10.96.0.20", 2));
  auto second = next.build(2);
  EXPECT_EQ(first->services()[0].get(), second->services()[0].get());
  EXPECT_TRUE(diff(first.get(), *second).empty());
}

TEST(SnapshotDiff, AddedRemovedChangedWithWhatChanged) {
  SnapshotBuilder b;
  b.upsert(svc("a", "10.96.0.1", 1));
  b.upsert(svc("b", "10.96.0.2", 1));
  b.upsert(svc("c", "10.96.0.3", 1));
  b.upsert(svc("d", "10.96.0.4", 1));
  auto before = b.build(1);

  SnapshotBuilder n(*before);
  n.remove({"default", "a", "http"});
  n.upsert(svc("b", "10.96.0.2", 3));  // backends
  auto c = svc("c", "10.96.0.33", 1);  // frontend and policy
  c.balancing = Balancing::kMaglev;
  n.upsert(c);
  n.upsert(svc("e", "10.96.0.5", 1));
  auto after = n.build(2);

  auto d = diff(before.get(), *after);
  EXPECT_EQ(d.from_version, 1U);
  EXPECT_EQ(d.to_version, 2U);
  ASSERT_EQ(d.removed.size(), 1U);
  EXPECT_EQ(d.removed[0]->name.name, "a");
  ASSERT_EQ(d.added.size(), 1U);
  EXPECT_EQ(d.added[0]->name.name, "e");
  ASSERT_EQ(d.changed.size(), 2U);
  EXPECT_EQ(d.changed[0].after->name.name, "b");
  EXPECT_EQ(d.changed[0].what, kBackendsChanged);
  EXPECT_EQ(d.changed[1].after->name.name, "c");
  EXPECT_EQ(d.changed[1].what, kFrontendsChanged | kPolicyChanged);
  EXPECT_EQ(d.changed[1].before->frontends[0].address.toString(), "10.96.0.3");
}

TEST(SnapshotDiff, FromNothingEverythingIsAdded) {
  SnapshotBuilder b;
  b.upsert(svc("a", "10.96.0.1", 1));
  b.upsert(svc("b", "10.96.0.2", 1));
  auto d = diff(nullptr, *b.build(3));
  EXPECT_EQ(d.added.size(), 2U);
  EXPECT_TRUE(d.removed.empty());
  EXPECT_TRUE(d.changed.empty());
  EXPECT_FALSE(d.empty());
}

TEST(SnapshotDiff, EqualContentInDistinctObjectsIsNotAChange) {
  SnapshotBuilder b1, b2;
  b1.upsert(svc("a", "10.96.0.1", 2));
  b2.upsert(svc("a", "10.96.0.1", 2));
  auto s1 = b1.build(1), s2 = b2.build(2);
  EXPECT_NE(s1->services()[0].get(), s2->services()[0].get());
  EXPECT_TRUE(diff(s1.get(), *s2).empty());
}

}  // namespace
}  // namespace ferry::model
