// Cluster objects in, IngressConfig snapshots out. The builder is fed the way ferry-dns's zone
// is (ferry/dns/object_sink.h: apply()/remove() per object, from a file or the feed) and has
// the same method shapes, so an ObjectSink adapter is a few lines. It keeps the latest valid
// version of every Ingress, IngressClass and TLS Secret, forwards Services and EndpointSlices
// to the ServiceModel (agent::ServiceCompiler), and build() produces the next immutable
// IngressConfig, reusing unchanged resolved backends and certificates by pointer.
//
// Malformed objects are rejected whole: apply() returns the error, which also stays in
// errors() (and the config's warnings) until the object is fixed or deleted; the previously
// held version of that object is dropped, since routing from a stale version would be a
// surprise of its own. Nothing here throws on input or does I/O. Not thread-safe: one thread
// builds, any number read the published configs.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "ferry/api/result.h"
#include "ferry/ingress/class_selection.h"
#include "ferry/ingress/ingress_config.h"
#include "ferry/ingress/ingress_objects.h"
#include "ferry/ingress/service_model.h"

namespace ferry::ingress {

struct BuilderOptions {
  ClassOptions classes;
};

// {kind, namespace, name}; namespace "" for cluster-scoped kinds (IngressClass).
struct ObjectKey {
  std::string kind, ns, name;
  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 misreads defaulted <=>
  auto operator<=>(const ObjectKey&) const = default;
  std::string toString() const;  // "Ingress ns/name"
};

// One Ingress whose status.loadBalancer.ingress should be PATCHed to `ingress`.
struct StatusUpdate {
  std::string ns, name;
  std::vector<LoadBalancerIngress> ingress;  // empty = clear (no longer ours)

  bool operator==(const StatusUpdate&) const = default;
};

// The merge patch body for a StatusUpdate (for the status subresource, content type
// application/merge-patch+json): {"status":{"loadBalancer":{"ingress":[{"ip":...}]}}}.
nlohmann::json statusPatch(const StatusUpdate& update);

class IngressConfigBuilder {
 public:
  IngressConfigBuilder(BuilderOptions options, ServiceModel& services);

  // Ingress, IngressClass, Secret, Service or EndpointSlice (other kinds: false, not an error).
  // True when the object was taken; false for kinds and Secret types that do not concern
  // ingress. Error: malformed, rejected (see the file comment).
  api::Result<bool> apply(std::string_view kind, const nlohmann::json& object);
  // False if the object was not known (Services and EndpointSlices are always forwarded).
  bool remove(std::string_view kind, std::string_view ns, std::string_view name);

  // The config of everything applied so far; the previous config itself when nothing changed
  // since the last build().
  IngressConfig::Ptr build();

  // Ingresses (selected by class) whose status differs from `addresses`, sorted by ns/name;
  // plus Ingresses no longer selected whose status is exactly `addresses` (cleared, so a
  // class change does not leave our address behind). Pure computation: the daemon PATCHes.
  std::vector<StatusUpdate> statusUpdates(const std::vector<LoadBalancerIngress>& addresses) const;

  // Currently rejected objects and why.
  const std::map<ObjectKey, std::string>& errors() const { return errors_; }
  uint64_t malformedCount() const { return malformed_; }
  // The Ingresses held (valid, any class), for diagnostics.
  const std::map<std::pair<std::string, std::string>, IngressObject>& ingresses() const {
    return ingresses_;
  }
  bool selected(const IngressObject& ingress) const;

 private:
  api::Result<bool> reject(ObjectKey key, std::string message);

  BuilderOptions options_;
  ServiceModel& services_;
  std::map<std::pair<std::string, std::string>, IngressObject> ingresses_;
  std::map<std::string, IngressClassObject> classes_;
  std::map<std::string, TlsSecret, std::less<>> secrets_;  // "ns/name"
  std::map<ObjectKey, std::string> errors_;
  uint64_t malformed_ = 0;
  bool dirty_ = true;
  IngressConfig::Ptr previous_;
  model::ServiceSnapshot::Ptr previous_services_;
  uint64_t version_ = 0;
};

}  // namespace ferry::ingress
