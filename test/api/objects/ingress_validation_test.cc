#include <gtest/gtest.h>

#include "validation_table.h"

namespace ferry::api {
namespace {

using nlohmann::json;

json baseIngress() {
  return json::parse(R"({"apiVersion":"networking.k8s.io/v1","kind":"Ingress",
    "metadata":{"name":"shop","namespace":"default"},
    "spec":{"ingressClassName":"ferry",
            "rules":[{"host":"shop.example.com","http":{"paths":[
                {"path":"/","pathType":"Prefix",
                 "backend":{"service":{"name":"web","port":{"number":80}}}},
                {"path":"/api","pathType":"Exact",
                 "backend":{"service":{"name":"api","port":{"name":"http"}}}}]}}],
            "tls":[{"hosts":["shop.example.com"],"secretName":"shop-tls"}]}})");
}

// A rule with one path of the given shape.
std::string path(const char* p) {
  return std::string(R"({"spec":{"rules":[{"host":"a.example.com","http":{"paths":[)") + p +
         "]}}]}}";
}

TEST(IngressValidation, Create) {
  testing::runCreateRows(
      "Ingress", baseIngress(),
      {
          {"valid", "{}", {}},
          {"rules or default backend",
           R"({"spec":{"rules":null,"tls":null}})",
           {"FieldValueInvalid spec"},
           "Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must "
           "be specified"},
          {"default backend only",
           R"({"spec":{"rules":null,"defaultBackend":{"service":{"name":"web","port":{"number":80}}}}})",
           {}},
          {"host without http", R"({"spec":{"rules":[{"host":"a.example.com"}]}})", {}},
          {"paths required",
           R"({"spec":{"rules":[{"http":{"paths":[]}}]}})",
           {"FieldValueRequired spec.rules[0].http.paths"}},
          {"host is not an IP",
           R"({"spec":{"rules":[{"host":"192.0.2.1"}]}})",
           {"FieldValueInvalid spec.rules[0].host"},
           "Invalid value: \"192.0.2.1\": must be a DNS name, not an IP address"},
          {"IPv6 host",
           R"({"spec":{"rules":[{"host":"fd00::1"}]}})",
           {"FieldValueInvalid spec.rules[0].host", "FieldValueInvalid spec.rules[0].host"}},
          {"host with a port",
           R"({"spec":{"rules":[{"host":"a.example.com:8080"}]}})",
           {"FieldValueInvalid spec.rules[0].host"}},
          {"uppercase host",
           R"({"spec":{"rules":[{"host":"Shop.example.com"}]}})",
           {"FieldValueInvalid spec.rules[0].host"}},
          {"wildcard host", R"({"spec":{"rules":[{"host":"*.example.com"}]}})", {}},
          {"wildcard not first",
           R"({"spec":{"rules":[{"host":"shop.*.com"}]}})",
           {"FieldValueInvalid spec.rules[0].host"}},
          {"partial wildcard",
           R"({"spec":{"rules":[{"host":"*shop.example.com"}]}})",
           {"FieldValueInvalid spec.rules[0].host"}},
          {"pathType required",
           path(R"({"path":"/","backend":{"service":{"name":"web","port":{"number":80}}}})")
               .c_str(),
           {"FieldValueRequired spec.rules[0].http.paths[0].pathType"},
           "Required value: pathType must be specified"},
          {"pathType value",
           path(
               R"({"path":"/","pathType":"Regex","backend":{"service":{"name":"web","port":{"number":80}}}})")
               .c_str(),
           {"FieldValueNotSupported spec.rules[0].http.paths[0].pathType"},
           "Unsupported value: \"Regex\": supported values: \"Exact\", \"ImplementationSpecific\", "
           "\"Prefix\""},
          {"Prefix path absolute",
           path(
               R"({"path":"api","pathType":"Prefix","backend":{"service":{"name":"web","port":{"number":80}}}})")
               .c_str(),
           {"FieldValueInvalid spec.rules[0].http.paths[0].path"},
           "Invalid value: \"api\": must be an absolute path"},
          {"Exact path required",
           path(R"({"pathType":"Exact","backend":{"service":{"name":"web","port":{"number":80}}}})")
               .c_str(),
           {"FieldValueInvalid spec.rules[0].http.paths[0].path"}},
          {"ImplementationSpecific may omit the path",
           path(
               R"({"pathType":"ImplementationSpecific","backend":{"service":{"name":"web","port":{"number":80}}}})")
               .c_str(),
           {}},
          {"ImplementationSpecific path absolute",
           path(
               R"({"path":"x","pathType":"ImplementationSpecific","backend":{"service":{"name":"web","port":{"number":80}}}})")
               .c_str(),
           {"FieldValueInvalid spec.rules[0].http.paths[0].path"}},
          {"no double slash",
           path(
               R"({"path":"/a//b","pathType":"Prefix","backend":{"service":{"name":"web","port":{"number":80}}}})")
               .c_str(),
           {"FieldValueInvalid spec.rules[0].http.paths[0].path"},
           "Invalid value: \"/a//b\": must not contain '//'"},
          {"no dot-dot segment",
           path(
               R"({"path":"/a/..","pathType":"Prefix","backend":{"service":{"name":"web","port":{"number":80}}}})")
               .c_str(),
           {"FieldValueInvalid spec.rules[0].http.paths[0].path"},
           "Invalid value: \"/a/..\": cannot end with '/..'"},
          {"no encoded slash",
           path(
               R"({"path":"/a%2Fb","pathType":"Exact","backend":{"service":{"name":"web","port":{"number":80}}}})")
               .c_str(),
           {"FieldValueInvalid spec.rules[0].http.paths[0].path"}},
          {"backend required",
           path(R"({"path":"/","pathType":"Prefix","backend":{}})").c_str(),
           {"FieldValueInvalid spec.rules[0].http.paths[0].backend"},
           "Invalid value: \"\": resource or service backend is required"},
          {"service and resource",
           path(
               R"({"path":"/","pathType":"Prefix","backend":{"service":{"name":"web","port":{"number":80}},
               "resource":{"kind":"Bucket","name":"b"}}})")
               .c_str(),
           {"FieldValueInvalid spec.rules[0].http.paths[0].backend"},
           "Invalid value: \"\": cannot set both resource and service backends"},
          {"resource backend",
           path(
               R"({"path":"/","pathType":"Prefix","backend":{"resource":{"apiGroup":"k8s.example.com","kind":"Bucket","name":"b"}}})")
               .c_str(),
           {}},
          {"resource backend fields",
           path(
               R"({"path":"/","pathType":"Prefix","backend":{"resource":{"apiGroup":"Bad_Group"}}})")
               .c_str(),
           {"FieldValueInvalid spec.rules[0].http.paths[0].backend.resource.apiGroup",
            "FieldValueRequired spec.rules[0].http.paths[0].backend.resource.kind",
            "FieldValueRequired spec.rules[0].http.paths[0].backend.resource.name"}},
          {"service name required",
           path(R"({"path":"/","pathType":"Prefix","backend":{"service":{"port":{"number":80}}}})")
               .c_str(),
           {"FieldValueRequired spec.rules[0].http.paths[0].backend.service.name"}},
          {"service name is a DNS-1035 label",
           path(
               R"({"path":"/","pathType":"Prefix","backend":{"service":{"name":"1web","port":{"number":80}}}})")
               .c_str(),
           {"FieldValueInvalid spec.rules[0].http.paths[0].backend.service.name"}},
          {"port required",
           path(R"({"path":"/","pathType":"Prefix","backend":{"service":{"name":"web"}}})").c_str(),
           {"FieldValueRequired spec.rules[0].http.paths[0].backend"},
           "Required value: port name or number is required"},
          {"port name and number",
           path(
               R"({"path":"/","pathType":"Prefix","backend":{"service":{"name":"web","port":{"name":"http","number":80}}}})")
               .c_str(),
           {"FieldValueInvalid spec.rules[0].http.paths[0].backend"},
           "Invalid value: \"\": cannot set both port name & port number"},
          {"port name syntax",
           path(
               R"({"path":"/","pathType":"Prefix","backend":{"service":{"name":"web","port":{"name":"HTTP"}}}})")
               .c_str(),
           {"FieldValueInvalid spec.rules[0].http.paths[0].backend.service.port.name",
            "FieldValueInvalid spec.rules[0].http.paths[0].backend.service.port.name"}},
          {"port number range",
           path(
               R"({"path":"/","pathType":"Prefix","backend":{"service":{"name":"web","port":{"number":65536}}}})")
               .c_str(),
           {"FieldValueInvalid spec.rules[0].http.paths[0].backend.service.port.number"}},
          {"default backend checked",
           R"({"spec":{"defaultBackend":{"service":{"name":"web"}}}})",
           {"FieldValueRequired spec.defaultBackend"}},
          {"tls host",
           R"({"spec":{"tls":[{"hosts":["Shop.example.com"],"secretName":"a"}]}})",
           {"FieldValueInvalid spec.tls[0].hosts[0]"}},
          {"tls wildcard",
           R"({"spec":{"tls":[{"hosts":["*.example.com"],"secretName":"a"}]}})",
           {}},
          {"tls secret name",
           R"({"spec":{"tls":[{"hosts":["a.example.com"],"secretName":"A_b"}]}})",
           {"FieldValueInvalid spec.tls[0].secretName"}},
          {"tls without secret", R"({"spec":{"tls":[{"hosts":["a.example.com"]}]}})", {}},
          {"class name",
           R"({"spec":{"ingressClassName":"Ferry"}})",
           {"FieldValueInvalid spec.ingressClassName"}},
          {"class annotation must agree",
           R"({"metadata":{"annotations":{"kubernetes.io/ingress.class":"nginx"}}})",
           {"FieldValueInvalid annotations.kubernetes.io/ingress.class"},
           "Invalid value: \"nginx\": must match `ingressClassName` when both are specified"},
          {"class annotation alone",
           R"({"metadata":{"annotations":{"kubernetes.io/ingress.class":"nginx"}},"spec":{"ingressClassName":null}})",
           {}},
      });
}

TEST(IngressValidation, Update) {
  testing::runUpdateRows(
      "Ingress", baseIngress(),
      {
          {"rules may change", R"({"spec":{"rules":[{"host":"b.example.com"}]}})", {}},
          // A dotted quad is also a syntactically valid subdomain: one error, as in kube.
          {"still validated",
           R"({"spec":{"rules":[{"host":"10.0.0.1"}]}})",
           {"FieldValueInvalid spec.rules[0].host"}},
          // The annotation check applies on create only.
          {"annotation on update",
           R"({"metadata":{"annotations":{"kubernetes.io/ingress.class":"x"}}})",
           {}},
      });
}

}  // namespace
}  // namespace ferry::api
