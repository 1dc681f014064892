// validate() dispatch, and the promise that no input makes any validator or defaulter throw.
#include "ferry/api/validation.h"

#include <gtest/gtest.h>

#include <random>

#include "validation_table.h"

namespace ferry::api {
namespace {

using nlohmann::json;

using testing::causes;

const char* const kKinds[] = {"Namespace", "Service",      "Endpoints", "EndpointSlice",
                              "Pod",       "Node",         "Secret",    "ConfigMap",
                              "Ingress",   "IngressClass", "Event",     "Widget"};

TEST(Validation, DispatchesByKind) {
  json svc = json::parse(R"({"metadata":{"name":"1bad","namespace":"d"},"spec":{}})");
  // Service names are DNS-1035 labels, other kinds' names subdomains.
  EXPECT_NE(testing::find(validate("Service", svc, nullptr), "metadata.name"), nullptr);
  EXPECT_EQ(testing::find(validate("ConfigMap", svc, nullptr), "metadata.name"), nullptr);
  // Unknown kinds: metadata only, names as path segments, any scope.
  EXPECT_TRUE(validate("Widget", svc, nullptr).empty());
  json bad = json::parse(R"({"metadata":{"name":"a/b","labels":{"x":"-"}}})");
  EXPECT_EQ(causes(validate("Widget", bad, nullptr)),
            (std::vector<std::string>{"FieldValueInvalid metadata.labels",
                                      "FieldValueInvalid metadata.name"}));
}

TEST(Validation, NonObjects) {
  for (const char* kind : kKinds) {
    for (const char* text : {R"([])", R"("x")", R"(null)", R"(3)"}) {
      FieldErrors errs = validate(kind, json::parse(text), nullptr);
      ASSERT_EQ(errs.size(), 1U) << kind << " " << text;
      EXPECT_EQ(errs[0].type, "FieldValueTypeInvalid");
      EXPECT_EQ(errs[0].field, "");
    }
  }
}

TEST(Validation, UpdateAgainstAMalformedOldObject) {
  json obj = json::parse(R"({"metadata":{"name":"a","namespace":"d","resourceVersion":"1"},
      "data":{"k":"v"}})");
  EXPECT_NO_THROW(validate("ConfigMap", obj, nullptr));
  json old = json::parse(R"("garbage")");
  EXPECT_TRUE(validate("ConfigMap", obj, &old).empty());  // treated as a create
}

// Every kind, every scalar/array/object substituted at every path of a realistic object: no
// exception, and the result is a list of errors (possibly empty).
json sampleOf(std::string_view kind) {
  if (kind == "Service") {
    return json::parse(R"({"metadata":{"name":"a","namespace":"d","labels":{"a":"b"},
        "annotations":{"service.beta.kubernetes.io/load-balancer-source-ranges":"10.0.0.0/8"},
        "ownerReferences":[{"apiVersion":"v1","kind":"X","name":"n","uid":"u","controller":true}],
        "finalizers":["a.io/b"]},
        "spec":{"type":"LoadBalancer","clusterIP":"10.96.0.1","clusterIPs":["10.96.0.1"],
        "ipFamilies":["IPv4"],"ipFamilyPolicy":"SingleStack","selector":{"a":"b"},
        "ports":[{"name":"h","port":80,"targetPort":"web","nodePort":30000,"protocol":"TCP",
                  "appProtocol":"http"}],
        "sessionAffinity":"ClientIP","sessionAffinityConfig":{"clientIP":{"timeoutSeconds":5}},
        "externalIPs":["192.0.2.1"],"loadBalancerSourceRanges":["10.0.0.0/8"],
        "externalTrafficPolicy":"Local","healthCheckNodePort":31000,"internalTrafficPolicy":"Local",
        "allocateLoadBalancerNodePorts":true,"loadBalancerClass":"a.io/b",
        "trafficDistribution":"PreferClose","externalName":"x"},
        "status":{"loadBalancer":{"ingress":[{"ip":"1.2.3.4"}]}}})");
  }
  if (kind == "Pod") {
    return json::parse(R"({"metadata":{"name":"a","namespace":"d"},"spec":{"nodeName":"n",
        "hostname":"h","subdomain":"s","hostNetwork":true,"containers":[{"name":"c","image":"i",
        "ports":[{"name":"p","containerPort":80,"hostPort":80,"protocol":"TCP"}]}]},
        "status":{"phase":"Running","podIP":"10.0.0.1","podIPs":[{"ip":"10.0.0.1"}],
        "hostIP":"192.0.2.1","conditions":[{"type":"Ready","status":"True"}]}})");
  }
  if (kind == "Endpoints") {
    return json::parse(R"({"metadata":{"name":"a","namespace":"d"},"subsets":[{"addresses":[
        {"ip":"10.0.0.1","hostname":"h","nodeName":"n"}],"notReadyAddresses":[{"ip":"10.0.0.2"}],
        "ports":[{"name":"p","port":80,"protocol":"TCP","appProtocol":"x"}]}]})");
  }
  if (kind == "EndpointSlice") {
    return json::parse(R"({"metadata":{"name":"a","namespace":"d"},"addressType":"IPv4",
        "endpoints":[{"addresses":["10.0.0.1"],"conditions":{"ready":true},"hostname":"h",
        "nodeName":"n","deprecatedTopology":{"a":"b"}}],
        "ports":[{"name":"p","port":80,"protocol":"TCP","appProtocol":"x"}]})");
  }
  if (kind == "Ingress") {
    return json::parse(R"({"metadata":{"name":"a","namespace":"d",
        "annotations":{"kubernetes.io/ingress.class":"x"}},"spec":{"ingressClassName":"x",
        "defaultBackend":{"resource":{"apiGroup":"g","kind":"K","name":"n"}},
        "rules":[{"host":"a.b","http":{"paths":[{"path":"/","pathType":"Prefix",
        "backend":{"service":{"name":"s","port":{"number":80,"name":"p"}}}}]}}],
        "tls":[{"hosts":["a.b"],"secretName":"s"}]}})");
  }
  if (kind == "IngressClass") {
    return json::parse(R"({"metadata":{"name":"a"},"spec":{"controller":"a.b/c",
        "parameters":{"apiGroup":"g","kind":"K","name":"n","scope":"Namespace","namespace":"x"}}})");
  }
  if (kind == "Secret") {
    return json::parse(R"({"metadata":{"name":"a","namespace":"d","annotations":{"a":"b"}},
        "type":"kubernetes.io/tls","data":{"tls.crt":"eA==","tls.key":"eA=="},
        "stringData":{"x":"y"},"immutable":true})");
  }
  if (kind == "ConfigMap") {
    return json::parse(R"({"metadata":{"name":"a","namespace":"d"},"data":{"a":"b"},
        "binaryData":{"c":"eA=="},"immutable":false})");
  }
  if (kind == "Node") {
    return json::parse(R"({"metadata":{"name":"a"},"spec":{"podCIDR":"10.0.0.0/24",
        "podCIDRs":["10.0.0.0/24"],"providerID":"p","unschedulable":false,
        "taints":[{"key":"k","value":"v","effect":"NoSchedule"}]},
        "status":{"addresses":[{"type":"InternalIP","address":"192.0.2.1"}],"capacity":{"cpu":"1"}}})");
  }
  if (kind == "Namespace") {
    return json::parse(R"({"metadata":{"name":"a"},"spec":{"finalizers":["kubernetes"]},
        "status":{"phase":"Active"}})");
  }
  if (kind == "Event") {
    return json::parse(R"({"metadata":{"name":"a","namespace":"d"},"involvedObject":{
        "kind":"Pod","name":"p","namespace":"d"},"reason":"r","eventTime":"t",
        "reportingComponent":"c","reportingInstance":"i","action":"a","message":"m"})");
  }
  return json::parse(R"({"metadata":{"name":"a"},"spec":{"x":[1,{"y":2}]}})");
}

void collectPaths(const json& v, const json::json_pointer& at,
                  std::vector<json::json_pointer>& out) {
  out.push_back(at);
  if (v.is_object()) {
    for (const auto& [k, e] : v.items()) collectPaths(e, at / k, out);
  } else if (v.is_array()) {
    for (size_t i = 0; i < v.size(); ++i) collectPaths(v[i], at / i, out);
  }
}

TEST(Validation, NoInputThrows) {
  const json replacements[] = {json(),
                               json(true),
                               json(-1),
                               json(1.5),
                               json("x"),
                               json::array(),
                               json::array({1, "a", nullptr}),
                               json::object(),
                               json::parse(R"({"a":[{}]})"),
                               json(int64_t{1} << 40),
                               json(uint64_t{18446744073709551615ULL})};
  size_t runs = 0;
  for (const char* kind : kKinds) {
    json sample = sampleOf(kind);
    std::vector<json::json_pointer> paths;
    collectPaths(sample, json::json_pointer(), paths);
    for (const auto& p : paths) {
      for (const auto& r : replacements) {
        json obj = sample;
        obj[p] = r;
        json copy = obj;
        ASSERT_NO_THROW({
          applyDefaults(kind, copy);
          prepareForCreate(kind, copy);
          validate(kind, copy, nullptr);
          json updated = obj;
          applyDefaults(kind, updated);
          prepareForUpdate(kind, updated, sample);
          validate(kind, updated, &sample);
          validate(kind, sample, &obj);
        }) << kind
           << " " << p.to_string() << " = " << r.dump();
        ++runs;
      }
    }
  }
  EXPECT_GT(runs, 1000U);
}

TEST(Validation, SamplesAreValid) {
  // The samples above exercise every field; most are valid as they stand.
  for (const char* kind : {"Pod", "Endpoints", "EndpointSlice", "IngressClass", "ConfigMap", "Node",
                           "Namespace", "Event", "Widget"}) {
    FieldErrors errs = testing::createPipeline(kind, sampleOf(kind));
    EXPECT_TRUE(errs.empty()) << kind << "\n" << testing::dump(errs);
  }
}

}  // namespace
}  // namespace ferry::api
