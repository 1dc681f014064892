#include <gtest/gtest.h>

#include "validation_table.h"

namespace ferry::api {
namespace {

using nlohmann::json;

json baseClass() {
  return json::parse(R"({"apiVersion":"networking.k8s.io/v1","kind":"IngressClass",
    "metadata":{"name":"ferry","annotations":{"ingressclass.kubernetes.io/is-default-class":"true"}},
    "spec":{"controller":"ferry.dev/ingress-controller"}})");
}

TEST(IngressClassValidation, Create) {
  testing::runCreateRows(
      "IngressClass", baseClass(),
      {
          {"valid", "{}", {}},
          {"cluster-scoped",
           R"({"metadata":{"namespace":"default"}})",
           {"FieldValueForbidden metadata.namespace"}},
          {"controller required",
           R"({"spec":{"controller":null}})",
           {"FieldValueRequired spec.controller"}},
          {"controller domain-prefixed",
           R"({"spec":{"controller":"ingress"}})",
           {"FieldValueInvalid spec.controller"},
           R"(Invalid value: "ingress": must be a domain-prefixed path (such as "acme.io/foo"))"},
          {"controller domain",
           R"({"spec":{"controller":"Ferry_Dev/x"}})",
           {"FieldValueInvalid spec.controller"}},
          {"controller path",
           R"({"spec":{"controller":"ferry.dev/a b"}})",
           {"FieldValueInvalid spec.controller"}},
          {"controller length",
           (R"({"spec":{"controller":"ferry.dev/)" + std::string(250, 'a') + "\"}}").c_str(),
           {"FieldValueTooLong spec.controller"}},
          {"parameters",
           R"({"spec":{"parameters":{"apiGroup":"k8s.example.com","kind":"Params","name":"p"}}})",
           {}},
          {"namespaced parameters",
           R"({"spec":{"parameters":{"kind":"ConfigMap","name":"p","scope":"Namespace","namespace":"ingress"}}})",
           {}},
          {"namespace needed",
           R"({"spec":{"parameters":{"kind":"ConfigMap","name":"p","scope":"Namespace"}}})",
           {"FieldValueRequired spec.parameters.namespace"}},
          {"namespace forbidden",
           R"({"spec":{"parameters":{"kind":"ConfigMap","name":"p","scope":"Cluster","namespace":"x"}}})",
           {"FieldValueForbidden spec.parameters.namespace"}},
          {"scope value",
           R"({"spec":{"parameters":{"kind":"ConfigMap","name":"p","scope":"Global"}}})",
           {"FieldValueNotSupported spec.parameters.scope"}},
          {"kind and name",
           R"({"spec":{"parameters":{"apiGroup":"x"}}})",
           {"FieldValueRequired spec.parameters.kind", "FieldValueRequired spec.parameters.name"}},
      });
}

TEST(IngressClassValidation, Update) {
  testing::runUpdateRows("IngressClass", baseClass(),
                         {
                             {"annotations may change", R"({"metadata":{"annotations":null}})", {}},
                             {"controller is immutable",
                              R"({"spec":{"controller":"other.dev/x"}})",
                              {"FieldValueInvalid spec.controller"}},
                         });
}

}  // namespace
}  // namespace ferry::api
