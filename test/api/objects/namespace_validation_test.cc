#include <gtest/gtest.h>

#include "validation_table.h"

namespace ferry::api {
namespace {

using nlohmann::json;

json baseNamespace() {
  return json::parse(R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"shop"}})");
}

TEST(NamespaceValidation, Create) {
  testing::runCreateRows(
      "Namespace", baseNamespace(),
      {
          {"valid", "{}", {}},
          {"name is a label",
           R"({"metadata":{"name":"shop.eu"}})",
           {"FieldValueInvalid metadata.name"},
           "Invalid value: \"shop.eu\": must not contain dots"},
          {"name too long",
           R"({"metadata":{"name":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}})",
           // The defaulted kubernetes.io/metadata.name label is then too long as well, as in kube.
           {"FieldValueInvalid metadata.name", "FieldValueInvalid metadata.labels"}},
          {"no namespace on a namespace",
           R"({"metadata":{"namespace":"default"}})",
           {"FieldValueForbidden metadata.namespace"}},
          {"custom finalizer", R"({"spec":{"finalizers":["example.com/cleanup"]}})", {}},
          {"unqualified finalizer",
           R"({"spec":{"finalizers":["cleanup"]}})",
           {"FieldValueInvalid spec.finalizers"}},
          {"generateName", R"({"metadata":{"name":null,"generateName":"test-"}})", {}},
      });
}

TEST(NamespaceValidation, Update) {
  testing::runUpdateRows(
      "Namespace", baseNamespace(),
      {
          {"labels", R"({"metadata":{"labels":{"team":"a"}}})", {}},
          {"rename", R"({"metadata":{"name":"other"}})", {"FieldValueInvalid metadata.name"}},
      });
}

}  // namespace
}  // namespace ferry::api
