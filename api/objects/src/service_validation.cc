// ValidateService / ValidateServiceUpdate of pkg/apis/core/validation, over JSON.
#include <algorithm>
#include <map>
#include <set>

#include "ferry/api/field_error_builders.h"
#include "ferry/api/ip_syntax.h"
#include "ferry/api/names.h"
#include "ferry/api/validation.h"
#include "json_fields.h"
#include "validation_helpers.h"

namespace ferry::api {
namespace {

using detail::Fields;
using detail::json;

constexpr std::string_view kClusterIP = "ClusterIP";
constexpr std::string_view kNodePort = "NodePort";
constexpr std::string_view kLoadBalancer = "LoadBalancer";
constexpr std::string_view kExternalName = "ExternalName";
constexpr int64_t kMaxClientIpAffinitySeconds = 86400;
constexpr std::string_view kLbSourceRangesAnnotation =
    "service.beta.kubernetes.io/load-balancer-source-ranges";
constexpr std::string_view kTopologyHintsAnnotation = "service.kubernetes.io/topology-aware-hints";
constexpr std::string_view kTopologyModeAnnotation = "service.kubernetes.io/topology-mode";

// The fields of a Service the rules look at, read once (type errors recorded once).
struct ServiceView {
  std::string type;
  std::string cluster_ip;
  std::vector<std::string> cluster_ips;
  std::vector<std::string> ip_families;
  std::optional<std::string> ip_family_policy;
  std::vector<std::string> external_ips;
  std::string external_traffic_policy;
  std::optional<std::string> load_balancer_class;

  bool headless() const { return cluster_ips.size() == 1 && cluster_ips[0] == "None"; }
  // ExternallyAccessible (pkg/api/v1/service): what gets an externalTrafficPolicy.
  bool externallyAccessible() const {
    return type == kLoadBalancer || type == kNodePort ||
           (type == kClusterIP && !external_ips.empty());
  }
  // NeedsHealthCheck: a LoadBalancer that keeps client addresses.
  bool needsHealthCheck() const {
    return type == kLoadBalancer && external_traffic_policy == "Local";
  }
};

ServiceView read(const Fields& spec) {
  ServiceView v;
  v.type = spec.str("type");
  v.cluster_ip = spec.str("clusterIP");
  v.cluster_ips = spec.strings("clusterIPs");
  v.ip_families = spec.strings("ipFamilies");
  v.ip_family_policy = spec.optStr("ipFamilyPolicy");
  v.external_ips = spec.strings("externalIPs");
  v.external_traffic_policy = spec.str("externalTrafficPolicy");
  v.load_balancer_class = spec.optStr("loadBalancerClass");
  return v;
}

// ValidateServiceClusterIPsRelatedFields.
void validateClusterIps(FieldErrors& errs, const ServiceView& s) {
  if (s.type == kExternalName) return;  // all must be unset, checked by the caller
  const std::string ips_path = "spec.clusterIPs";
  if (!s.cluster_ip.empty()) {
    if (s.cluster_ips.empty()) {
      errs.push_back(field::required(ips_path));
    } else if (s.cluster_ips[0] != s.cluster_ip) {
      errs.push_back(field::invalidGo(ips_path, field::goStringSlice(s.cluster_ips),
                                      "first value must match `clusterIP`"));
    }
  } else if (!s.cluster_ips.empty()) {
    errs.push_back(field::invalidGo(ips_path, field::goStringSlice(s.cluster_ips),
                                    "must be empty when `clusterIP` is not specified"));
  }

  std::set<std::string> seen;
  for (size_t i = 0; i < s.ip_families.size(); ++i) {
    const std::string& f = s.ip_families[i];
    std::string p = field::index("spec.ipFamilies", i);
    if (f != "IPv4" && f != "IPv6") errs.push_back(field::notSupported(p, f, {"IPv4", "IPv6"}));
    if (!seen.insert(f).second) errs.push_back(field::duplicate(p, f));
  }
  if (s.ip_family_policy && *s.ip_family_policy != "SingleStack" &&
      *s.ip_family_policy != "PreferDualStack" && *s.ip_family_policy != "RequireDualStack") {
    errs.push_back(field::notSupported("spec.ipFamilyPolicy", *s.ip_family_policy,
                                       {"PreferDualStack", "RequireDualStack", "SingleStack"}));
  }

  bool bad_ips = false;
  for (size_t i = 0; i < s.cluster_ips.size(); ++i) {
    if (i == 0 && s.cluster_ips[0] == "None") {
      if (s.cluster_ips.size() > 1) {
        bad_ips = true;
        errs.push_back(field::invalidGo(ips_path, field::goStringSlice(s.cluster_ips),
                                        "'None' must be the first and only value"));
      }
      continue;
    }
    bad_ips = !detail::validateIp(errs, field::index(ips_path, i), s.cluster_ips[i]) || bad_ips;
  }
  if (s.cluster_ips.size() > 2) {
    errs.push_back(field::invalidGo(ips_path, field::goStringSlice(s.cluster_ips),
                                    "may only hold up to 2 values"));
  }
  // Further messages would be skewed by a bad address.
  if (bad_ips) return;

  // IsDualStackIPStrings: both families present (three addresses were reported above).
  bool v4 = std::any_of(s.cluster_ips.begin(), s.cluster_ips.end(),
                        [](const std::string& ip) { return isIpv4(ip); });
  bool v6 = std::any_of(s.cluster_ips.begin(), s.cluster_ips.end(),
                        [](const std::string& ip) { return isIpv6(ip); });
  if (s.cluster_ips.size() > 1 && !(v4 && v6)) {
    errs.push_back(field::invalidGo(ips_path, field::goStringSlice(s.cluster_ips),
                                    "may specify no more than one IP for each IP family"));
  }
  if (!s.headless()) {
    for (size_t i = 0; i < s.cluster_ips.size() && i < s.ip_families.size(); ++i) {
      bool is_v6 = isIpv6(s.cluster_ips[i]);
      std::string n = std::to_string(i);
      if (s.ip_families[i] == "IPv4" && is_v6) {
        errs.push_back(
            field::invalid(field::index(ips_path, i), s.cluster_ips[i],
                           "expected an IPv4 value as indicated by `ipFamilies[" + n + "]`"));
      }
      if (s.ip_families[i] == "IPv6" && !is_v6) {
        errs.push_back(
            field::invalid(field::index(ips_path, i), s.cluster_ips[i],
                           "expected an IPv6 value as indicated by `ipFamilies[" + n + "]`"));
      }
    }
  }
  // The allocator's check (registry/core/service/ipallocator): two families need a dual-stack
  // policy.
  bool two = s.cluster_ips.size() > 1 || s.ip_families.size() > 1;
  if (two && s.ip_family_policy && *s.ip_family_policy == "SingleStack") {
    errs.push_back(field::invalid("spec.ipFamilyPolicy", *s.ip_family_policy,
                                  "must be 'RequireDualStack' or 'PreferDualStack' when multiple "
                                  "IP families are specified"));
  }
}

// validateServicePort, and the per-port rules of ValidateService.
void validatePorts(FieldErrors& errs, const Fields& spec, const ServiceView& s) {
  const json* raw = spec.raw("ports");
  bool require_name = raw != nullptr && raw->is_array() && raw->size() > 1;
  std::set<std::string> names;
  std::set<std::pair<std::string, int64_t>> ports;
  std::set<std::pair<std::string, int64_t>> node_ports;
  for (const Fields& port : spec.objects("ports")) {
    std::string name = port.str("name");
    if (require_name && name.empty()) {
      errs.push_back(field::required(port.at("name")));
    } else if (!name.empty()) {
      detail::validateDns1123Label(errs, port.at("name"), name);
      if (!names.insert(name).second) errs.push_back(field::duplicate(port.at("name"), name));
    }
    std::optional<int64_t> port_number = port.int32("port");
    int64_t number = port_number.value_or(0);
    if (port_number || !port.has("port")) {  // a wrong type was reported already
      for (const auto& m : isValidPortNum(number)) {
        errs.push_back(field::invalid(port.at("port"), number, m));
      }
    }
    detail::validateProtocol(errs, port, "protocol");
    detail::validatePortNumOrName(errs, port, "targetPort");
    if (auto app = port.optStr("appProtocol")) {
      detail::validateQualifiedName(errs, port.at("appProtocol"), *app);
    }
    std::string protocol = port.str("protocol");
    int64_t node_port = port.int32("nodePort").value_or(0);
    if (s.type == kClusterIP && node_port != 0) {
      errs.push_back(
          field::forbidden(port.at("nodePort"), "may not be used when `type` is 'ClusterIP'"));
    }
    if (node_port != 0 && !node_ports.insert({protocol, node_port}).second) {
      errs.push_back(field::duplicate(port.at("nodePort"), node_port));
    }
    if (!ports.insert({protocol, number}).second) {
      // kube prints the core.ServicePort{Protocol, Port} key with %#v.
      errs.push_back(field::duplicateGo(
          port.path(), "core.ServicePort{Name:\"\", Protocol:" + field::goQuote(protocol) +
                           ", AppProtocol:(*string)(nil), Port:" + std::to_string(number) +
                           ", TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}, "
                           "NodePort:0}"));
    }
  }
}

void validateSessionAffinity(FieldErrors& errs, const Fields& spec) {
  std::string affinity = spec.str("sessionAffinity");
  if (affinity.empty()) {
    errs.push_back(field::required(spec.at("sessionAffinity")));
  } else if (affinity != "ClientIP" && affinity != "None") {
    errs.push_back(field::notSupported(spec.at("sessionAffinity"), affinity, {"ClientIP", "None"}));
  }
  std::string config_path = spec.at("sessionAffinityConfig");
  if (affinity == "ClientIP") {
    const std::string when = "when session affinity type is ClientIP";
    Fields config = spec.sub("sessionAffinityConfig");
    if (config.obj() == nullptr) {
      errs.push_back(field::required(config_path, when));
      return;
    }
    Fields client_ip = config.sub("clientIP");
    if (client_ip.obj() == nullptr) {
      errs.push_back(field::required(config.at("clientIP"), when));
      return;
    }
    auto timeout = client_ip.int32("timeoutSeconds");
    if (!timeout) {
      errs.push_back(field::required(client_ip.at("timeoutSeconds"), when));
      return;
    }
    if (*timeout <= 0 || *timeout > kMaxClientIpAffinitySeconds) {
      errs.push_back(field::invalid(client_ip.at("timeoutSeconds"), *timeout,
                                    "must be greater than 0 and less than 86400"));
    }
  } else if (affinity == "None" && spec.has("sessionAffinityConfig")) {
    errs.push_back(field::forbidden(config_path, "must not be set when session affinity is None"));
  }
}

void validateSourceRanges(FieldErrors& errs, const Fields& spec, const Fields& meta,
                          const ServiceView& s) {
  std::vector<std::string> ranges = spec.strings("loadBalancerSourceRanges");
  if (!ranges.empty()) {
    // kube's path really is "spec.LoadBalancerSourceRanges" (capital L).
    const std::string path = "spec.LoadBalancerSourceRanges";
    if (s.type != kLoadBalancer) {
      errs.push_back(field::forbidden(path, "may only be used when `type` is 'LoadBalancer'"));
    }
    for (size_t i = 0; i < ranges.size(); ++i) {
      // Space padding is tolerated, a leftover of the annotation this field replaced.
      std::string v = ranges[i];
      v.erase(0, v.find_first_not_of(" \t\r\n"));
      v.erase(v.find_last_not_of(" \t\r\n") + 1);
      detail::validateCidr(errs, field::index(path, i), v);
    }
    return;
  }
  for (const auto& [k, value] : meta.stringMap("annotations")) {
    if (k != kLbSourceRangesAnnotation) continue;
    std::string path = field::key("metadata.annotations", k);
    if (s.type != kLoadBalancer) {
      errs.push_back(field::forbidden(path, "may only be used when `type` is 'LoadBalancer'"));
    }
    std::string v = value;
    v.erase(0, v.find_first_not_of(" \t\r\n"));
    v.erase(v.find_last_not_of(" \t\r\n") + 1);
    size_t start = 0;
    while (!v.empty()) {
      size_t comma = v.find(',', start);
      std::string cidr = v.substr(start, comma == std::string::npos ? comma : comma - start);
      cidr.erase(0, cidr.find_first_not_of(" \t\r\n"));
      cidr.erase(cidr.find_last_not_of(" \t\r\n") + 1);
      detail::validateCidr(errs, path, cidr);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
}

// validateServiceExternalTrafficPolicy. A missing healthCheckNodePort where one is needed is
// accepted: the server allocates it (kube allocates before validating).
void validateTrafficPolicies(FieldErrors& errs, const Fields& spec, const ServiceView& s) {
  std::string etp_path = spec.at("externalTrafficPolicy");
  if (!s.externallyAccessible()) {
    if (!s.external_traffic_policy.empty()) {
      errs.push_back(field::invalid(etp_path, s.external_traffic_policy,
                                    "may only be set for externally-accessible services"));
    }
  } else if (s.external_traffic_policy.empty()) {
    errs.push_back(field::required(etp_path));
  } else if (s.external_traffic_policy != "Cluster" && s.external_traffic_policy != "Local") {
    errs.push_back(field::notSupported(etp_path, s.external_traffic_policy, {"Cluster", "Local"}));
  }

  bool needs_health_check = s.needsHealthCheck();
  int64_t hc = spec.int32("healthCheckNodePort").value_or(0);
  std::string hc_path = spec.at("healthCheckNodePort");
  if (!needs_health_check && hc != 0) {
    errs.push_back(field::invalid(
        hc_path, hc,
        "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"));
  } else if (needs_health_check && hc != 0) {
    for (const auto& m : isValidPortNum(hc)) errs.push_back(field::invalid(hc_path, hc, m));
  }

  // validateServiceInternalTrafficFieldsValue: required where it is defaulted.
  auto itp = spec.optStr("internalTrafficPolicy");
  std::string itp_path = spec.at("internalTrafficPolicy");
  if (!itp) {
    if (s.type == kNodePort || s.type == kLoadBalancer || s.type == kClusterIP) {
      errs.push_back(field::required(itp_path));
    }
  } else if (*itp != "Cluster" && *itp != "Local") {
    errs.push_back(field::notSupported(itp_path, *itp, {"Cluster", "Local"}));
  }

  if (auto td = spec.optStr("trafficDistribution"); td && *td != "PreferClose") {
    errs.push_back(field::notSupported(spec.at("trafficDistribution"), *td, {"PreferClose"}));
  }
}

FieldErrors validateServiceSpec(const json& svc) {
  FieldErrors errs;
  Fields root(&svc, "", errs);
  Fields meta = root.sub("metadata");
  Fields spec = root.sub("spec");
  ServiceView s = read(spec);

  std::map<std::string, std::string> annotations;
  for (auto& [k, v] : meta.stringMap("annotations")) annotations[k] = v;
  auto hints = annotations.find(std::string(kTopologyHintsAnnotation));
  auto mode = annotations.find(std::string(kTopologyModeAnnotation));
  if (hints != annotations.end() && mode != annotations.end() && hints->second != mode->second) {
    errs.push_back(
        field::invalid(field::key("metadata.annotations", kTopologyModeAnnotation), mode->second,
                       "must match annotations[" + std::string(kTopologyHintsAnnotation) +
                           "] when both are specified"));
  }

  const json* ports = spec.raw("ports");
  bool no_ports = ports == nullptr || !ports->is_array() || ports->empty();
  if (no_ports && !s.headless() && s.type != kExternalName) {
    errs.push_back(field::required(spec.at("ports")));
  }
  if ((s.type == kLoadBalancer || s.type == kNodePort) && s.headless()) {
    errs.push_back(
        field::invalid("spec.clusterIPs[0]", "None",
                       "may not be set to 'None' for " + std::string(s.type) + " services"));
  }
  if (s.type == kExternalName) {
    const std::string why = "may not be set for ExternalName services";
    if (!s.cluster_ips.empty()) errs.push_back(field::forbidden(spec.at("clusterIPs"), why));
    if (!s.ip_families.empty()) errs.push_back(field::forbidden(spec.at("ipFamilies"), why));
    if (s.ip_family_policy) errs.push_back(field::forbidden(spec.at("ipFamilyPolicy"), why));
    // A CNAME target may carry the trailing dot of a fully qualified name.
    std::string cname = spec.str("externalName");
    if (!cname.empty() && cname.back() == '.') cname.pop_back();
    if (cname.empty()) {
      errs.push_back(field::required(spec.at("externalName")));
    } else {
      detail::validateDns1123Subdomain(errs, spec.at("externalName"), cname);
    }
  }

  validatePorts(errs, spec, s);
  if (spec.has("selector")) {
    detail::append(errs, validateLabels(spec.raw("selector"), spec.at("selector")));
  }
  validateSessionAffinity(errs, spec);
  validateClusterIps(errs, s);

  for (size_t i = 0; i < s.external_ips.size(); ++i) {
    detail::validateEndpointIp(errs, field::index(spec.at("externalIPs"), i), s.external_ips[i]);
  }

  if (s.type.empty()) {
    errs.push_back(field::required(spec.at("type")));
  } else if (s.type != kClusterIP && s.type != kNodePort && s.type != kLoadBalancer &&
             s.type != kExternalName) {
    errs.push_back(field::notSupported(spec.at("type"), s.type,
                                       {"ClusterIP", "ExternalName", "LoadBalancer", "NodePort"}));
  }

  validateSourceRanges(errs, spec, meta, s);

  auto allocate = spec.boolean("allocateLoadBalancerNodePorts");
  if (allocate && s.type != kLoadBalancer) {
    errs.push_back(field::forbidden(spec.at("allocateLoadBalancerNodePorts"),
                                    "may only be used when `type` is 'LoadBalancer'"));
  }
  if (s.type == kLoadBalancer && !allocate) {
    // kube's path has no "spec." here.
    errs.push_back(field::required("allocateLoadBalancerNodePorts"));
  }

  if (s.load_balancer_class) {
    if (s.type == kLoadBalancer) {
      detail::validateQualifiedName(errs, spec.at("loadBalancerClass"), *s.load_balancer_class);
    } else {
      errs.push_back(field::forbidden(spec.at("loadBalancerClass"),
                                      "may only be used when `type` is 'LoadBalancer'"));
    }
  }

  validateTrafficPolicies(errs, spec, s);
  return errs;
}

// The ipFamilyPolicy as kube prints the *string: its value, or null.
json policyValue(const ServiceView& s) {
  return s.ip_family_policy ? json(*s.ip_family_policy) : json();
}

// validateUpgradeDowngradeClusterIPs: the primary cluster IP never changes; the secondary may
// come and go (dual-stack upgrade/downgrade). ExternalName is exempt, as is headless→headless.
void validateClusterIpChange(FieldErrors& errs, const ServiceView& now, const ServiceView& old) {
  if (now.type == kExternalName || old.type == kExternalName) return;
  if (now.headless() && old.headless()) return;
  const auto& a = old.cluster_ips;
  const auto& b = now.cluster_ips;
  std::string value = field::goStringSlice(b);
  if (a.size() == b.size()) {
    for (size_t i = 0; i < a.size(); ++i) {
      if (a[i] != b[i]) {
        errs.push_back(
            field::invalidGo(field::index("spec.clusterIPs", i), value, "may not change once set"));
      }
    }
  } else if (a.size() > b.size()) {
    if (b.empty()) {
      errs.push_back(
          field::invalidGo("spec.clusterIPs[0]", value, "primary clusterIP can not be unset"));
    }
    if (!a.empty() && !b.empty() && a[0] != b[0]) {
      errs.push_back(field::invalidGo("spec.clusterIPs[0]", value, "may not change once set"));
    }
    if (b.size() == 1 && now.ip_family_policy.value_or("") != "SingleStack") {
      errs.push_back(field::invalid("spec.ipFamilyPolicy", policyValue(now),
                                    "must be set to 'SingleStack' when releasing the secondary "
                                    "clusterIP"));
    }
  } else if (!a.empty() && a[0] != b[0]) {
    errs.push_back(field::invalidGo("spec.clusterIPs[0]", value, "may not change once set"));
  }
}

// validateUpgradeDowngradeIPFamilies.
void validateIpFamilyChange(FieldErrors& errs, const ServiceView& now, const ServiceView& old) {
  if (now.type == kExternalName || old.type == kExternalName) return;
  if (now.headless() != old.headless() || now.headless()) return;
  const auto& a = old.ip_families;
  const auto& b = now.ip_families;
  std::string families = field::goStringSlice(b, "[]core.IPFamily");
  std::string ips = field::goStringSlice(now.cluster_ips);
  if (a.size() == b.size()) {
    for (size_t i = 0; i < a.size(); ++i) {
      if (a[i] != b[i]) {
        errs.push_back(field::invalidGo("spec.ipFamilies[0]", families, "may not change once set"));
      }
    }
  } else if (a.size() > b.size()) {
    // kube tests clusterIPs here, not ipFamilies.
    if (now.cluster_ips.empty()) {
      errs.push_back(
          field::invalidGo("spec.ipFamilies[0]", families, "primary ipFamily can not be unset"));
    }
    if (!b.empty() && b[0] != a[0]) {
      errs.push_back(field::invalidGo("spec.ipFamilies[0]", ips, "may not change once set"));
    }
    if (b.size() == 1 && now.ip_family_policy.value_or("") != "SingleStack") {
      errs.push_back(field::invalid("spec.ipFamilyPolicy", policyValue(now),
                                    "must be set to 'SingleStack' when releasing the secondary "
                                    "ipFamily"));
    }
  } else if (!a.empty() && !b.empty() && a[0] != b[0]) {
    errs.push_back(field::invalidGo("spec.ipFamilies[0]", ips, "may not change once set"));
  }
}

}  // namespace

FieldErrors validateService(const json& svc, const json* old) {
  FieldErrors errs = detail::validateMeta(svc, old, {Scope::kNamespaced, nameIsDns1035Label});
  if (old != nullptr) {
    FieldErrors ignored;
    ServiceView now = read(Fields(&svc, "", ignored).sub("spec"));
    ServiceView before = read(Fields(old, "", ignored).sub("spec"));
    validateClusterIpChange(errs, now, before);
    validateIpFamilyChange(errs, now, before);
    // validateServiceExternalTrafficFieldsUpdate.
    auto hc = [&](const json& o) {
      FieldErrors unused;
      return Fields(&o, "", unused).sub("spec").int32("healthCheckNodePort").value_or(0);
    };
    if (now.needsHealthCheck() && before.needsHealthCheck() && hc(svc) != hc(*old)) {
      errs.push_back(field::forbidden("spec.healthCheckNodePort", field::kImmutable));
    }
    if (now.type == kLoadBalancer && before.type == kLoadBalancer &&
        now.load_balancer_class != before.load_balancer_class) {
      json value = now.load_balancer_class ? json(*now.load_balancer_class) : json();
      errs.push_back(field::invalid("spec.loadBalancerClass", value, "may not change once set"));
    }
  }
  detail::append(errs, validateServiceSpec(svc));
  return errs;
}

}  // namespace ferry::api
