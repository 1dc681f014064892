#include <gtest/gtest.h>

#include "validation_table.h"

namespace ferry::api {
namespace {

using nlohmann::json;

json basePod() {
  return json::parse(R"({"apiVersion":"v1","kind":"Pod",
    "metadata":{"name":"web-1","namespace":"default","labels":{"app":"web"}},
    "spec":{"containers":[{"name":"app","image":"nginx:1.27",
                           "ports":[{"name":"http","containerPort":8080}]}],
            "hostname":"web-1","subdomain":"web"},
    "status":{"phase":"Running","podIP":"10.244.1.5",
              "conditions":[{"type":"Ready","status":"True"}]}})");
}

TEST(PodValidation, Create) {
  testing::runCreateRows(
      "Pod", basePod(),
      {
          {"valid", "{}", {}},
          {"name is a subdomain", R"({"metadata":{"name":"web.1"}})", {}},
          {"containers required",
           R"({"spec":{"containers":[]}})",
           {"FieldValueRequired spec.containers"}},
          {"containers type",
           R"({"spec":{"containers":{}}})",
           {"FieldValueTypeInvalid spec.containers"}},
          {"container name required",
           R"({"spec":{"containers":[{"image":"x"}]}})",
           {"FieldValueRequired spec.containers[0].name"}},
          {"container name label",
           R"({"spec":{"containers":[{"name":"App","image":"x"}]}})",
           {"FieldValueInvalid spec.containers[0].name"}},
          {"duplicate container",
           R"({"spec":{"containers":[{"name":"a","image":"x"},{"name":"a","image":"y"}]}})",
           {"FieldValueDuplicate spec.containers[1].name"}},
          {"image required",
           R"({"spec":{"containers":[{"name":"a"}]}})",
           {"FieldValueRequired spec.containers[0].image"}},
          {"image whitespace",
           R"({"spec":{"containers":[{"name":"a","image":" nginx"}]}})",
           {"FieldValueInvalid spec.containers[0].image"},
           "Invalid value: \" nginx\": must not have leading or trailing whitespace"},
          {"port name",
           R"({"spec":{"containers":[{"name":"a","image":"x",
               "ports":[{"name":"http_1","containerPort":80}]}]}})",
           {"FieldValueInvalid spec.containers[0].ports[0].name"}},
          {"port name too long",
           R"({"spec":{"containers":[{"name":"a","image":"x",
               "ports":[{"name":"abcdefghijklmnop","containerPort":80}]}]}})",
           {"FieldValueInvalid spec.containers[0].ports[0].name"},
           "Invalid value: \"abcdefghijklmnop\": must be no more than 15 characters"},
          {"duplicate port name",
           R"({"spec":{"containers":[{"name":"a","image":"x",
               "ports":[{"name":"p","containerPort":80},{"name":"p","containerPort":81}]}]}})",
           {"FieldValueDuplicate spec.containers[0].ports[1].name"}},
          {"containerPort required",
           R"({"spec":{"containers":[{"name":"a","image":"x",
               "ports":[{"name":"p"}]}]}})",
           {"FieldValueRequired spec.containers[0].ports[0].containerPort"}},
          {"containerPort range",
           R"({"spec":{"containers":[{"name":"a","image":"x",
               "ports":[{"containerPort":65536}]}]}})",
           {"FieldValueInvalid spec.containers[0].ports[0].containerPort"}},
          {"hostPort range",
           R"({"spec":{"containers":[{"name":"a","image":"x",
               "ports":[{"containerPort":80,"hostPort":-1}]}]}})",
           {"FieldValueInvalid spec.containers[0].ports[0].hostPort"}},
          {"port protocol",
           R"({"spec":{"containers":[{"name":"a","image":"x",
               "ports":[{"containerPort":80,"protocol":"tcp"}]}]}})",
           {"FieldValueNotSupported spec.containers[0].ports[0].protocol"}},
          {"nodeName", R"({"spec":{"nodeName":"Node_1"}})", {"FieldValueInvalid spec.nodeName"}},
          {"nodeName ok", R"({"spec":{"nodeName":"node-1.example"}})", {}},
          {"hostname", R"({"spec":{"hostname":"web.1"}})", {"FieldValueInvalid spec.hostname"}},
          {"subdomain is a label",
           R"({"spec":{"subdomain":"web.svc"}})",
           {"FieldValueInvalid spec.subdomain"},
           "Invalid value: \"web.svc\": must not contain dots"},
          {"podIP", R"({"status":{"podIP":"10.244.1"}})", {"FieldValueInvalid status.podIPs[0]"}},
          {"podIPs dual stack",
           R"({"status":{"podIP":"10.244.1.5",
               "podIPs":[{"ip":"10.244.1.5"},{"ip":"fd00::5"}]}})",
           {}},
          {"podIPs one family",
           R"({"status":{"podIP":"10.244.1.5",
               "podIPs":[{"ip":"10.244.1.5"},{"ip":"10.244.1.6"}]}})",
           {"FieldValueInvalid status.podIPs"},
           "Invalid value: []core.PodIP{core.PodIP{IP:\"10.244.1.5\"}, "
           "core.PodIP{IP:\"10.244.1.6\"}}: "
           "may specify no more than one IP for each IP family"},
          {"podIPs duplicate",
           R"({"status":{"podIP":"10.244.1.5",
               "podIPs":[{"ip":"10.244.1.5"},{"ip":"10.244.1.5"}]}})",
           {"FieldValueInvalid status.podIPs", "FieldValueDuplicate status.podIPs[1]"}},
          {"custom condition",
           R"({"status":{"conditions":[{"type":"example.com/Warm","status":"True"}]}})",
           {}},
          {"bad condition type",
           R"({"status":{"conditions":[{"type":"not ok","status":"True"}]}})",
           {"FieldValueInvalid status.conditions[0].Type"}},
          {"labels",
           R"({"metadata":{"labels":{"app":"web web"}}})",
           {"FieldValueInvalid metadata.labels"}},
      });
}

TEST(PodValidation, Update) {
  testing::runUpdateRows(
      "Pod", basePod(),
      {
          {"image may change",
           R"({"spec":{"containers":[{"name":"app","image":"nginx:1.28",
               "ports":[{"name":"http","containerPort":8080}]}]}})",
           {}},
          {"labels may change", R"({"metadata":{"labels":{"app":"api"}}})", {}},
          {"ports may not",
           R"({"spec":{"containers":[{"name":"app","image":"nginx:1.27",
               "ports":[{"name":"http","containerPort":9090}]}]}})",
           {"FieldValueForbidden spec"}},
          {"nodeName may not", R"({"spec":{"nodeName":"node-b"}})", {"FieldValueForbidden spec"}},
          {"status is kept from the stored object", R"({"status":{"podIP":"not-an-ip"}})", {}},
      });
}

}  // namespace
}  // namespace ferry::api
