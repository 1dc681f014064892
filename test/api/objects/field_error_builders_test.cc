#include "ferry/api/field_error_builders.h"

#include <gtest/gtest.h>

namespace ferry::api {
namespace {

using nlohmann::json;

TEST(FieldErrorBuilders, BodiesMatchFieldErrorErrorBody) {
  EXPECT_EQ(field::required("spec.ports").message, "Required value");
  EXPECT_EQ(field::required("spec.x", "must be set").message, "Required value: must be set");
  EXPECT_EQ(
      field::invalid("spec.ports[0].port", 70000, "must be between 1 and 65535, inclusive").message,
      "Invalid value: 70000: must be between 1 and 65535, inclusive");
  EXPECT_EQ(field::invalid("metadata.name", "Foo", "bad").message, "Invalid value: \"Foo\": bad");
  EXPECT_EQ(field::invalid("a", true, "x").message, "Invalid value: true: x");
  EXPECT_EQ(field::notSupported("spec.type", "Foo",
                                {"ClusterIP", "ExternalName", "LoadBalancer", "NodePort"})
                .message,
            "Unsupported value: \"Foo\": supported values: \"ClusterIP\", \"ExternalName\", "
            "\"LoadBalancer\", \"NodePort\"");
  EXPECT_EQ(field::duplicate("spec.ports[1].name", "http").message, "Duplicate value: \"http\"");
  EXPECT_EQ(field::forbidden("spec.x", "not allowed").message, "Forbidden: not allowed");
  EXPECT_EQ(field::tooLong("metadata.annotations", 262144).message,
            "Too long: may not be more than 262144 bytes");
  EXPECT_EQ(field::tooMany("endpoints", 1001, 1000).message,
            "Too many: 1001: must have at most 1000 items");
  EXPECT_EQ(field::invalidGo("spec.clusterIPs", field::goStringSlice({"a", "b"}), "x").message,
            "Invalid value: []string{\"a\", \"b\"}: x");
  EXPECT_EQ(field::duplicateGo("p", "core.PodIP{IP:\"1\"}").message,
            "Duplicate value: core.PodIP{IP:\"1\"}");
  EXPECT_EQ(field::typeInvalid("spec.ports", "x", "must be a list").type, "FieldValueTypeInvalid");
}

TEST(FieldErrorBuilders, CauseTypes) {
  EXPECT_EQ(field::required("a").type, "FieldValueRequired");
  EXPECT_EQ(field::invalid("a", 1, "").type, "FieldValueInvalid");
  EXPECT_EQ(field::notSupported("a", "b", {}).type, "FieldValueNotSupported");
  EXPECT_EQ(field::notSupported("a", "b", {}).message, "Unsupported value: \"b\"");
  EXPECT_EQ(field::duplicate("a", 1).type, "FieldValueDuplicate");
  EXPECT_EQ(field::forbidden("a", "").type, "FieldValueForbidden");
  EXPECT_EQ(field::tooLong("a", 1).type, "FieldValueTooLong");
  EXPECT_EQ(field::tooMany("a", 2, 1).type, "FieldValueTooMany");
}

TEST(FieldErrorBuilders, GoQuote) {
  EXPECT_EQ(field::goQuote("a\"b\\c\n\t\x01"), "\"a\\\"b\\\\c\\n\\t\\x01\"");
  EXPECT_EQ(field::goQuote("héllo"), "\"héllo\"");
  EXPECT_EQ(field::formatValue(json()), "null");
  EXPECT_EQ(field::formatValue(json::parse(R"({"a":[1]})")), "{\"a\":[1]}");
}

TEST(FieldErrorBuilders, Paths) {
  EXPECT_EQ(field::child("", "spec"), "spec");
  EXPECT_EQ(field::child("spec", "ports"), "spec.ports");
  EXPECT_EQ(field::index("spec.ports", 3), "spec.ports[3]");
  EXPECT_EQ(field::key("data", "tls.crt"), "data[tls.crt]");
}

TEST(FieldErrorBuilders, InvalidStatusMessage) {
  FieldErrors one = {
      field::invalid("spec.ports[0].port", 0, "must be between 1 and 65535, inclusive")};
  EXPECT_EQ(field::invalidStatusMessage("Service", "web", one),
            "Service \"web\" is invalid: spec.ports[0].port: Invalid value: 0: must be between 1 "
            "and 65535, inclusive");
  FieldErrors two = {field::required("spec.ports"), field::required("spec.ports"),
                     field::notSupported("spec.type", "X", {"ClusterIP"})};
  EXPECT_EQ(field::invalidStatusMessage("Service", "web", two),
            "Service \"web\" is invalid: [spec.ports: Required value, spec.type: Unsupported "
            "value: \"X\": supported values: \"ClusterIP\"]");
  EXPECT_EQ(field::invalidStatusMessage("Ingress.networking.k8s.io", "a", {}),
            "Ingress.networking.k8s.io \"a\" is invalid");
}

}  // namespace
}  // namespace ferry::api
