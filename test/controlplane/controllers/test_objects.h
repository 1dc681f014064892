// Builders for Kubernetes-shaped test objects and a tiny stand-in for the API server that
// applies SliceChanges the way kube-apiserver would (names from generateName, resourceVersion
// checks), so tests can reconcile repeatedly against the result.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "ferry/controllers/slice_changes.h"

namespace ferry::controlplane::testing {

using Json = nlohmann::json;

inline constexpr const char* kNamespace = "default";
inline constexpr const char* kServiceUid = "svc-uid-1";

class ServiceBuilder {
 public:
  explicit ServiceBuilder(std::string name = "web") {
    obj_ = {{"apiVersion", "v1"},
            {"kind", "Service"},
            {"metadata", {{"name", name}, {"namespace", kNamespace}, {"uid", kServiceUid}}},
            {"spec",
             {{"selector", {{"app", name}}},
              {"clusterIP", "10.96.0.10"},
              {"ipFamilies", {"IPv4"}},
              {"ports", Json::array()}}}};
  }
  // targetPort: a number, a name, or null for "defaulted to port".
  ServiceBuilder& port(std::string name, int port, Json target = nullptr,
                       std::string protocol = "TCP") {
    Json p = {{"name", name}, {"port", port}, {"protocol", protocol}};
    if (!target.is_null()) {
      p["targetPort"] = target;
    }
    obj_["spec"]["ports"].push_back(p);
    return *this;
  }
  ServiceBuilder& families(std::vector<std::string> f) {
    obj_["spec"]["ipFamilies"] = f;
    return *this;
  }
  ServiceBuilder& clusterIP(std::string ip) {
    obj_["spec"]["clusterIP"] = ip;
    return *this;
  }
  ServiceBuilder& publishNotReady() {
    obj_["spec"]["publishNotReadyAddresses"] = true;
    return *this;
  }
  ServiceBuilder& label(std::string k, std::string v) {
    obj_["metadata"]["labels"][k] = v;
    return *this;
  }
  ServiceBuilder& noSelector() {
    obj_["spec"].erase("selector");
    return *this;
  }
  ServiceBuilder& type(std::string t) {
    obj_["spec"]["type"] = t;
    return *this;
  }
  ServiceBuilder& uid(std::string u) {
    obj_["metadata"]["uid"] = u;
    return *this;
  }
  ServiceBuilder& deleting() {
    obj_["metadata"]["deletionTimestamp"] = "2024-01-01T00:00:00Z";
    return *this;
  }
  Json build() const { return obj_; }
  operator Json() const { return obj_; }  // NOLINT(google-explicit-constructor)

 private:
  Json obj_;
};

class PodBuilder {
 public:
  explicit PodBuilder(std::string name, std::string app = "web") {
    obj_ = {{"apiVersion", "v1"},
            {"kind", "Pod"},
            {"metadata",
             {{"name", name},
              {"namespace", kNamespace},
              {"uid", "uid-" + name},
              {"labels", {{"app", app}}}}},
            {"spec", {{"nodeName", "node-a"}, {"containers", {{{"name", "main"}}}}}},
            {"status", {{"phase", "Running"}}}};
    ready(true);
  }
  PodBuilder& ip(std::string address) {
    Json& status = obj_["status"];
    if (!status.contains("podIP")) {
      status["podIP"] = address;
    }
    status["podIPs"].push_back({{"ip", address}});
    return *this;
  }
  PodBuilder& ready(bool r) {
    obj_["status"]["conditions"] = {
        {{"type", "Ready"}, {"status", r ? "True" : "False"}},
        {{"type", "ContainersReady"}, {"status", r ? "True" : "False"}}};
    return *this;
  }
  PodBuilder& terminating() {
    obj_["metadata"]["deletionTimestamp"] = "2024-01-01T00:00:00Z";
    return *this;
  }
  PodBuilder& phase(std::string p) {
    obj_["status"]["phase"] = p;
    return *this;
  }
  PodBuilder& node(std::string n) {
    obj_["spec"]["nodeName"] = n;
    return *this;
  }
  PodBuilder& hostname(std::string host, std::string subdomain) {
    obj_["spec"]["hostname"] = host;
    obj_["spec"]["subdomain"] = subdomain;
    return *this;
  }
  PodBuilder& containerPort(std::string name, int port, std::string protocol = "TCP") {
    obj_["spec"]["containers"][0]["ports"].push_back(
        {{"name", name}, {"containerPort", port}, {"protocol", protocol}});
    return *this;
  }
  Json build() const { return obj_; }
  operator Json() const { return obj_; }  // NOLINT(google-explicit-constructor)

 private:
  Json obj_;
};

// prefix + i. (Appending, not operator+(const char*, string&&): GCC 12 at -O2 reports a bogus
// -Wrestrict for the latter, GCC bug 105651.)
inline std::string numbered(std::string prefix, int i) {
  prefix += std::to_string(i);
  return prefix;
}

// "10.0.<i/250>.<i%250+1>": distinct IPv4 addresses for bulk pods.
inline std::string bulkIp(int i) {
  std::string ip = numbered("10.0.", i / 250);
  ip += '.';
  ip += std::to_string(i % 250 + 1);
  return ip;
}

inline std::vector<Json> bulkPods(int n) {
  std::vector<Json> pods;
  for (int i = 0; i < n; ++i) {
    pods.push_back(PodBuilder(numbered("pod-", i)).ip(bulkIp(i)));
  }
  return pods;
}

// Applies changes as kube-apiserver would: creates get a name from generateName, a uid and
// resourceVersion; updates must name an existing object and, when they carry one, its current
// resourceVersion; deletes must name an existing object.
class FakeApiServer {
 public:
  explicit FakeApiServer(std::vector<Json> objects = {}) : objects_(std::move(objects)) {}

  void apply(const SliceChanges& changes) {
    for (const Json& d : changes.to_delete) {
      std::string name = d["metadata"]["name"];
      auto it = find(name);
      ASSERT_NE(it, objects_.end()) << "delete of missing " << name;
      objects_.erase(it);
    }
    for (Json u : changes.to_update) {
      std::string name = u["metadata"]["name"];
      auto it = find(name);
      ASSERT_NE(it, objects_.end()) << "update of missing " << name;
      if (u["metadata"].contains("resourceVersion")) {
        ASSERT_EQ(u["metadata"]["resourceVersion"], (*it)["metadata"]["resourceVersion"])
            << "conflict on " << name;
      }
      u["metadata"]["uid"] = (*it)["metadata"]["uid"];
      u["metadata"]["resourceVersion"] = std::to_string(++revision_);
      *it = u;
    }
    for (Json c : changes.to_create) {
      ASSERT_FALSE(c["metadata"].contains("name"));
      std::string name =
          numbered(c["metadata"]["generateName"].get<std::string>() + "x", ++serial_);
      c["metadata"]["name"] = name;
      c["metadata"]["uid"] = numbered("slice-uid-", serial_);
      c["metadata"]["resourceVersion"] = std::to_string(++revision_);
      c["metadata"]["creationTimestamp"] = "2024-01-01T00:00:00Z";
      objects_.push_back(c);
    }
  }

  const std::vector<Json>& objects() const { return objects_; }
  std::vector<Json>& objects() { return objects_; }

 private:
  std::vector<Json>::iterator find(const std::string& name) {
    return std::find_if(objects_.begin(), objects_.end(),
                        [&](const Json& o) { return o["metadata"]["name"] == name; });
  }

  std::vector<Json> objects_;
  int serial_ = 0;
  int revision_ = 100;
};

// All endpoint addresses across slices (first address of each endpoint).
inline std::vector<std::string> allAddresses(const std::vector<Json>& slices) {
  std::vector<std::string> out;
  for (const Json& s : slices) {
    for (const Json& e : s["endpoints"]) {
      out.push_back(e["addresses"][0]);
    }
  }
  return out;
}

inline const Json* sliceHolding(const std::vector<Json>& slices, const std::string& address) {
  for (const Json& s : slices) {
    for (const Json& e : s["endpoints"]) {
      if (e["addresses"][0] == address) {
        return &s;
      }
    }
  }
  return nullptr;
}

inline const Json* endpointFor(const Json& slice, const std::string& address) {
  for (const Json& e : slice["endpoints"]) {
    if (e["addresses"][0] == address) {
      return &e;
    }
  }
  return nullptr;
}

}  // namespace ferry::controlplane::testing
