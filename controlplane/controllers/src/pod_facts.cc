#include "pod_facts.h"

#include <algorithm>

namespace ferry::controlplane::detail {
namespace {

bool validPortNumber(int64_t v) {
  return v >= 1 && v <= 65535;
}

std::optional<ServicePortSpec> readServicePort(const Json& p, size_t index,
                                               const std::string& where,
                                               std::vector<std::string>& warnings) {
  std::string at = where + ": spec.ports[" + std::to_string(index) + "]";
  if (!p.is_object()) {
    warnings.push_back(at + " is not an object; port skipped");
    return std::nullopt;
  }
  ServicePortSpec spec;
  auto port = intAt(p, "port");
  if (!port || !validPortNumber(*port)) {
    warnings.push_back(at + ".port is not a port number; port skipped");
    return std::nullopt;
  }
  spec.port = static_cast<int32_t>(*port);
  spec.name = stringOr(p, "name");
  spec.protocol = stringOr(p, "protocol", "TCP");
  spec.app_protocol = stringAt(p, "appProtocol");
  const Json* target = member(p, "targetPort");
  if (target == nullptr || target->is_null() || (target->is_string() && target->empty())) {
    spec.target_number = spec.port;  // defaulted to port by the API server
  } else if (target->is_string()) {
    // intstr: any JSON string is a name, even "8080" (kube would not find such a port).
    spec.target_name = target->get<std::string>();
  } else if (auto n = intAt(p, "targetPort"); n && validPortNumber(*n)) {
    spec.target_number = static_cast<int32_t>(*n);
  } else {
    warnings.push_back(at + ".targetPort is neither a port number nor a name; port skipped");
    return std::nullopt;
  }
  return spec;
}

bool readyConditionTrue(const Json& pod) {
  for (const Json& c : arrayAt(objectAt(pod, "status"), "conditions")) {
    if (stringOr(c, "type") == "Ready") {
      return stringOr(c, "status") == "True";
    }
  }
  return false;
}

std::optional<int32_t> findInContainers(const Json& containers, const ServicePortSpec& port,
                                        bool sidecars_only) {
  if (!containers.is_array()) {
    return std::nullopt;
  }
  for (const Json& c : containers) {
    if (sidecars_only && stringOr(c, "restartPolicy") != "Always") {
      continue;
    }
    for (const Json& cp : arrayAt(c, "ports")) {
      if (stringOr(cp, "name") != port.target_name ||
          stringOr(cp, "protocol", "TCP") != port.protocol) {
        continue;
      }
      auto n = intAt(cp, "containerPort");
      if (n && validPortNumber(*n)) {
        return static_cast<int32_t>(*n);
      }
    }
  }
  return std::nullopt;
}

}  // namespace

std::string selectorControllerSkipReason(const std::optional<ServiceFacts>& service) {
  if (!service) return "the service could not be read";
  if (service->external_name) return "service type ExternalName";
  if (!service->has_selector) return "service has no selector";
  return {};
}

std::optional<ServiceFacts> readService(const Json& service, std::vector<std::string>& warnings) {
  ServiceFacts s;
  s.name = nameOf(service);
  if (!service.is_object() || s.name.empty()) {
    warnings.emplace_back("service: not an object with metadata.name; nothing reconciled");
    return std::nullopt;
  }
  std::string where = describe("service", service);
  s.ns = namespaceOf(service);
  s.uid = uidOf(service);
  s.labels = labelsOf(service);
  s.deleting = hasDeletionTimestamp(service);
  const Json& spec = objectAt(service, "spec");
  s.has_selector = !objectAt(spec, "selector").empty();
  s.external_name = stringOr(spec, "type") == "ExternalName";
  s.publish_not_ready = boolAt(spec, "publishNotReadyAddresses").value_or(false);
  s.cluster_ip = stringOr(spec, "clusterIP");
  s.ip_set = !s.cluster_ip.empty() && s.cluster_ip != "None";
  const Json& families = arrayAt(spec, "ipFamilies");
  for (size_t i = 0; i < families.size(); ++i) {
    auto f =
        families[i].is_string() ? familyFromName(families[i].get<std::string>()) : std::nullopt;
    if (!f) {
      warnings.push_back(concat(
          {where, ": spec.ipFamilies[", std::to_string(i), "] is not IPv4 or IPv6; ignored"}));
      continue;
    }
    if (std::find(s.ip_families.begin(), s.ip_families.end(), *f) == s.ip_families.end()) {
      s.ip_families.push_back(*f);
    }
  }
  const Json& ports = arrayAt(spec, "ports");
  for (size_t i = 0; i < ports.size(); ++i) {
    if (auto p = readServicePort(ports[i], i, where, warnings)) {
      s.ports.push_back(std::move(*p));
    }
  }
  return s;
}

std::optional<PodFacts> readPod(const Json& pod, const ServiceFacts& service,
                                std::vector<std::string>& warnings) {
  PodFacts p;
  p.pod = &pod;
  p.name = nameOf(pod);
  if (!pod.is_object() || p.name.empty()) {
    warnings.emplace_back("pod: not an object with metadata.name; skipped");
    return std::nullopt;
  }
  std::string where = describe("pod", pod);
  // A pod without a namespace is taken to be in the Service's (the caller listed it there).
  p.ns = stringAt(metadataOf(pod), "namespace").value_or(service.ns);
  if (p.ns != service.ns) {
    warnings.push_back(where + ": not in the service's namespace; skipped");
    return std::nullopt;
  }
  p.uid = uidOf(pod);
  p.terminating = hasDeletionTimestamp(pod);
  const Json& spec = objectAt(pod, "spec");
  const Json& status = objectAt(pod, "status");
  p.node_name = stringOr(spec, "nodeName");
  std::string phase = stringOr(status, "phase");
  p.terminal = phase == "Succeeded" || phase == "Failed";
  p.ready = readyConditionTrue(pod);
  // ShouldSetHostname: the pod asked for <hostname>.<subdomain> and the subdomain is this
  // Service (headless-Service DNS records, e.g. StatefulSets).
  std::string hostname = stringOr(spec, "hostname");
  p.hostname_set = !hostname.empty() && stringOr(spec, "subdomain") == service.name;
  if (p.hostname_set) {
    p.hostname = hostname;
  }

  std::vector<std::string> texts;
  for (const Json& entry : arrayAt(status, "podIPs")) {
    if (auto ip = stringAt(entry, "ip"); ip && !ip->empty()) {
      texts.push_back(*ip);
    }
  }
  // kube reads only podIPs, which the API server keeps in step with podIP; an object carrying
  // only podIP (older writers) still gets its endpoint here.
  if (texts.empty()) {
    if (auto ip = stringAt(status, "podIP"); ip && !ip->empty()) {
      texts.push_back(*ip);
    }
  }
  p.has_ip = !texts.empty();
  for (const std::string& text : texts) {
    if (auto ip = parseIpSloppy(text)) {
      p.ips.push_back(*ip);
    } else {
      warnings.push_back(concat({where, ": pod IP \"", text, "\" is not an IP address; ignored"}));
    }
  }
  return p;
}

bool shouldPodBeInEndpoints(const PodFacts& pod, bool include_terminating) {
  if (pod.terminal || !pod.has_ip) {
    return false;
  }
  return include_terminating || !pod.terminating;
}

std::optional<int32_t> findPort(const Json& pod, const ServicePortSpec& port) {
  if (port.target_number) {
    return port.target_number;
  }
  const Json& spec = objectAt(pod, "spec");
  if (auto n = findInContainers(arrayAt(spec, "containers"), port, false)) {
    return n;
  }
  // Sidecars (init containers with restartPolicy Always, KEP-753) serve ports too.
  return findInContainers(arrayAt(spec, "initContainers"), port, true);
}

std::vector<SlicePort> podPorts(const PodFacts& pod, const ServiceFacts& service) {
  std::vector<SlicePort> out;
  for (const ServicePortSpec& sp : service.ports) {
    auto number = findPort(*pod.pod, sp);
    if (!number) {
      continue;  // kube logs "Failed to find port for service" and leaves the port out
    }
    out.push_back(SlicePort{sp.name, *number, sp.protocol, sp.app_protocol});
  }
  return out;
}

std::vector<IpFamily> sliceAddressTypes(const ServiceFacts& service) {
  if (!service.ip_families.empty()) {
    return service.ip_families;
  }
  if (service.ip_set) {
    auto ip = parseIpSloppy(service.cluster_ip);
    return {ip ? ip->family : IpFamily::kIPv4};
  }
  return {IpFamily::kIPv4, IpFamily::kIPv6};
}

IpFamily endpointsFamily(const ServiceFacts& service, const PodFacts& pod) {
  if (!service.ip_families.empty()) {
    return service.ip_families.front();
  }
  if (service.ip_set) {
    auto ip = parseIpSloppy(service.cluster_ip);
    return ip ? ip->family : IpFamily::kIPv4;
  }
  return pod.ips.empty() ? IpFamily::kIPv4 : pod.ips.front().family;
}

Json podTargetRef(const PodFacts& pod) {
  Json ref = Json::object();
  ref["kind"] = "Pod";
  ref["namespace"] = pod.ns;
  ref["name"] = pod.name;
  if (!pod.uid.empty()) {
    ref["uid"] = pod.uid;
  }
  return ref;
}

}  // namespace ferry::controlplane::detail
