// The parts of Ingresses, IngressClasses (networking.k8s.io/v1) and TLS Secrets (core/v1) that
// ingress routing needs, read from their JSON (the REST API's and the feed's form).
//
// Parsing validates what the API server validates for the fields routing depends on, because
// objects may also come from a file nobody validated: a malformed Ingress is rejected as a
// whole with an error naming the field ("spec.rules[0].http.paths[1].pathType: Required
// value"), never partly applied. Rejected are: a path without pathType or with an unknown one;
// an Exact or Prefix path not starting with '/' (or containing "//", "/./", "/../", or ending in
// "/." or "/.."); a host with a port, an IP address, a character outside [a-z0-9.-] (after
// lower-casing) or a '*' anywhere but as the whole first label; a backend without service name,
// with both or neither of port.number and port.name, or a port number outside 1..65535; fields of
// the wrong JSON type. Valid but unsupported input (a `resource` backend) is skipped with a
// warning.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/api/result.h"
#include "ferry/ingress/backend_options.h"

namespace ferry::ingress {

inline constexpr std::string_view kLegacyClassAnnotation = "kubernetes.io/ingress.class";
inline constexpr std::string_view kDefaultClassAnnotation =
    "ingressclass.kubernetes.io/is-default-class";
inline constexpr std::string_view kTlsSecretType = "kubernetes.io/tls";

// The Ingress API's pathType. ImplementationSpecific is matched as Prefix by ferry (what most
// controllers do; documented in README.md), so two paths differing only in Prefix vs
// ImplementationSpecific are the same route and conflict.
enum class PathType : uint8_t { kExact, kPrefix, kImplementationSpecific };

std::string_view toString(PathType type);

// spec.rules[].http.paths[].backend.service or spec.defaultBackend.service. Exactly one of
// port_number (non-zero) and port_name is set.
struct ServiceRef {
  std::string name;
  uint16_t port_number = 0;
  std::string port_name;

  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 misreads defaulted <=>
  auto operator<=>(const ServiceRef&) const = default;
};

struct IngressPath {
  std::string path;  // as written; "/" for an ImplementationSpecific path left empty
  PathType type = PathType::kPrefix;
  ServiceRef backend;
};

struct IngressRule {
  std::string host;  // lower case; "" = every host; "*.foo.com" = one label under foo.com
  std::vector<IngressPath> paths;
};

struct IngressTls {
  std::vector<std::string> hosts;  // lower case, exact or wildcard; empty = the default cert
  std::string secret_name;         // in the Ingress's namespace; may be empty (no cert)
};

// status.loadBalancer.ingress[] entry.
struct LoadBalancerIngress {
  std::string ip;
  std::string hostname;

  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 misreads defaulted <=>
  auto operator<=>(const LoadBalancerIngress&) const = default;
};

struct IngressObject {
  std::string ns, name;
  // metadata.creationTimestamp as seconds since the epoch; INT64_MAX when absent (an object
  // without one loses every conflict, it cannot claim to be the oldest).
  int64_t created = INT64_MAX;
  std::optional<std::string> class_name;    // spec.ingressClassName
  std::optional<std::string> legacy_class;  // annotation kubernetes.io/ingress.class
  BackendOptions options;                   // from the ferry.io/* annotations
  std::optional<ServiceRef> default_backend;
  std::vector<IngressRule> rules;
  std::vector<IngressTls> tls;
  std::vector<LoadBalancerIngress> status;  // status.loadBalancer.ingress as last seen
  std::vector<std::string> warnings;        // skipped-but-valid input, ignored annotations
};

struct IngressClassObject {
  std::string name;
  std::string controller;   // spec.controller
  bool is_default = false;  // annotation ingressclass.kubernetes.io/is-default-class == "true"
};

// A Secret of type kubernetes.io/tls, data decoded.
struct TlsSecret {
  std::string ns, name;
  std::string cert_pem;  // data["tls.crt"]
  std::string key_pem;   // data["tls.key"]
};

api::Result<IngressObject> parseIngress(const nlohmann::json& object);
api::Result<IngressClassObject> parseIngressClass(const nlohmann::json& object);
// nullopt: a valid Secret of another type (not ours to use, not an error). Error: a TLS Secret
// without both keys or with data that is not base64, or a malformed object.
api::Result<std::optional<TlsSecret>> parseTlsSecret(const nlohmann::json& object);

// metadata.namespace / metadata.name of any object ("" when absent or not strings).
std::string objectNamespace(const nlohmann::json& object);
std::string objectName(const nlohmann::json& object);

// RFC 3339 as the API server writes it ("2024-05-01T10:00:00Z", optional fraction and numeric
// offset) to seconds since the epoch.
std::optional<int64_t> parseTimestamp(std::string_view text);

// The `host` of a rule or TLS entry as the API server accepts it: an RFC 1123 subdomain, or one
// with "*." in front; no port, not an IP address. Case-insensitive (lower-cased by parsing).
// Returns an empty string on success, the reason otherwise.
std::string checkHost(std::string_view host);

}  // namespace ferry::ingress
