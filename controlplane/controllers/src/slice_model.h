// The parts of a discovery.k8s.io/v1 EndpointSlice the reconcilers reason about, with kube's
// notions of endpoint identity (endpointset.go hashEndpoint), "changed beyond identity"
// (EndpointsEqualBeyondHash) and port mapping (NewPortMapKey).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "json_access.h"

namespace ferry::controlplane::detail {

// One entry of slice.ports, after the API server's defaulting (name "", protocol TCP).
struct SlicePort {
  std::string name;
  std::optional<int32_t> port;  // absent = "all ports" (allowed for mirrored slices)
  std::string protocol = "TCP";
  std::optional<std::string> app_protocol;

  friend bool operator==(const SlicePort&, const SlicePort&) = default;
};

Json toJson(const SlicePort& port);
// nullopt (and a warning) when the entry is not an object or its port is not a valid number.
std::optional<SlicePort> slicePortFromJson(const Json& j, std::string* warning);
// Identifies a group of slices by port set regardless of order (kube sorts before hashing).
std::string portMapKey(const std::vector<SlicePort>& ports);

struct SliceEndpoint {
  std::vector<std::string> addresses;
  std::optional<bool> ready;
  std::optional<bool> serving;
  std::optional<bool> terminating;
  std::optional<std::string> hostname;
  std::optional<std::string> node_name;
  std::optional<std::string> zone;
  Json target_ref;  // an ObjectReference object, or null
};

Json toJson(const SliceEndpoint& endpoint);
// nullopt (and a warning) when the entry is not an object or has no string addresses.
std::optional<SliceEndpoint> sliceEndpointFromJson(const Json& j, std::string* warning);

// Identity: sorted addresses, hostname and targetRef namespace/name. Two entries with one key
// are the same endpoint; other differences are updates in place.
std::string endpointKey(const SliceEndpoint& endpoint);
// Equal in everything that is not part of the key (conditions, node, zone, the whole targetRef
// but its resourceVersion), as EndpointsEqualBeyondHash.
bool equalBeyondKey(const SliceEndpoint& a, const SliceEndpoint& b);
// The written order: by addresses (numerically), then key.
bool endpointLess(const SliceEndpoint& a, const SliceEndpoint& b);

// An ObjectReference without resourceVersion (kube ignores it: pods bump it on every status
// write, which must not rewrite slices or Endpoints).
Json targetRefForCompare(const Json& ref);

}  // namespace ferry::controlplane::detail
