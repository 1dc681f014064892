#include <gtest/gtest.h>

#include "validation_table.h"

namespace ferry::api {
namespace {

using nlohmann::json;

json baseEvent() {
  return json::parse(R"({"apiVersion":"v1","kind":"Event",
    "metadata":{"name":"web-1.17f3a2b4c5d6e7f8","namespace":"shop"},
    "involvedObject":{"kind":"Pod","name":"web-1","namespace":"shop","uid":"u1"},
    "reason":"Started","message":"Started container app","type":"Normal",
    "source":{"component":"kubelet","host":"node-a"},"count":1})");
}

TEST(EventValidation, Create) {
  testing::runCreateRows(
      "Event", baseEvent(),
      {
          {"valid", "{}", {}},
          {"namespaces must match",
           R"({"involvedObject":{"namespace":"other"}})",
           {"FieldValueInvalid involvedObject.namespace"},
           "Invalid value: \"other\": does not match event.namespace"},
          {"cluster-scoped object in default",
           R"({"metadata":{"namespace":"default"},
               "involvedObject":{"kind":"Node","name":"node-a","namespace":null}})",
           {}},
          {"cluster-scoped object elsewhere",
           R"({"involvedObject":{"kind":"Node","namespace":null}})",
           {"FieldValueInvalid involvedObject.namespace"}},
          {"names are path segments", R"({"metadata":{"name":"Web_1:x"}})", {}},
          {"no slash", R"({"metadata":{"name":"a/b"}})", {"FieldValueInvalid metadata.name"}},
          {"new-style needs reporting fields",
           R"({"eventTime":"2025-01-10T09:00:00.000000Z","reason":null})",
           {"FieldValueRequired reportingComponent", "FieldValueInvalid reportingComponent",
            "FieldValueInvalid reportingComponent", "FieldValueRequired reportingInstance",
            "FieldValueRequired action", "FieldValueRequired reason"}},
          {"new-style complete",
           R"({"eventTime":"2025-01-10T09:00:00.000000Z","reportingComponent":"ferry.dev/agent",
               "reportingInstance":"node-a","action":"Programmed"})",
           {}},
      });
}

}  // namespace
}  // namespace ferry::api
