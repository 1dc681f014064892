#include "ferry/api/patch_strategy.h"

#include <gtest/gtest.h>

namespace ferry::api {
namespace {

TEST(PatchStrategy, ServicePortsMergeByPort) {
  const PatchSchema& s = PatchSchema::forKind("Service");
  const ListPatchStrategy* ports = s.find("spec.ports");
  ASSERT_NE(ports, nullptr);
  EXPECT_EQ(ports->merge_key, "port");
  for (const char* atomic : {"spec.externalIPs", "spec.clusterIPs", "spec.ipFamilies",
                             "spec.loadBalancerSourceRanges", "status.loadBalancer.ingress"}) {
    EXPECT_EQ(s.find(atomic), nullptr) << atomic;
  }
  EXPECT_EQ(s.find("status.conditions")->merge_key, "type");
}

TEST(PatchStrategy, PodLists) {
  const PatchSchema& s = PatchSchema::forKind("Pod");
  const std::pair<const char*, const char*> merged[] = {
      {"spec.containers", "name"},
      {"spec.initContainers", "name"},
      {"spec.containers.ports", "containerPort"},
      {"spec.containers.env", "name"},
      {"spec.containers.volumeMounts", "mountPath"},
      {"spec.volumes", "name"},
      {"spec.imagePullSecrets", "name"},
      {"status.conditions", "type"},
      {"status.podIPs", "ip"},
  };
  for (const auto& [path, key] : merged) {
    const ListPatchStrategy* p = s.find(path);
    ASSERT_NE(p, nullptr) << path;
    EXPECT_EQ(p->merge_key, key) << path;
  }
  EXPECT_TRUE(s.find("spec.volumes")->retain_keys);
  EXPECT_EQ(s.find("spec.containers.args"), nullptr);
  EXPECT_EQ(s.find("spec.tolerations"), nullptr);
  EXPECT_EQ(s.find("status.containerStatuses"), nullptr);
}

TEST(PatchStrategy, ObjectMetaForEveryKind) {
  for (const char* kind : {"Service", "Pod", "Endpoints", "EndpointSlice", "Ingress", "Node",
                           "Namespace", "ConfigMap", "Widget"}) {
    const PatchSchema& s = PatchSchema::forKind(kind);
    const ListPatchStrategy* finalizers = s.find("metadata.finalizers");
    ASSERT_NE(finalizers, nullptr) << kind;
    EXPECT_TRUE(finalizers->merge_key.empty());
    EXPECT_EQ(s.find("metadata.ownerReferences")->merge_key, "uid") << kind;
    EXPECT_EQ(s.find("metadata.managedFields"), nullptr) << kind;
  }
}

TEST(PatchStrategy, AtomicKinds) {
  EXPECT_EQ(PatchSchema::forKind("Endpoints").find("subsets"), nullptr);
  EXPECT_EQ(PatchSchema::forKind("EndpointSlice").find("endpoints"), nullptr);
  EXPECT_EQ(PatchSchema::forKind("EndpointSlice").find("ports"), nullptr);
  for (const char* p : {"spec.rules", "spec.rules.http.paths", "spec.tls"}) {
    EXPECT_EQ(PatchSchema::forKind("Ingress").find(p), nullptr) << p;
  }
  EXPECT_EQ(PatchSchema::forKind("Widget").find("spec.ports"), nullptr);
}

TEST(PatchStrategy, NodeAndWorkloads) {
  EXPECT_EQ(PatchSchema::forKind("Node").find("status.addresses")->merge_key, "type");
  EXPECT_TRUE(PatchSchema::forKind("Node").find("spec.podCIDRs")->merge_key.empty());
  EXPECT_EQ(PatchSchema::forKind("Node").find("spec.taints"), nullptr);
  EXPECT_EQ(PatchSchema::forKind("Deployment").find("spec.template.spec.containers")->merge_key,
            "name");
}

TEST(PatchStrategy, CustomSchemas) {
  PatchSchema s;
  s.mergeList("spec.items", "id").atomicList("spec.tags");
  EXPECT_EQ(s.find("spec.items")->merge_key, "id");
  EXPECT_EQ(s.find("spec.tags"), nullptr);
  EXPECT_EQ(s.find("spec"), nullptr);
}

}  // namespace
}  // namespace ferry::api
