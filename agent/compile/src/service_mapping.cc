#include "service_mapping.h"

#include <algorithm>
#include <optional>
#include <utility>

namespace ferry::agent::detail {
namespace {

struct PortSpec {
  std::string name;
  model::Protocol protocol = model::Protocol::kTcp;
  uint16_t port = 0;
  uint16_t node_port = 0;  // 0 = none
};

bool hasFamily(std::span<const model::Family> families, model::Family f) {
  return std::find(families.begin(), families.end(), f) != families.end();
}

std::optional<model::Family> parseFamily(std::string_view text) {
  if (text == "IPv4") return model::Family::kIpv4;
  if (text == "IPv6") return model::Family::kIpv6;
  return std::nullopt;
}

// A list of address strings (clusterIPs, externalIPs): unparsable entries are warned and
// skipped; entries of a family the Service lacks are dropped quietly, as kube-proxy's
// per-family proxiers ignore them.
std::vector<model::IpAddress> addressList(const Json& spec, std::string_view key,
                                          std::span<const model::Family> families,
                                          const Diagnostics& diag) {
  std::vector<model::IpAddress> out;
  const Json* list = arrayField(spec, key, diag, std::string("spec.") + std::string(key));
  if (list == nullptr) return out;
  for (const Json& entry : *list) {
    auto ip = entry.is_string() ? model::IpAddress::parse(entry.get<std::string>()) : std::nullopt;
    if (!ip) {
      diag.warn("spec." + std::string(key) + ": '" +
                (entry.is_string() ? entry.get<std::string>() : entry.dump()) +
                "' is not an IP address");
      continue;
    }
    if (hasFamily(families, ip->family())) out.push_back(*ip);
  }
  return out;
}

// spec.ipFamilies, or — for objects written before dual-stack defaulting — the families of
// the cluster IPs themselves.
std::vector<model::Family> familiesOf(const Json& spec, std::span<const std::string> cluster_ips,
                                      const Diagnostics& diag) {
  std::vector<model::Family> out;
  if (const Json* list = arrayField(spec, "ipFamilies", diag, "spec.ipFamilies")) {
    for (const Json& f : *list) {
      auto fam = f.is_string() ? parseFamily(f.get<std::string>()) : std::nullopt;
      if (!fam) {
        diag.warn("spec.ipFamilies: '" + f.dump() + "' is not IPv4 or IPv6");
        continue;
      }
      if (!hasFamily(out, *fam)) out.push_back(*fam);
    }
  }
  if (out.empty()) {
    for (const std::string& text : cluster_ips) {
      auto ip = model::IpAddress::parse(text);
      if (ip && !hasFamily(out, ip->family())) out.push_back(ip->family());
    }
  }
  return out;
}

std::optional<PortSpec> readServicePort(const Json& entry, bool node_ports,
                                        const Diagnostics& diag) {
  if (!entry.is_object()) {
    diag.warn("spec.ports[]: expected object");
    return std::nullopt;
  }
  PortSpec out;
  out.name = stringField(entry, "name", diag, "spec.ports[].name").value_or("");
  auto proto_text = stringField(entry, "protocol", diag, "spec.ports[].protocol");
  auto proto = proto_text ? parseProtocol(*proto_text) : model::Protocol::kTcp;
  if (!proto) {
    diag.warn("spec.ports[].protocol: unknown protocol '" + *proto_text + "'");
    return std::nullopt;
  }
  out.protocol = *proto;
  auto port = intField(entry, "port", diag, "spec.ports[].port");
  if (!port || *port < 1 || *port > 65535) {
    diag.warn("spec.ports[" + out.name + "].port: missing or out of range");
    return std::nullopt;
  }
  out.port = static_cast<uint16_t>(*port);
  if (node_ports) {
    auto np = intField(entry, "nodePort", diag, "spec.ports[].nodePort");
    if (np && (*np < 1 || *np > 65535)) {
      diag.warn("spec.ports[" + out.name + "].nodePort: " + std::to_string(*np) + " out of range");
    } else if (np) {
      out.node_port = static_cast<uint16_t>(*np);
    }
  }
  return out;
}

model::Balancing balancingOf(const Json& service, const CompilerOptions& options,
                             const Diagnostics& diag) {
  auto value = annotation(service, kLbAlgorithmAnnotation);
  if (!value) return options.default_balancing;
  if (*value == "round-robin") return model::Balancing::kRoundRobin;
  if (*value == "random") return model::Balancing::kRandom;
  if (*value == "maglev") return model::Balancing::kMaglev;
  diag.warn(std::string(kLbAlgorithmAnnotation) + ": unknown algorithm '" + *value + "'");
  return options.default_balancing;
}

uint32_t affinityTimeoutOf(const Json& spec, const Diagnostics& diag) {
  auto affinity = stringField(spec, "sessionAffinity", diag, "spec.sessionAffinity");
  if (affinity != "ClientIP") return 0;
  const Json* config =
      objectField(spec, "sessionAffinityConfig", diag, "spec.sessionAffinityConfig");
  const Json* client = config != nullptr ? objectField(*config, "clientIP", diag,
                                                       "spec.sessionAffinityConfig.clientIP")
                                         : nullptr;
  auto timeout = client != nullptr ? intField(*client, "timeoutSeconds", diag,
                                              "spec.sessionAffinityConfig.clientIP.timeoutSeconds")
                                   : std::nullopt;
  if (!timeout) return kDefaultAffinityTimeoutS;
  if (*timeout < 1 || *timeout > kMaxAffinityTimeoutS) {
    diag.warn("sessionAffinityConfig.clientIP.timeoutSeconds: " + std::to_string(*timeout) +
              " outside 1.." + std::to_string(kMaxAffinityTimeoutS) + ", using the default");
    return kDefaultAffinityTimeoutS;
  }
  return static_cast<uint32_t>(*timeout);
}

model::TrafficPolicy policyOf(const Json& spec, std::string_view key, const Diagnostics& diag) {
  auto value = stringField(spec, key, diag, std::string("spec.") + std::string(key));
  if (!value || *value == "Cluster") return model::TrafficPolicy::kCluster;
  if (*value == "Local") return model::TrafficPolicy::kLocal;
  diag.warn("spec." + std::string(key) + ": unknown policy '" + *value + "'");
  return model::TrafficPolicy::kCluster;
}

std::vector<model::Cidr> sourceRangesOf(const Json& spec, const Diagnostics& diag) {
  std::vector<model::Cidr> out;
  const Json* list =
      arrayField(spec, "loadBalancerSourceRanges", diag, "spec.loadBalancerSourceRanges");
  if (list == nullptr) return out;
  for (const Json& entry : *list) {
    std::optional<model::Cidr> cidr;
    if (entry.is_string()) {
      // kube-proxy trims blanks around each range (GetLoadBalancerSourceRanges).
      std::string text = entry.get<std::string>();
      auto first = text.find_first_not_of(" \t");
      auto last = text.find_last_not_of(" \t");
      if (first != std::string::npos)
        cidr = model::Cidr::parse(text.substr(first, last - first + 1));
    }
    if (!cidr) {
      diag.warn("spec.loadBalancerSourceRanges: '" + entry.dump() + "' is not a CIDR");
      continue;
    }
    out.push_back(*cidr);
  }
  return out;
}

// status.loadBalancer.ingress[].ip, without the ipMode "Proxy" entries (KEP-1860: the load
// balancer delivers to the node, not to the VIP, so kube-proxy must not capture the VIP).
std::vector<model::IpAddress> loadBalancerIps(const Json& service,
                                              std::span<const model::Family> families,
                                              const Diagnostics& diag) {
  std::vector<model::IpAddress> out;
  const Json* status = objectField(service, "status", diag, "status");
  const Json* lb = status != nullptr
                       ? objectField(*status, "loadBalancer", diag, "status.loadBalancer")
                       : nullptr;
  const Json* ingress =
      lb != nullptr ? arrayField(*lb, "ingress", diag, "status.loadBalancer.ingress") : nullptr;
  if (ingress == nullptr) return out;
  for (const Json& entry : *ingress) {
    if (!entry.is_object()) {
      diag.warn("status.loadBalancer.ingress[]: expected object");
      continue;
    }
    auto text = stringField(entry, "ip", diag, "status.loadBalancer.ingress[].ip");
    if (!text) continue;  // hostname-only entries are for DNS, not for us
    if (stringField(entry, "ipMode", diag, "status.loadBalancer.ingress[].ipMode") == "Proxy") {
      continue;
    }
    auto ip = model::IpAddress::parse(*text);
    if (!ip) {
      diag.warn("status.loadBalancer.ingress[].ip: '" + *text + "' is not an IP address");
      continue;
    }
    if (hasFamily(families, ip->family())) out.push_back(*ip);
  }
  return out;
}

model::IpAddress unspecified(model::Family family) {
  return family == model::Family::kIpv4 ? model::IpAddress::v4(0) : model::IpAddress();
}

}  // namespace

std::vector<model::Service> compileService(const ObjectName& name, const Json& service,
                                           std::span<const ParsedSlice> slices,
                                           const CompilerOptions& options,
                                           const Diagnostics& diag) {
  std::vector<model::Service> out;
  if (!service.is_object()) {
    diag.warn("not a JSON object");
    return out;
  }
  const Json* spec = objectField(service, "spec", diag, "spec");
  if (spec == nullptr) {
    diag.warn("spec: missing");
    return out;
  }
  auto type = stringField(*spec, "type", diag, "spec.type").value_or("ClusterIP");
  if (type == "ExternalName") return out;
  if (type != "ClusterIP" && type != "NodePort" && type != "LoadBalancer") {
    diag.warn("spec.type: unknown type '" + type + "'");
    return out;
  }

  // clusterIPs[0] is clusterIP; older objects may carry only the latter.
  std::vector<std::string> cluster_ip_text;
  if (const Json* ips = arrayField(*spec, "clusterIPs", diag, "spec.clusterIPs")) {
    for (const Json& ip : *ips) {
      if (ip.is_string()) cluster_ip_text.push_back(ip.get<std::string>());
    }
  }
  if (cluster_ip_text.empty()) {
    if (auto ip = stringField(*spec, "clusterIP", diag, "spec.clusterIP")) {
      cluster_ip_text.push_back(*ip);
    }
  }
  // kube-proxy's ShouldSkipService: headless and not-yet-allocated Services have no VIP.
  if (cluster_ip_text.empty() || cluster_ip_text.front() == "None" ||
      cluster_ip_text.front().empty()) {
    return out;
  }
  std::vector<model::Family> families = familiesOf(*spec, cluster_ip_text, diag);
  std::vector<model::IpAddress> cluster_ips;
  for (const std::string& text : cluster_ip_text) {
    auto ip = model::IpAddress::parse(text);
    if (!ip) {
      diag.warn("spec.clusterIPs: '" + text + "' is not an IP address");
      continue;
    }
    if (hasFamily(families, ip->family())) cluster_ips.push_back(*ip);
  }
  if (cluster_ips.empty()) {
    diag.warn("spec.clusterIPs: no usable cluster IP");
    return out;
  }
  std::vector<model::IpAddress> external_ips = addressList(*spec, "externalIPs", families, diag);
  // Like kube-proxy, status is read whatever the type: the API server clears it when a Service
  // stops being a LoadBalancer.
  std::vector<model::IpAddress> lb_ips = loadBalancerIps(service, families, diag);

  // Attributes shared by every port of the Service.
  model::Service common;
  common.balancing = balancingOf(service, options, diag);
  common.affinity_timeout_s = affinityTimeoutOf(*spec, diag);
  common.external_policy = policyOf(*spec, "externalTrafficPolicy", diag);
  common.internal_policy = policyOf(*spec, "internalTrafficPolicy", diag);
  common.source_ranges = sourceRangesOf(*spec, diag);
  if (auto hc = intField(*spec, "healthCheckNodePort", diag, "spec.healthCheckNodePort")) {
    if (*hc >= 1 && *hc <= 65535) {
      common.health_check_node_port = static_cast<uint16_t>(*hc);
    } else {
      diag.warn("spec.healthCheckNodePort: " + std::to_string(*hc) + " out of range");
    }
  }

  const bool node_ports = type == "NodePort" || type == "LoadBalancer";
  const Json* ports = arrayField(*spec, "ports", diag, "spec.ports");
  if (ports == nullptr) return out;
  for (const Json& entry : *ports) {
    auto port = readServicePort(entry, node_ports, diag);
    if (!port) continue;
    model::Service svc = common;
    svc.name = {name.ns, name.name, port->name};
    if (std::any_of(out.begin(), out.end(), [&](const auto& s) { return s.name == svc.name; })) {
      diag.warn("spec.ports: duplicate port name '" + port->name + "'");
      continue;
    }
    svc.protocol = port->protocol;
    for (const auto& ip : cluster_ips) {
      svc.frontends.push_back(
          {ip, port->port, model::FrontendKind::kClusterIp, model::Scope::kInternal});
    }
    if (port->node_port != 0) {
      for (model::Family f : families) {
        svc.frontends.push_back({unspecified(f), port->node_port, model::FrontendKind::kNodePort,
                                 model::Scope::kExternal});
      }
    }
    for (const auto& ip : external_ips) {
      svc.frontends.push_back(
          {ip, port->port, model::FrontendKind::kExternalIp, model::Scope::kExternal});
    }
    for (const auto& ip : lb_ips) {
      svc.frontends.push_back(
          {ip, port->port, model::FrontendKind::kLoadBalancerIp, model::Scope::kExternal});
    }
    svc.backends = backendsForPort(slices, port->name, port->protocol, families);
    out.push_back(std::move(svc));
  }
  return out;
}

}  // namespace ferry::agent::detail
