// Turns the cluster's Services, EndpointSlices and Pods into a Zone, following the Kubernetes
// DNS-Based Service Discovery specification, schema 1.0.1.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "ferry/dns/cluster_objects.h"
#include "ferry/dns/zone.h"

namespace ferry::dns {

using ObjectKey = std::pair<std::string, std::string>;  // namespace, name

struct ClusterObjects {
  std::map<ObjectKey, ServiceObject> services;
  std::map<ObjectKey, EndpointSliceObject> slices;
  std::map<ObjectKey, PodObject> pods;
};

// SOA timers other than MINIMUM (which is the negative TTL): CoreDNS's values.
inline constexpr uint32_t kSoaRefresh = 7200;
inline constexpr uint32_t kSoaRetry = 1800;
inline constexpr uint32_t kSoaExpire = 86400;

std::shared_ptr<const Zone> buildZone(const ZoneConfig& config, const ClusterObjects& objects,
                                      bool synced, uint32_t serial);

// "5.1.244.10.in-addr.arpa" / nibble ".ip6.arpa" owner for a PTR, wire form.
std::string reverseName(const IpAddress& ip);

}  // namespace ferry::dns
