#include <gtest/gtest.h>

#include "validation_table.h"

namespace ferry::api {
namespace {

using nlohmann::json;

json baseNode() {
  return json::parse(R"({"apiVersion":"v1","kind":"Node","metadata":{"name":"node-a",
    "labels":{"kubernetes.io/hostname":"node-a"}},
    "spec":{"podCIDR":"10.244.1.0/24","podCIDRs":["10.244.1.0/24"],
            "taints":[{"key":"node-role.kubernetes.io/control-plane","effect":"NoSchedule"}]},
    "status":{"addresses":[{"type":"InternalIP","address":"192.0.2.10"}],
              "capacity":{"cpu":"4","pods":"110"}}})");
}

TEST(NodeValidation, Create) {
  testing::runCreateRows(
      "Node", baseNode(),
      {
          {"valid", "{}", {}},
          {"cluster-scoped",
           R"({"metadata":{"namespace":"default"}})",
           {"FieldValueForbidden metadata.namespace"}},
          {"name", R"({"metadata":{"name":"Node_A"}})", {"FieldValueInvalid metadata.name"}},
          {"podCIDR",
           R"({"spec":{"podCIDR":null,"podCIDRs":["10.244.1.0/33"]}})",
           {"FieldValueInvalid spec.podCIDRs[0]"}},
          {"dual-stack podCIDRs",
           R"({"spec":{"podCIDR":null,"podCIDRs":["10.244.1.0/24","fd00:1::/64"]}})",
           {}},
          {"two v4 podCIDRs",
           R"({"spec":{"podCIDR":null,"podCIDRs":["10.244.1.0/24","10.244.2.0/24"]}})",
           {"FieldValueInvalid spec.podCIDRs"}},
          {"duplicate podCIDRs",
           R"({"spec":{"podCIDR":null,"podCIDRs":["fd00::/64","fd00::/64"]}})",
           {"FieldValueInvalid spec.podCIDRs", "FieldValueDuplicate spec.podCIDRs[1]"}},
          {"taint key",
           R"({"spec":{"taints":[{"key":"a b","effect":"NoSchedule"}]}})",
           {"FieldValueInvalid metadata.taints[0].key"}},
          {"taint value",
           R"({"spec":{"taints":[{"key":"a","value":"-","effect":"NoSchedule"}]}})",
           {"FieldValueInvalid metadata.taints[0].value"}},
          {"taint effect required",
           R"({"spec":{"taints":[{"key":"a"}]}})",
           {"FieldValueRequired metadata.taints[0].effect"}},
          {"taint effect",
           R"({"spec":{"taints":[{"key":"a","effect":"NoRun"}]}})",
           {"FieldValueNotSupported metadata.taints[0].effect"},
           "Unsupported value: \"NoRun\": supported values: \"NoSchedule\", \"PreferNoSchedule\", "
           "\"NoExecute\""},
          {"duplicate taint",
           R"({"spec":{"taints":[{"key":"a","effect":"NoSchedule"},
               {"key":"a","value":"x","effect":"NoSchedule"}]}})",
           {"FieldValueDuplicate metadata.taints[1]"}},
          {"same key, other effect",
           R"({"spec":{"taints":[{"key":"a","effect":"NoSchedule"},
               {"key":"a","effect":"NoExecute"}]}})",
           {}},
          {"unschedulable type",
           R"({"spec":{"unschedulable":"yes"}})",
           {"FieldValueTypeInvalid spec.unschedulable"}},
      });
}

TEST(NodeValidation, Update) {
  testing::runUpdateRows(
      "Node", baseNode(),
      {
          {"taints may change", R"({"spec":{"taints":[]}})", {}},
          {"podCIDRs may not",
           R"({"spec":{"podCIDR":"10.244.9.0/24","podCIDRs":["10.244.9.0/24"]}})",
           {"FieldValueForbidden spec.podCIDRs"},
           "Forbidden: node updates may not change podCIDR except from \"\" to valid"},
          {"providerID may not",
           R"({"spec":{"providerID":"aws://b"}})",
           {"FieldValueForbidden spec.providerID"}},
          {"podCIDRs one by one",
           R"({"spec":{"podCIDR":null,"podCIDRs":["10.244.9.0/24","fd00::/64"]}})",
           {"FieldValueForbidden spec.podCIDRs"}},

      },
      json::parse(R"({"spec":{"providerID":"aws://a"}})"));
}

// Status comes from the stored object on a main-resource update, so the status rules are checked
// on validate() directly (as a /status update would reach them).
TEST(NodeValidation, UpdateRejectsDuplicateAddresses) {
  json old = baseNode();
  old["metadata"]["resourceVersion"] = "3";
  json node = old;
  node["status"]["addresses"].push_back({{"type", "InternalIP"}, {"address", "192.0.2.10"}});
  FieldErrors errs = validate("Node", node, &old);
  ASSERT_EQ(errs.size(), 1U) << testing::dump(errs);
  EXPECT_EQ(errs[0].type, "FieldValueDuplicate");
  EXPECT_EQ(errs[0].field, "status.addresses[1]");
  EXPECT_EQ(errs[0].message,
            "Duplicate value: core.NodeAddress{Type:\"InternalIP\", Address:\"192.0.2.10\"}");
  EXPECT_TRUE(validate("Node", node, nullptr).empty());  // create does not check
}

}  // namespace
}  // namespace ferry::api
