#include <gtest/gtest.h>

#include "validation_table.h"

namespace ferry::api {
namespace {

using nlohmann::json;

json baseSlice() {
  return json::parse(R"({"apiVersion":"discovery.k8s.io/v1","kind":"EndpointSlice",
    "metadata":{"name":"web-abc12","namespace":"default",
                "labels":{"kubernetes.io/service-name":"web"}},
    "addressType":"IPv4",
    "endpoints":[{"addresses":["10.244.1.5"],"conditions":{"ready":true,"serving":true,
                  "terminating":false},"nodeName":"node-a","zone":"z1",
                  "targetRef":{"kind":"Pod","name":"web-1","namespace":"default"}}],
    "ports":[{"name":"http","port":8080,"protocol":"TCP"}]})");
}

TEST(EndpointSliceValidation, Create) {
  testing::runCreateRows(
      "EndpointSlice", baseSlice(),
      {
          {"valid", "{}", {}},
          {"addressType required", R"({"addressType":null})", {"FieldValueRequired addressType"}},
          {"addressType value",
           R"({"addressType":"IPv5"})",
           {"FieldValueNotSupported addressType"},
           R"(Unsupported value: "IPv5": supported values: "FQDN", "IPv4", "IPv6")"},
          {"address required",
           R"({"endpoints":[{"addresses":[]}]})",
           {"FieldValueRequired endpoints[0].addresses"},
           "Required value: must contain at least 1 address"},
          {"IPv4 address",
           R"({"endpoints":[{"addresses":["fd00::1"]}]})",
           {"FieldValueInvalid endpoints[0].addresses[0]"},
           "Invalid value: \"fd00::1\": must be a valid IPv4 address"},
          {"IPv6 address",
           R"({"addressType":"IPv6","endpoints":[{"addresses":["10.0.0.1"]}]})",
           {"FieldValueInvalid endpoints[0].addresses[0]"},
           "Invalid value: \"10.0.0.1\": must be a valid IPv6 address"},
          {"IPv6 ok", R"({"addressType":"IPv6","endpoints":[{"addresses":["fd00::5"]}]})", {}},
          {"loopback",
           R"({"endpoints":[{"addresses":["127.0.0.1"]}]})",
           {"FieldValueInvalid endpoints[0].addresses[0]"}},
          {"FQDN", R"({"addressType":"FQDN","endpoints":[{"addresses":["db.example.com"]}]})", {}},
          {"FQDN one label",
           R"({"addressType":"FQDN","endpoints":[{"addresses":["db"]}]})",
           {"FieldValueInvalid endpoints[0].addresses[0]"},
           "Invalid value: \"db\": should be a domain with at least two segments separated by "
           "dots"},
          {"too many addresses",
           R"({"endpoints":[{"addresses":[
               "10.0.0.1","10.0.0.2","10.0.0.3","10.0.0.4","10.0.0.5","10.0.0.6","10.0.0.7",
               "10.0.0.8","10.0.0.9","10.0.0.10","10.0.0.11","10.0.0.12","10.0.0.13","10.0.0.14",
               "10.0.0.15","10.0.0.16","10.0.0.17","10.0.0.18","10.0.0.19","10.0.0.20","10.0.0.21",
               "10.0.0.22","10.0.0.23","10.0.0.24","10.0.0.25","10.0.0.26","10.0.0.27","10.0.0.28",
               "10.0.0.29","10.0.0.30","10.0.0.31","10.0.0.32","10.0.0.33","10.0.0.34","10.0.0.35",
               "10.0.0.36","10.0.0.37","10.0.0.38","10.0.0.39","10.0.0.40","10.0.0.41","10.0.0.42",
               "10.0.0.43","10.0.0.44","10.0.0.45","10.0.0.46","10.0.0.47","10.0.0.48","10.0.0.49",
               "10.0.0.50","10.0.0.51","10.0.0.52","10.0.0.53","10.0.0.54","10.0.0.55","10.0.0.56",
               "10.0.0.57","10.0.0.58","10.0.0.59","10.0.0.60","10.0.0.61","10.0.0.62","10.0.0.63",
               "10.0.0.64","10.0.0.65","10.0.0.66","10.0.0.67","10.0.0.68","10.0.0.69","10.0.0.70",
               "10.0.0.71","10.0.0.72","10.0.0.73","10.0.0.74","10.0.0.75","10.0.0.76","10.0.0.77",
               "10.0.0.78","10.0.0.79","10.0.0.80","10.0.0.81","10.0.0.82","10.0.0.83","10.0.0.84",
               "10.0.0.85","10.0.0.86","10.0.0.87","10.0.0.88","10.0.0.89","10.0.0.90","10.0.0.91",
               "10.0.0.92","10.0.0.93","10.0.0.94","10.0.0.95","10.0.0.96","10.0.0.97","10.0.0.98",
               "10.0.0.99","10.0.0.100","10.0.0.101"]}]})",
           {"FieldValueTooMany endpoints[0].addresses"},
           "Too many: 101: must have at most 100 items"},
          {"nodeName",
           R"({"endpoints":[{"addresses":["10.0.0.1"],"nodeName":"Node A"}]})",
           {"FieldValueInvalid endpoints[0].nodeName"}},
          {"hostname",
           R"({"endpoints":[{"addresses":["10.0.0.1"],"hostname":"web.1"}]})",
           {"FieldValueInvalid endpoints[0].hostname"}},
          {"condition type",
           R"({"endpoints":[{"addresses":["10.0.0.1"],"conditions":{"ready":"yes"}}]})",
           {"FieldValueTypeInvalid endpoints[0].conditions.ready"}},
          {"topology labels",
           R"({"endpoints":[{"addresses":["10.0.0.1"],"deprecatedTopology":{"a":"-"}}]})",
           {"FieldValueInvalid endpoints[0].deprecatedTopology"}},
          {"port name",
           R"({"ports":[{"name":"HTTP","port":80}]})",
           {"FieldValueInvalid ports[0].name"}},
          {"duplicate port name",
           R"({"ports":[{"name":"a","port":80},{"name":"a","port":81}]})",
           {"FieldValueDuplicate ports[1].name"}},
          {"duplicate unnamed ports",
           R"({"ports":[{"port":80},{"port":81}]})",
           {"FieldValueDuplicate ports[1].name"}},
          {"port protocol",
           R"({"ports":[{"name":"a","port":80,"protocol":"icmp"}]})",
           {"FieldValueNotSupported ports[0].protocol"}},
          {"port range is not checked", R"({"ports":[{"name":"a","port":0}]})", {}},
          {"port type",
           R"({"ports":[{"name":"a","port":"80"}]})",
           {"FieldValueTypeInvalid ports[0].port"}},
          {"all ports", R"({"ports":[{"name":"a"}]})", {}},
          {"appProtocol",
           R"({"ports":[{"name":"a","port":80,"appProtocol":"a/b/c"}]})",
           {"FieldValueInvalid ports[0].appProtocol"}},
      });
}

TEST(EndpointSliceValidation, TooManyEndpoints) {
  json slice = baseSlice();
  slice["endpoints"] = json::array();
  for (int i = 0; i < 1001; ++i) slice["endpoints"].push_back({{"addresses", {"10.0.0.1"}}});
  FieldErrors errs = validate("EndpointSlice", slice, nullptr);
  ASSERT_EQ(errs.size(), 1U) << testing::dump(errs);
  EXPECT_EQ(errs[0].type, "FieldValueTooMany");
  EXPECT_EQ(errs[0].field, "endpoints");
}

TEST(EndpointSliceValidation, Update) {
  testing::runUpdateRows(
      "EndpointSlice", baseSlice(),
      {
          {"endpoints change", R"({"endpoints":[{"addresses":["10.0.0.7"]}]})", {}},
          {"addressType is immutable",
           R"({"addressType":"IPv6","endpoints":null})",
           {"FieldValueInvalid addressType"},
           "Invalid value: \"IPv6\": field is immutable"},
      });
}

}  // namespace
}  // namespace ferry::api
