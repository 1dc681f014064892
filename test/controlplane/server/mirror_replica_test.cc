// Mirror mode's local replica over the embedded store: a relist writes only what differs and
// removes what the upstream no longer has, watch events coalesce per key, objects that are
// not mirrored (non-TLS Secrets) are kept out or removed, unusable names are skipped.
#include "ferry/controlplane/mirror_replica.h"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "../store/store_test_util.h"

namespace ferry::controlplane {
namespace {

using nlohmann::json;
using store::testing::openOrDie;
using store::testing::optionsFor;
using store::testing::TempDir;

json svc(const std::string& name, const std::string& rv, int port = 80) {
  return {
      {"apiVersion", "v1"},
      {"kind", "Service"},
      {"metadata",
       {{"namespace", "default"}, {"name", name}, {"resourceVersion", rv}, {"uid", "u-" + name}}},
      {"spec", {{"ports", {{{"port", port}}}}}}};
}

json secret(const std::string& name, const std::string& type) {
  return {{"apiVersion", "v1"},
          {"kind", "Secret"},
          {"metadata", {{"namespace", "default"}, {"name", name}, {"resourceVersion", "9"}}},
          {"type", type}};
}

const MirroredKind& kindOf(const std::string& plural) {
  static const std::vector<MirroredKind> kinds = feedMirroredKinds();
  for (const auto& k : kinds)
    if (k.info.plural == plural) return k;
  throw std::logic_error(plural);
}

class ReplicaTest : public ::testing::Test {
 protected:
  std::map<std::string, json> held(const std::string& prefix) {
    std::map<std::string, json> out;
    auto r = store_->range({.prefix = prefix});
    EXPECT_TRUE(r.ok());
    for (const auto& kv : r->items) out[kv->key] = ObjectStorage::fromKv(*kv);
    return out;
  }

  TempDir dir_;
  std::unique_ptr<store::EmbeddedStore> store_ = openOrDie(optionsFor(dir_.path()));
  Replica replica_{*store_};
};

TEST_F(ReplicaTest, RelistWritesOnlyDifferencesAndRemovesWhatIsGone) {
  const auto& services = kindOf("services");
  auto w = replica_.replaceAll(services, {svc("a", "100"), svc("b", "101")});
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->puts, 2u);
  auto objects = held(services.info.prefix());
  ASSERT_EQ(objects.size(), 2u);
  // The upstream's object, with the local store's revision as its resourceVersion.
  json a = objects.at("/registry/core/services/default/a");
  EXPECT_EQ(a["metadata"]["uid"], "u-a");
  EXPECT_EQ(a["metadata"]["resourceVersion"], std::to_string(store_->currentRevision()));
  a["metadata"]["resourceVersion"] = "100";
  EXPECT_EQ(a, svc("a", "100"));

  const auto rev = store_->currentRevision();
  // Same objects at new upstream revisions: nothing to write, the revision stays.
  w = replica_.replaceAll(services, {svc("a", "200"), svc("b", "201")});
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->puts, 0u);
  EXPECT_EQ(w->unchanged, 2u);
  EXPECT_EQ(store_->currentRevision(), rev);

  // b changed, a is gone upstream, c is new.
  w = replica_.replaceAll(services, {svc("b", "300", 81), svc("c", "301")});
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->puts, 2u);
  EXPECT_EQ(w->deletes, 1u);
  objects = held(services.info.prefix());
  ASSERT_EQ(objects.size(), 2u);
  EXPECT_EQ(objects.count("/registry/core/services/default/a"), 0u);
  EXPECT_EQ(objects.at("/registry/core/services/default/b")["spec"]["ports"][0]["port"], 81);
}

TEST_F(ReplicaTest, EventsCoalescePerKeyAndDeletesApply) {
  const auto& services = kindOf("services");
  ASSERT_TRUE(replica_.replaceAll(services, {svc("a", "1")}).ok());
  std::vector<MirrorEvent> events = {{false, svc("b", "2")},
                                     {false, svc("b", "3", 82)},
                                     {true, svc("a", "4")},
                                     {true, svc("never", "5")}};
  const auto before = store_->currentRevision();
  auto w = replica_.apply(services, events);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->puts, 1u);
  EXPECT_EQ(w->deletes, 1u);
  EXPECT_EQ(w->unchanged, 1u);  // the delete of an object never held
  EXPECT_EQ(store_->currentRevision(), before + 1) << "one batch, one transaction";
  auto objects = held(services.info.prefix());
  ASSERT_EQ(objects.size(), 1u);
  EXPECT_EQ(objects.at("/registry/core/services/default/b")["spec"]["ports"][0]["port"], 82);

  // A repeated event (a resumed watch) writes nothing.
  w = replica_.apply(services, {{false, svc("b", "3", 82)}});
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->puts, 0u);
  EXPECT_EQ(store_->currentRevision(), before + 1);
}

TEST_F(ReplicaTest, OnlyTlsSecretsAreHeld) {
  const auto& secrets = kindOf("secrets");
  EXPECT_EQ(secrets.field_selector, "type=kubernetes.io/tls");
  ASSERT_TRUE(
      replica_.replaceAll(secrets, {secret("tls", "kubernetes.io/tls"), secret("pw", "Opaque")})
          .ok());
  auto objects = held(secrets.info.prefix());
  ASSERT_EQ(objects.size(), 1u);
  EXPECT_EQ(objects.count("/registry/core/secrets/default/tls"), 1u);
  // A TLS Secret turned into another type (an upstream ignoring the field selector) goes.
  ASSERT_TRUE(replica_.apply(secrets, {{false, secret("tls", "Opaque")}}).ok());
  EXPECT_TRUE(held(secrets.info.prefix()).empty());
}

TEST_F(ReplicaTest, UnusableNamesAreSkipped) {
  const auto& services = kindOf("services");
  json no_name = svc("x", "1");
  no_name["metadata"].erase("name");
  json slash = svc("a/b", "1");
  json no_ns = svc("y", "1");
  no_ns["metadata"].erase("namespace");
  auto w = replica_.replaceAll(services, {no_name, slash, no_ns, svc("ok", "1")});
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->invalid, 3u);
  EXPECT_EQ(w->puts, 1u);
  w = replica_.apply(services, {{false, slash}});
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->invalid, 1u);
  EXPECT_EQ(held(services.info.prefix()).size(), 1u);

  // Cluster-scoped kinds need no namespace.
  const auto& nodes = kindOf("nodes");
  w = replica_.replaceAll(nodes, {json{{"metadata", {{"name", "node-a"}}}}});
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->puts, 1u);
  EXPECT_EQ(held(nodes.info.prefix()).count("/registry/core/nodes/node-a"), 1u);
}

}  // namespace
}  // namespace ferry::controlplane
