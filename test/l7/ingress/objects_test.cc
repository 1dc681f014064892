// Parsing Ingresses and IngressClasses: malformed objects rejected whole with a clear error
// naming the field, annotations, timestamps, and no crash on any shape of input.
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "ferry/ingress/backend_options.h"
#include "ferry/ingress/ingress_objects.h"
#include "ingress_fixtures.h"

namespace ferry::ingress {
namespace {

using testing::backendNamed;
using testing::backendPort;
using testing::Harness;
using testing::httpPath;
using testing::ingressObject;
using testing::Json;
using testing::rule;

Json valid() {
  return ingressObject(
      "ns", "i",
      {{"rules", {rule("foo.com", {httpPath("/a", "Prefix", backendPort("svc", 80))})}},
       {"defaultBackend", backendNamed("svc", "http")},
       {"tls", {{{"hosts", {"foo.com"}}, {"secretName", "s"}}}}});
}

// The error parseIngress gives for `object`, or "" when it parses.
std::string errorOf(const Json& object) {
  auto r = parseIngress(object);
  return r.ok() ? std::string() : r.error();
}

Json withPath(Json path) {
  return ingressObject("ns", "i", {{"rules", {rule("foo.com", {std::move(path)})}}});
}

Json withHost(const std::string& host) {
  return ingressObject("ns", "i",
                       {{"rules", {rule(host, {httpPath("/", "Prefix", backendPort("s", 80))})}}});
}

TEST(Parse, ValidIngressReadsEveryField) {
  Json object = valid();
  object["status"] = {{"loadBalancer", {{"ingress", {{{"ip", "192.0.2.1"}}}}}}};
  auto r = parseIngress(object);
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->ns, "ns");
  EXPECT_EQ(r->name, "i");
  EXPECT_EQ(r->created, 1704067200);  // 2024-01-01T00:00:00Z
  EXPECT_EQ(r->class_name, "ferry");
  ASSERT_EQ(r->rules.size(), 1u);
  EXPECT_EQ(r->rules[0].host, "foo.com");
  ASSERT_EQ(r->rules[0].paths.size(), 1u);
  EXPECT_EQ(r->rules[0].paths[0].path, "/a");
  EXPECT_EQ(r->rules[0].paths[0].type, PathType::kPrefix);
  EXPECT_EQ(r->rules[0].paths[0].backend, (ServiceRef{"svc", 80, ""}));
  ASSERT_TRUE(r->default_backend);
  EXPECT_EQ(*r->default_backend, (ServiceRef{"svc", 0, "http"}));
  ASSERT_EQ(r->tls.size(), 1u);
  EXPECT_EQ(r->tls[0].hosts, std::vector<std::string>{"foo.com"});
  EXPECT_EQ(r->tls[0].secret_name, "s");
  ASSERT_EQ(r->status.size(), 1u);
  EXPECT_EQ(r->status[0].ip, "192.0.2.1");
  EXPECT_TRUE(r->warnings.empty());
}

TEST(Parse, MissingNamespaceIsDefault) {
  Json object = valid();
  object["metadata"].erase("namespace");
  auto r = parseIngress(object);
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->ns, "default");
}

TEST(Malformed, MissingPathType) {
  Json path = {{"path", "/a"}, {"backend", backendPort("s", 80)}};
  EXPECT_EQ(errorOf(withPath(path)),
            "Ingress ns/i: spec.rules[0].http.paths[0].pathType: Required value: pathType must be "
            "specified");
}

TEST(Malformed, UnknownPathType) {
  EXPECT_NE(errorOf(withPath(httpPath("/a", "Regex", backendPort("s", 80))))
                .find("spec.rules[0].http.paths[0].pathType: Unsupported value: \"Regex\""),
            std::string::npos);
}

TEST(Malformed, PathNotStartingWithSlash) {
  for (const char* type : {"Exact", "Prefix", "ImplementationSpecific"}) {
    EXPECT_EQ(errorOf(withPath(httpPath("foo", type, backendPort("s", 80)))),
              "Ingress ns/i: spec.rules[0].http.paths[0].path: Invalid value: \"foo\": must be an "
              "absolute path")
        << type;
  }
  EXPECT_NE(errorOf(withPath(httpPath("", "Prefix", backendPort("s", 80)))), "");
  EXPECT_EQ(errorOf(withPath(httpPath("", "ImplementationSpecific", backendPort("s", 80)))), "");
}

TEST(Malformed, PathWithDotSegmentsOrDoubleSlash) {
  for (const char* path : {"/a//b", "/a/./b", "/a/../b", "/a/..", "/a/.", "/a%2fb"}) {
    EXPECT_NE(errorOf(withPath(httpPath(path, "Prefix", backendPort("s", 80))))
                  .find("spec.rules[0].http.paths[0].path: Invalid value"),
              std::string::npos)
        << path;
  }
  EXPECT_EQ(errorOf(withPath(httpPath("/a/..b/.c", "Prefix", backendPort("s", 80)))), "");
}

TEST(Malformed, HostWithPortOrIp) {
  EXPECT_EQ(errorOf(withHost("foo.com:8080")),
            "Ingress ns/i: spec.rules[0].host: Invalid value: \"foo.com:8080\": must not contain "
            "a port");
  EXPECT_EQ(errorOf(withHost("10.0.0.1")),
            "Ingress ns/i: spec.rules[0].host: Invalid value: \"10.0.0.1\": must be a DNS name, "
            "not an IP address");
  EXPECT_NE(errorOf(withHost("fd00::1")).find("not an IP address"), std::string::npos);
  EXPECT_NE(errorOf(withHost("[::1]:80")), "");
}

TEST(Malformed, HostWithMisplacedWildcardOrBadLabels) {
  for (const char* host : {"foo.*.com", "*", "**.foo.com", "*foo.com", "foo_bar.com", "-a.com",
                           "a-.com", "a..com", ".a.com", "a.com.", "foo bar.com"}) {
    EXPECT_NE(errorOf(withHost(host)).find("spec.rules[0].host: Invalid value"), std::string::npos)
        << host;
  }
  EXPECT_NE(errorOf(withHost(std::string(64, 'a') + ".com")), "") << "a label over 63";
  EXPECT_EQ(errorOf(withHost("*.foo.com")), "");
  EXPECT_EQ(errorOf(withHost("xn--bcher-kva.example")), "");
  EXPECT_EQ(errorOf(withHost("UPPER.Example.com")), "") << "accepted, lower-cased";
}

TEST(Malformed, TlsHostsAreCheckedToo) {
  Json object = valid();
  object["spec"]["tls"][0]["hosts"] = {"foo.com:443"};
  EXPECT_NE(errorOf(object).find("spec.tls[0].hosts[0]: Invalid value"), std::string::npos);
  object["spec"]["tls"][0]["hosts"] = {7};
  EXPECT_NE(errorOf(object).find("spec.tls[0].hosts[0]: Invalid value: must be a string"),
            std::string::npos);
}

TEST(Malformed, Backends) {
  Json both = {{"service", {{"name", "s"}, {"port", {{"number", 80}, {"name", "http"}}}}}};
  EXPECT_NE(errorOf(withPath(httpPath("/", "Prefix", both)))
                .find("backend.service.port: Invalid value: cannot set both port name and number"),
            std::string::npos);
  Json neither = {{"service", {{"name", "s"}, {"port", Json::object()}}}};
  EXPECT_NE(errorOf(withPath(httpPath("/", "Prefix", neither))).find("Required value"),
            std::string::npos);
  Json noport = {{"service", {{"name", "s"}}}};
  EXPECT_NE(
      errorOf(withPath(httpPath("/", "Prefix", noport))).find("backend.service.port: Required"),
      std::string::npos);
  EXPECT_NE(errorOf(withPath(httpPath("/", "Prefix", backendPort("s", 70000))))
                .find("backend.service.port.number: Invalid value: 70000: must be between 1 and "
                      "65535"),
            std::string::npos);
  EXPECT_NE(errorOf(withPath(httpPath("/", "Prefix", backendPort("s", 0)))), "");
  EXPECT_NE(errorOf(withPath(httpPath("/", "Prefix", backendPort("", 80))))
                .find("backend.service.name: Required value"),
            std::string::npos);
  Json nobackend = {{"path", "/"}, {"pathType", "Prefix"}};
  EXPECT_NE(errorOf(withPath(nobackend)).find("paths[0].backend: Required value"),
            std::string::npos);
  Json string_port = {{"service", {{"name", "s"}, {"port", {{"number", "80"}}}}}};
  EXPECT_NE(errorOf(withPath(httpPath("/", "Prefix", string_port))), "");
}

TEST(Malformed, ResourceBackendIsSkippedWithAWarning) {
  Json resource = {
      {"resource", {{"apiGroup", "k8s.example.com"}, {"kind", "Bucket"}, {"name", "b"}}}};
  Json object =
      ingressObject("ns", "i",
                    {{"rules",
                      {rule("foo.com", {httpPath("/r", "Prefix", resource),
                                        httpPath("/s", "Prefix", backendPort("s", 80))})}}});
  auto r = parseIngress(object);
  ASSERT_TRUE(r.ok()) << r.error();
  ASSERT_EQ(r->rules[0].paths.size(), 1u);
  EXPECT_EQ(r->rules[0].paths[0].path, "/s");
  ASSERT_EQ(r->warnings.size(), 1u);
  EXPECT_NE(r->warnings[0].find("resource backends unsupported"), std::string::npos);
}

TEST(Malformed, ObjectShape) {
  EXPECT_EQ(errorOf(Json::array()), "Ingress: object: Invalid value: not a JSON object");
  EXPECT_EQ(errorOf(Json{{"spec", Json::object()}}), "Ingress: metadata: Required value");
  EXPECT_EQ(errorOf(Json{{"metadata", {{"namespace", "ns"}}}}),
            "Ingress: metadata.name: Required value");
  Json no_spec = valid();
  no_spec.erase("spec");
  EXPECT_EQ(errorOf(no_spec), "Ingress ns/i: spec: Required value");
  Json empty_spec = valid();
  empty_spec["spec"] = Json::object();
  EXPECT_NE(errorOf(empty_spec).find("either defaultBackend or rules must be specified"),
            std::string::npos);
  Json rules_object = valid();
  rules_object["spec"]["rules"] = Json::object();
  EXPECT_EQ(errorOf(rules_object), "Ingress ns/i: spec.rules: Invalid value: must be a list");
  Json empty_paths = valid();
  empty_paths["spec"]["rules"][0]["http"]["paths"] = Json::array();
  EXPECT_EQ(errorOf(empty_paths), "Ingress ns/i: spec.rules[0].http.paths: Required value");
  Json bad_annotation = valid();
  bad_annotation["metadata"]["annotations"] = {{"ferry.io/upstream-timeout", 5}};
  EXPECT_EQ(errorOf(bad_annotation),
            "Ingress ns/i: metadata.annotations[ferry.io/upstream-timeout]: Invalid value: must be "
            "a string");
  Json bad_time = valid();
  bad_time["metadata"]["creationTimestamp"] = "yesterday";
  EXPECT_NE(errorOf(bad_time).find("metadata.creationTimestamp: Invalid value"), std::string::npos);
  Json class_number = valid();
  class_number["spec"]["ingressClassName"] = 3;
  EXPECT_EQ(errorOf(class_number),
            "Ingress ns/i: spec.ingressClassName: Invalid value: must be a string");
}

TEST(Malformed, RuleWithoutHttpIsKeptWithAWarning) {
  Json object = ingressObject(
      "ns", "i", {{"rules", {{{"host", "foo.com"}}}}, {"defaultBackend", backendPort("s", 80)}});
  auto r = parseIngress(object);
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_TRUE(r->rules.empty());
  EXPECT_EQ(r->warnings.size(), 1u);
}

// Replaces every value in `object`, recursively, with each of a set of wrong shapes, and
// checks each mutant parses or fails with a message, never crashes.
void mutateEverywhere(const Json& object, const std::function<void(const Json&)>& check) {
  const Json shapes[] = {nullptr,
                         0,
                         -1,
                         70000,
                         1.5,
                         "",
                         "x",
                         "/",
                         true,
                         Json::array(),
                         Json::object(),
                         Json::array({nullptr}),
                         Json::array({Json::object()})};
  std::function<void(Json&, Json&)> walk = [&](Json& root, Json& node) {
    if (node.is_object()) {
      for (auto& [key, child] : node.items()) {
        Json saved = child;
        for (const Json& shape : shapes) {
          child = shape;
          check(root);
        }
        child = saved;
        walk(root, child);
      }
    } else if (node.is_array()) {
      for (Json& child : node) {
        Json saved = child;
        for (const Json& shape : shapes) {
          child = shape;
          check(root);
        }
        child = saved;
        walk(root, child);
      }
    }
  };
  Json copy = object;
  walk(copy, copy);
}

TEST(Malformed, NoShapeOfInputCrashesTheParsers) {
  int parsed = 0, rejected = 0;
  mutateEverywhere(valid(), [&](const Json& mutant) {
    auto r = parseIngress(mutant);
    if (r.ok()) {
      ++parsed;
    } else {
      ++rejected;
      EXPECT_FALSE(r.error().empty());
    }
  });
  mutateEverywhere(testing::ingressClass("c", "x", true), [&](const Json& mutant) {
    auto r = parseIngressClass(mutant);
    if (!r.ok()) {
      EXPECT_FALSE(r.error().empty());
    }
  });
  mutateEverywhere(testing::secretObject("ns", "s", "kubernetes.io/tls", "c", "k"),
                   [&](const Json& mutant) {
                     auto r = parseTlsSecret(mutant);
                     if (!r.ok()) {
                       EXPECT_FALSE(r.error().empty());
                     }
                   });
  EXPECT_GT(parsed, 0);
  EXPECT_GT(rejected, 100);
}

TEST(Malformed, BuilderRecordsTheErrorAndDropsTheOldVersion) {
  Harness h;
  ASSERT_TRUE(h.apply("Ingress", valid()).ok());
  EXPECT_TRUE(h.build()->routes().match("foo.com", "/a"));
  Json broken = withPath({{"path", "/a"}, {"backend", backendPort("s", 80)}});
  auto r = h.apply("Ingress", broken);
  ASSERT_FALSE(r.ok());
  ASSERT_EQ(h.builder().errors().size(), 1u);
  const auto& [key, message] = *h.builder().errors().begin();
  EXPECT_EQ(key, (ObjectKey{"Ingress", "ns", "i"}));
  EXPECT_EQ(message, r.error());
  EXPECT_EQ(h.builder().malformedCount(), 1u);
  auto config = h.build();
  EXPECT_FALSE(config->routes().match("foo.com", "/a"));
  bool listed = false;
  for (const std::string& w : config->warnings()) listed = listed || w == "rejected: " + r.error();
  EXPECT_TRUE(listed);
  ASSERT_TRUE(h.apply("Ingress", valid()).ok());
  EXPECT_TRUE(h.builder().errors().empty()) << "fixed: the error is gone";
  EXPECT_TRUE(h.build()->routes().match("foo.com", "/a"));
}

TEST(Malformed, BuilderSurvivesGarbageOfEveryKind) {
  Harness h;
  for (const char* kind : {"Ingress", "IngressClass", "Secret", "Service", "EndpointSlice"}) {
    for (const Json& garbage : {Json(nullptr), Json(5), Json("x"), Json::array(), Json::object(),
                                Json{{"metadata", 5}}, Json{{"metadata", {{"name", 5}}}}}) {
      auto r = h.apply(kind, garbage);
      if (!r.ok()) {
        EXPECT_FALSE(r.error().empty()) << kind;
      }
    }
  }
  auto config = h.build();
  ASSERT_NE(config, nullptr);
  EXPECT_EQ(config->routes().routeCount(), 0u);
  EXPECT_FALSE(h.builder().errors().empty());
}

TEST(Builder, OtherKindsAreIgnored) {
  Harness h;
  auto r = h.apply("ConfigMap", {{"metadata", {{"name", "x"}}}});
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(*r);
  EXPECT_FALSE(h.builder().remove("ConfigMap", "ns", "x"));
}

TEST(Annotations, Defaults) {
  std::vector<std::string> warnings;
  BackendOptions o = parseBackendOptions({}, warnings);
  EXPECT_EQ(o.load_balance, LoadBalance::kRoundRobin);
  EXPECT_EQ(o.max_body_bytes, 1u << 20);
  EXPECT_EQ(o.upstream_timeout_s, 60u);
  EXPECT_TRUE(warnings.empty());
}

TEST(Annotations, ValuesAndInvalidValues) {
  std::vector<std::string> warnings;
  BackendOptions o = parseBackendOptions({{"ferry.io/load-balance", "maglev"},
                                          {"ferry.io/proxy-body-size", "512k"},
                                          {"ferry.io/upstream-timeout", "30s"}},
                                         warnings);
  EXPECT_EQ(o.load_balance, LoadBalance::kMaglev);
  EXPECT_EQ(o.max_body_bytes, 512u << 10);
  EXPECT_EQ(o.upstream_timeout_s, 30u);
  EXPECT_TRUE(warnings.empty());
  o = parseBackendOptions({{"ferry.io/load-balance", "random"},
                           {"ferry.io/proxy-body-size", "lots"},
                           {"ferry.io/upstream-timeout", "0"}},
                          warnings);
  EXPECT_EQ(o, BackendOptions{});
  EXPECT_EQ(warnings.size(), 3u);
  warnings.clear();
  o = parseBackendOptions(
      {{"ferry.io/load-balance", "least-request"}, {"ferry.io/upstream-timeout", "3601"}},
      warnings);
  EXPECT_EQ(o.load_balance, LoadBalance::kLeastRequest);
  EXPECT_EQ(o.upstream_timeout_s, 60u);
  EXPECT_EQ(warnings.size(), 1u);
}

TEST(Annotations, InvalidValuesReachTheConfigWarnings) {
  Harness h;
  Json object = ingressObject("ns", "i", {{"defaultBackend", backendPort("s", 80)}}, testing::kT0,
                              {{"ferry.io/proxy-body-size", "-1"}});
  ASSERT_TRUE(h.apply("Ingress", object).ok()) << "a bad annotation never rejects the Ingress";
  auto config = h.build();
  ASSERT_EQ(config->warnings().size(), 1u);
  EXPECT_NE(config->warnings()[0].find("ingress ns/i: ferry.io/proxy-body-size: invalid size"),
            std::string::npos);
}

TEST(Annotations, ByteSizes) {
  uint64_t v = 0;
  EXPECT_TRUE(parseByteSize("0", v));
  EXPECT_EQ(v, 0u);
  EXPECT_TRUE(parseByteSize("100", v));
  EXPECT_EQ(v, 100u);
  EXPECT_TRUE(parseByteSize("1K", v));
  EXPECT_EQ(v, 1024u);
  EXPECT_TRUE(parseByteSize("2m", v));
  EXPECT_EQ(v, 2u << 20);
  EXPECT_TRUE(parseByteSize("1g", v));
  EXPECT_EQ(v, 1u << 30);
  for (const char* bad :
       {"", "k", "1.5m", "-1", "1mb", " 1", "99999999999999999999", "17179869184g"}) {
    EXPECT_FALSE(parseByteSize(bad, v)) << bad;
  }
}

TEST(Timestamps, Rfc3339) {
  EXPECT_EQ(parseTimestamp("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parseTimestamp("2024-01-01T00:00:00Z"), 1704067200);
  EXPECT_EQ(parseTimestamp("2024-02-29T12:34:56.789Z"), 1709210096);
  EXPECT_EQ(parseTimestamp("2024-01-01T02:00:00+02:00"), 1704067200);
  EXPECT_EQ(parseTimestamp("2023-12-31T19:00:00-05:00"), 1704067200);
  for (const char* bad :
       {"", "2024-01-01", "2024-01-01T00:00:00", "2024-13-01T00:00:00Z", "2024-01-01T00:00:00Zjunk",
        "2024-01-01 00:00:00Z", "2024-01-01T00:00:00.Z", "2024-01-01T00:00:00+0200"}) {
    EXPECT_FALSE(parseTimestamp(bad)) << bad;
  }
}

TEST(IngressClasses, ControllerIsRequired) {
  auto r = parseIngressClass({{"metadata", {{"name", "c"}}}, {"spec", Json::object()}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), "IngressClass c: spec.controller: Required value");
}

}  // namespace
}  // namespace ferry::ingress
