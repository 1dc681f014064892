// EndpointSlices (discovery.k8s.io/v1) into model::Backends for one service port, as
// kube-proxy's endpointslicecache merges them.
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/model/service.h"
#include "json_read.h"

namespace ferry::agent::detail {

struct SlicePort {
  std::string name;  // "" for an unnamed port
  model::Protocol protocol = model::Protocol::kTcp;
  uint16_t port = 0;
};

struct SliceEndpoint {
  std::vector<model::IpAddress> addresses;
  model::BackendState state = model::BackendState::kReady;
  std::string node;
  std::string zone;
};

// The parts of a slice the compiler uses, read once per compile.
struct ParsedSlice {
  model::Family family = model::Family::kIpv4;
  std::vector<SlicePort> ports;
  std::vector<SliceEndpoint> endpoints;
};

// Zone of a node from its Node object's topology label; empty when unknown.
using NodeZoneFn = std::function<std::string(std::string_view node)>;

// nullopt for slices that cannot contribute: FQDN slices (silently; kube-proxy ignores them too)
// and unreadable ones (with a warning). Unreadable ports, endpoints and addresses are skipped
// one by one with a warning each.
std::optional<ParsedSlice> readSlice(const Json& slice, const NodeZoneFn& node_zone,
                                     const Diagnostics& diag);

// The backends of the service port (name, protocol) among `slices`, keeping only `families`.
// Sorted by address and port; an address:port in several slices appears once with the best
// state any of them reports (ready first).
std::vector<model::Backend> backendsForPort(std::span<const ParsedSlice> slices,
                                            std::string_view port_name, model::Protocol protocol,
                                            std::span<const model::Family> families);

// "TCP" | "UDP" | "SCTP"; absent means TCP (core/v1 and discovery/v1 default).
std::optional<model::Protocol> parseProtocol(std::string_view text);

}  // namespace ferry::agent::detail
