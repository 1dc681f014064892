// core/v1 Endpoints subsets: kube's canonical packing (pkg/api/v1/endpoints RepackSubsets),
// truncation to a maximum number of addresses (pkg/controller/endpoint truncateEndpoints), and
// reading and comparing existing subsets.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "json_access.h"
#include "slice_model.h"

namespace ferry::controlplane::detail {

struct EndpointAddress {
  std::string ip;
  std::string hostname;   // "" = none
  std::string node_name;  // "" = none
  Json target_ref;        // an ObjectReference, or null
};

struct EndpointSubset {
  std::vector<EndpointAddress> addresses;
  std::vector<EndpointAddress> not_ready_addresses;
  std::vector<SlicePort> ports;  // empty only for headless Services without ports
};

// One address offering one port (or no port: headless Services without ports).
struct AddressPort {
  EndpointAddress address;
  bool ready = false;
  std::optional<SlicePort> port;
};

// Addresses are deduplicated by (ip, targetRef.uid); per port, not-ready wins over ready. Ports
// served by exactly the same addresses (with the same readiness) share a subset. Addresses sort
// by IP string then uid (LessEndpointAddress); ports by name, port, protocol, appProtocol;
// subsets by their first port.
std::vector<EndpointSubset> repackSubsets(const std::vector<AddressPort>& entries);

// At most `max` addresses in all. Ready addresses are kept first: if they alone exceed `max`,
// every not-ready one goes and each subset keeps ceil(share * max) ready ones while room
// lasts; otherwise only not-ready addresses are cut the same way. Returns whether anything was
// cut (truncateEndpoints).
bool truncateSubsets(std::vector<EndpointSubset>& subsets, size_t max);

Json toJson(const std::vector<EndpointSubset>& subsets);
// nullopt (with a warning) when the subsets cannot be read; the object is then rewritten.
std::optional<std::vector<EndpointSubset>> subsetsFromJson(const Json& subsets,
                                                           const std::string& where,
                                                           std::vector<std::string>& warnings);

// Order-sensitive equality, ignoring targetRef.resourceVersion.
bool subsetsEqual(const std::vector<EndpointSubset>& a, const std::vector<EndpointSubset>& b);

size_t addressCount(const std::vector<EndpointSubset>& subsets);

}  // namespace ferry::controlplane::detail
