#include "backend_mapping.h"

#include <algorithm>
#include <map>
#include <utility>

namespace ferry::agent::detail {
namespace {

// discovery/v1 EndpointConditions: ready nil = true, serving nil = ready, terminating nil =
// false. Ready endpoints take new flows; serving-terminating ones only when none is ready
// (KEP-1669); the rest keep their existing flows only.
model::BackendState stateOf(const Json& endpoint, const Diagnostics& diag) {
  bool ready = true;
  bool serving = true;
  bool terminating = false;
  if (const Json* cond = objectField(endpoint, "conditions", diag, "endpoints[].conditions")) {
    ready = boolField(*cond, "ready", diag, "conditions.ready").value_or(true);
    serving = boolField(*cond, "serving", diag, "conditions.serving").value_or(ready);
    terminating = boolField(*cond, "terminating", diag, "conditions.terminating").value_or(false);
  }
  if (ready) return model::BackendState::kReady;
  if (terminating) {
    return serving ? model::BackendState::kServingTerminating : model::BackendState::kTerminating;
  }
  return model::BackendState::kNotReady;
}

// Lower is better: which state wins when one address:port appears in several slices.
int rank(model::BackendState s) {
  switch (s) {
    case model::BackendState::kReady:
      return 0;
    case model::BackendState::kServingTerminating:
      return 1;
    case model::BackendState::kTerminating:
      return 2;
    case model::BackendState::kNotReady:
      return 3;
  }
  return 4;
}

std::optional<SlicePort> readPort(const Json& entry, const Diagnostics& diag) {
  if (!entry.is_object()) {
    diag.warn("ports[]: expected object");
    return std::nullopt;
  }
  SlicePort out;
  out.name = stringField(entry, "name", diag, "ports[].name").value_or("");
  auto proto_text = stringField(entry, "protocol", diag, "ports[].protocol");
  auto proto = proto_text ? parseProtocol(*proto_text) : model::Protocol::kTcp;
  if (!proto) {
    diag.warn("ports[].protocol: unknown protocol '" + *proto_text + "'");
    return std::nullopt;
  }
  out.protocol = *proto;
  // A nil port means "all ports" in discovery/v1, which no L4 service port can use.
  auto port = intField(entry, "port", diag, "ports[].port");
  if (!port) return std::nullopt;
  if (*port < 1 || *port > 65535) {
    diag.warn("ports[].port: " + std::to_string(*port) + " out of range");
    return std::nullopt;
  }
  out.port = static_cast<uint16_t>(*port);
  return out;
}

std::optional<SliceEndpoint> readEndpoint(const Json& entry, model::Family family,
                                          const NodeZoneFn& node_zone, const Diagnostics& diag) {
  if (!entry.is_object()) {
    diag.warn("endpoints[]: expected object");
    return std::nullopt;
  }
  SliceEndpoint out;
  if (const Json* addrs = arrayField(entry, "addresses", diag, "endpoints[].addresses")) {
    for (const Json& a : *addrs) {
      auto ip = a.is_string() ? model::IpAddress::parse(a.get<std::string>()) : std::nullopt;
      if (!ip || ip->family() != family) {
        diag.warn("endpoints[].addresses: '" + (a.is_string() ? a.get<std::string>() : a.dump()) +
                  "' is not an address of the slice's addressType");
        continue;
      }
      out.addresses.push_back(*ip);
    }
  }
  if (out.addresses.empty()) return std::nullopt;
  out.state = stateOf(entry, diag);
  out.node = stringField(entry, "nodeName", diag, "endpoints[].nodeName").value_or("");
  out.zone = stringField(entry, "zone", diag, "endpoints[].zone").value_or("");
  if (out.zone.empty() && !out.node.empty() && node_zone) out.zone = node_zone(out.node);
  return out;
}

}  // namespace

std::optional<model::Protocol> parseProtocol(std::string_view text) {
  if (text == "TCP") return model::Protocol::kTcp;
  if (text == "UDP") return model::Protocol::kUdp;
  if (text == "SCTP") return model::Protocol::kSctp;
  return std::nullopt;
}

std::optional<ParsedSlice> readSlice(const Json& slice, const NodeZoneFn& node_zone,
                                     const Diagnostics& diag) {
  if (!slice.is_object()) {
    diag.warn("not a JSON object");
    return std::nullopt;
  }
  auto type = stringField(slice, "addressType", diag, "addressType");
  ParsedSlice out;
  if (type == "IPv4") {
    out.family = model::Family::kIpv4;
  } else if (type == "IPv6") {
    out.family = model::Family::kIpv6;
  } else if (type == "FQDN") {
    return std::nullopt;  // deprecated, and kube-proxy ignores it
  } else {
    diag.warn("addressType: '" + type.value_or("") + "' is not IPv4, IPv6 or FQDN");
    return std::nullopt;
  }
  if (const Json* ports = arrayField(slice, "ports", diag, "ports")) {
    for (const Json& p : *ports) {
      if (auto port = readPort(p, diag)) out.ports.push_back(std::move(*port));
    }
  }
  if (const Json* eps = arrayField(slice, "endpoints", diag, "endpoints")) {
    for (const Json& e : *eps) {
      if (auto ep = readEndpoint(e, out.family, node_zone, diag)) {
        out.endpoints.push_back(std::move(*ep));
      }
    }
  }
  return out;
}

std::vector<model::Backend> backendsForPort(std::span<const ParsedSlice> slices,
                                            std::string_view port_name, model::Protocol protocol,
                                            std::span<const model::Family> families) {
  std::map<std::pair<model::IpAddress, uint16_t>, model::Backend> merged;
  for (const ParsedSlice& slice : slices) {
    if (std::find(families.begin(), families.end(), slice.family) == families.end()) continue;
    auto port = std::find_if(slice.ports.begin(), slice.ports.end(), [&](const SlicePort& p) {
      return p.name == port_name && p.protocol == protocol;
    });
    if (port == slice.ports.end()) continue;
    for (const SliceEndpoint& ep : slice.endpoints) {
      // discovery/v1 allows several addresses per endpoint but consumers use the first
      // (kube-proxy does; the field is "reserved" for more).
      model::Backend b;
      b.address = ep.addresses.front();
      b.port = port->port;
      b.state = ep.state;
      b.node = ep.node;
      b.zone = ep.zone;
      auto [it, inserted] = merged.try_emplace({b.address, b.port}, b);
      if (!inserted && rank(b.state) < rank(it->second.state)) it->second = std::move(b);
    }
  }
  std::vector<model::Backend> out;
  out.reserve(merged.size());
  for (auto& [key, backend] : merged) out.push_back(std::move(backend));
  return out;
}

}  // namespace ferry::agent::detail
