// Unknown-field detection against the served OpenAPI schemas: typos anywhere are found with
// kube's paths; maps, free-form fields and patch directives are not mistaken for them.
#include "ferry/api/field_validation.h"

#include <gtest/gtest.h>

namespace ferry::api {
namespace {

using nlohmann::json;

const ResourceType& type(const char* group, const char* plural) {
  return *findResource(group, "v1", plural);
}

TEST(FieldValidation, FindsTyposAtEveryDepthWithKubePaths) {
  json svc = {
      {"apiVersion", "v1"},
      {"kind", "Service"},
      {"metadata", {{"name", "web"}, {"labelz", {{"a", "b"}}}}},
      {"spec", {{"prots", json::array()}, {"ports", {{{"port", 80}, {"targetPrt", 8080}}}}}},
      {"extra", 1}};
  EXPECT_EQ(unknownFields(type("", "services"), svc),
            (std::vector<std::string>{"extra", "metadata.labelz", "spec.ports[0].targetPrt",
                                      "spec.prots"}));
}

TEST(FieldValidation, MapsFreeFormValuesAndDirectivesAreNotUnknown) {
  json svc = {{"apiVersion", "v1"},
              {"kind", "Service"},
              {"metadata",
               {{"name", "web"}, {"labels", {{"any-key", "v"}}}, {"annotations", {{"x/y", "z"}}}}},
              {"spec",
               {{"selector", {{"app", "web"}}},
                {"$setElementOrder/ports", json::array()},
                {"ports", {{{"port", 80}, {"targetPort", "http"}}}}}},
              {"status", {{"loadBalancer", {{"ingress", {{{"ip", "192.0.2.1"}}}}}}}}};
  EXPECT_TRUE(unknownFields(type("", "services"), svc).empty());
  json cm = {{"apiVersion", "v1"},
             {"kind", "ConfigMap"},
             {"metadata", {{"name", "c"}}},
             {"data", {{"whatever", "x"}}}};
  EXPECT_TRUE(unknownFields(type("", "configmaps"), cm).empty());
  json ing = json::parse(
      R"({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "i"},
      "spec": {"rules": [{"host": "a.example", "http": {"paths": [
        {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "web", "port": {"number": 80}}},
         "bogus": true}]}}]}})");
  EXPECT_EQ(unknownFields(type("networking.k8s.io", "ingresses"), ing),
            (std::vector<std::string>{"spec.rules[0].http.paths[0].bogus"}));
}

TEST(FieldValidation, ParsesTheQueryParameter) {
  EXPECT_EQ(parseFieldValidation(""), FieldValidation::kWarn);  // kube's default
  EXPECT_EQ(parseFieldValidation("Strict"), FieldValidation::kStrict);
  EXPECT_EQ(parseFieldValidation("Ignore"), FieldValidation::kIgnore);
  EXPECT_EQ(parseFieldValidation("strict"), std::nullopt);
}

}  // namespace
}  // namespace ferry::api
