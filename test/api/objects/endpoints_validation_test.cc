#include <gtest/gtest.h>

#include "validation_table.h"

namespace ferry::api {
namespace {

using nlohmann::json;

json baseEndpoints() {
  return json::parse(R"({"apiVersion":"v1","kind":"Endpoints",
    "metadata":{"name":"web","namespace":"default"},
    "subsets":[{"addresses":[{"ip":"10.244.1.5","nodeName":"node-a",
                              "targetRef":{"kind":"Pod","name":"web-1"}}],
                "notReadyAddresses":[{"ip":"10.244.2.6"}],
                "ports":[{"name":"http","port":8080}]}]})");
}

TEST(EndpointsValidation, Create) {
  testing::runCreateRows(
      "Endpoints", baseEndpoints(),
      {
          {"valid", "{}", {}},
          {"no subsets", R"({"subsets":null})", {}},
          {"name is a subdomain", R"({"metadata":{"name":"web.v1"}})", {}},
          {"bad name", R"({"metadata":{"name":"Web"}})", {"FieldValueInvalid metadata.name"}},
          {"addresses required",
           R"({"subsets":[{"ports":[{"port":80}]}]})",
           {"FieldValueRequired subsets[0]"},
           "Required value: must specify `addresses` or `notReadyAddresses`"},
          {"only not-ready addresses",
           R"({"subsets":[{"notReadyAddresses":[{"ip":"10.0.0.1"}]}]})",
           {}},
          // kube runs both IP checks on Endpoints, so a bad address is reported twice.
          {"bad ip",
           R"({"subsets":[{"addresses":[{"ip":"10.0.0"}]}]})",
           {"FieldValueInvalid subsets[0].addresses[0].ip",
            "FieldValueInvalid subsets[0].addresses[0].ip"},
           "Invalid value: \"10.0.0\": must be a valid IP address, (e.g. 10.9.8.7 or "
           "2001:db8::ffff)"},
          {"missing ip",
           R"({"subsets":[{"addresses":[{}]}]})",
           {"FieldValueInvalid subsets[0].addresses[0].ip",
            "FieldValueInvalid subsets[0].addresses[0].ip"}},
          {"loopback",
           R"({"subsets":[{"notReadyAddresses":[{"ip":"::1"}]}]})",
           {"FieldValueInvalid subsets[0].notReadyAddresses[0].ip"}},
          {"link-local",
           R"({"subsets":[{"addresses":[{"ip":"169.254.169.254"}]}]})",
           {"FieldValueInvalid subsets[0].addresses[0].ip"},
           "Invalid value: \"169.254.169.254\": may not be in the link-local range "
           "(169.254.0.0/16, fe80::/10)"},
          {"unspecified",
           R"({"subsets":[{"addresses":[{"ip":"::"}]}]})",
           {"FieldValueInvalid subsets[0].addresses[0].ip"},
           "Invalid value: \"::\": may not be unspecified (::)"},
          {"hostname",
           R"({"subsets":[{"addresses":[{"ip":"10.0.0.1","hostname":"a.b"}]}]})",
           {"FieldValueInvalid subsets[0].addresses[0].hostname"}},
          {"nodeName",
           R"({"subsets":[{"addresses":[{"ip":"10.0.0.1","nodeName":"Node_1"}]}]})",
           {"FieldValueInvalid subsets[0].addresses[0].nodeName"}},
          {"port names with two ports",
           R"({"subsets":[{"addresses":[{"ip":"10.0.0.1"}],
               "ports":[{"port":80},{"name":"b","port":81}]}]})",
           {"FieldValueRequired subsets[0].ports[0].name"}},
          {"port range",
           R"({"subsets":[{"addresses":[{"ip":"10.0.0.1"}],"ports":[{"port":0}]}]})",
           {"FieldValueInvalid subsets[0].ports[0].port"}},
          {"port protocol",
           R"({"subsets":[{"addresses":[{"ip":"10.0.0.1"}],
               "ports":[{"port":80,"protocol":"ICMP"}]}]})",
           {"FieldValueNotSupported subsets[0].ports[0].protocol"}},
          {"appProtocol",
           R"({"subsets":[{"addresses":[{"ip":"10.0.0.1"}],
               "ports":[{"port":80,"appProtocol":"-x"}]}]})",
           {"FieldValueInvalid subsets[0].ports[0].appProtocol"}},
          {"subsets not a list", R"({"subsets":{"a":1}})", {"FieldValueTypeInvalid subsets"}},
          {"ip not a string",
           R"({"subsets":[{"addresses":[{"ip":5}]}]})",
           {"FieldValueTypeInvalid subsets[0].addresses[0].ip",
            "FieldValueInvalid subsets[0].addresses[0].ip",
            "FieldValueInvalid subsets[0].addresses[0].ip"}},
      });
}

TEST(EndpointsValidation, ProtocolIsRequiredWithoutDefaults) {
  testing::runValidateRows(
      "Endpoints", baseEndpoints(),
      {{"protocol required", "{}", {"FieldValueRequired subsets[0].ports[0].protocol"}}});
}

TEST(EndpointsValidation, Update) {
  testing::runUpdateRows(
      "Endpoints", baseEndpoints(),
      {
          {"new addresses", R"({"subsets":[{"addresses":[{"ip":"10.0.0.9"}]}]})", {}},
          {"bad address",
           R"({"subsets":[{"addresses":[{"ip":"x"}]}]})",
           {"FieldValueInvalid subsets[0].addresses[0].ip",
            "FieldValueInvalid subsets[0].addresses[0].ip"}},
          {"no resourceVersion",
           R"({"metadata":{"resourceVersion":null}})",
           {"FieldValueInvalid metadata.resourceVersion"}},
      });
}

}  // namespace
}  // namespace ferry::api
