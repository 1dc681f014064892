// The parts of Services, EndpointSlices (discovery.k8s.io/v1) and Pods that DNS needs, read from
// the JSON kubectl -o json prints. Parsing validates what the records depend on (addresses,
// ports, label syntax) so the zone builder works only with clean values.
#pragma once

#include <array>
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "ferry/api/result.h"

namespace ferry::dns {

struct IpAddress {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};  // IPv4 in the first 4 bytes

  static std::optional<IpAddress> parse(const std::string& text);
  std::string_view wire() const {
    return {reinterpret_cast<const char*>(bytes.data()), v6 ? 16u : 4u};
  }
  // "10-244-1-5" or "fd00--5": the label CoreDNS names endpoints and pods by.
  std::string dashed() const;
};

struct PortSpec {
  std::string name;      // empty for unnamed ports, which get no SRV record
  std::string protocol;  // "tcp", "udp", "sctp" (lower case, as the SRV label wants)
  uint16_t port = 0;
};

enum class ServiceKind { kClusterIp, kHeadless, kExternalName };

struct ServiceObject {
  std::string ns, name;
  ServiceKind kind = ServiceKind::kClusterIp;
  std::vector<IpAddress> cluster_ips;
  std::string external_name;  // wire form, for kExternalName
  std::vector<PortSpec> ports;
  bool publish_not_ready = false;
};

struct EndpointEntry {
  std::vector<IpAddress> addresses;
  bool ready = true;  // discovery/v1: an absent condition means ready
  std::string hostname;
};

struct EndpointSliceObject {
  std::string ns, name;
  std::string service;  // label kubernetes.io/service-name
  std::vector<EndpointEntry> endpoints;
  std::vector<PortSpec> ports;
};

struct PodObject {
  std::string ns, name;
  std::vector<IpAddress> ips;
};

api::Result<ServiceObject> parseService(const nlohmann::json& object);
api::Result<EndpointSliceObject> parseEndpointSlice(const nlohmann::json& object);
api::Result<PodObject> parsePod(const nlohmann::json& object);

// RFC 1123 label: what Kubernetes allows for names that become DNS labels.
bool isDnsLabel(std::string_view text);

}  // namespace ferry::dns
