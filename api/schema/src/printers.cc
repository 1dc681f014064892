// Row printers for the resources ferry serves. Each function follows the kube-apiserver printer
// of the same name in pkg/printers/internalversion/printers.go (Kubernetes 1.32), including its
// quirks (formatHosts counts host-less rules in "+ N more", formatEndpoints counts every
// address x port pair, ...), because `kubectl get` output is compared against real clusters.
#include "printers.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "json_access.h"

namespace ferry::api::detail {
namespace {

using nlohmann::json;

// Descriptions shared by many columns.
constexpr std::string_view kNameDoc =
    "Name of the object, unique within its namespace (or cluster-wide for cluster-scoped "
    "objects).";
constexpr std::string_view kAgeDoc =
    "Time since the object was created (metadata.creationTimestamp).";

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += sep;
    out += parts[i];
  }
  return out;
}

std::string name(const json& o) {
  return str(path(o, {"metadata", "name"}));
}

std::string age(const json& o, TimePoint now) {
  return translateTimestampSince(path(o, {"metadata", "creationTimestamp"}), now);
}

std::string since(TimePoint t, TimePoint now) {
  return humanDuration(std::chrono::duration_cast<std::chrono::nanoseconds>(now - t));
}

// metav1.Time.IsZero for a serialized time: absent, null or not a valid instant.
bool isZeroTime(const json* t) {
  return t == nullptr || !t->is_string() || !parseTimestamp(t->get_ref<const std::string&>());
}

// Go's strings.TrimSpace, for ASCII whitespace.
std::string trimSpace(std::string s) {
  auto space = [](unsigned char c) { return std::isspace(c) != 0; };
  s.erase(s.begin(), std::find_if_not(s.begin(), s.end(), space));
  s.erase(std::find_if_not(s.rbegin(), s.rend(), space).base(), s.end());
  return s;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// labels.FormatLabels: "k1=v1,k2=v2" sorted by key, "<none>" when empty.
std::string formatLabels(const json* labels) {
  std::vector<std::string> parts;
  if (labels != nullptr && labels->is_object()) {
    for (const auto& [k, v] : labels->items())  // nlohmann objects iterate in key order
      parts.push_back(k + "=" + (v.is_string() ? v.get<std::string>() : std::string()));
  }
  std::string out = join(parts, ",");
  return out.empty() ? "<none>" : out;
}

// net.JoinHostPort.
std::string joinHostPort(const std::string& host, int64_t port) {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

// loadBalancerStatusStringer / ingressLoadBalancerStatusStringer with wide=true (the server
// never truncates): the sorted set of ingress IPs, else hostnames.
std::string loadBalancerIngress(const json* status) {
  std::set<std::string> result;
  for (const auto& ing : items(field(status, "ingress"))) {
    std::string ip = str(field(ing, "ip"));
    std::string hostname = str(field(ing, "hostname"));
    if (!ip.empty()) {
      result.insert(ip);
    } else if (!hostname.empty()) {
      result.insert(hostname);
    }
  }
  return join(std::vector<std::string>(result.begin(), result.end()), ",");
}

std::vector<std::string> strings(const json* list) {
  std::vector<std::string> out;
  for (const auto& v : items(list)) out.push_back(v.is_string() ? v.get<std::string>() : "");
  return out;
}

// ---- services ----

constexpr std::string_view kServiceTypeDoc =
    "How the service is exposed: ClusterIP, NodePort, LoadBalancer or ExternalName.";
constexpr std::string_view kClusterIPDoc =
    "The virtual IP the service is reachable on inside the cluster; None for headless services.";
constexpr std::string_view kExternalIPDoc =
    "Addresses reaching the service from outside the cluster: externalIPs and load-balancer "
    "ingress points.";

constexpr TableColumn kServiceColumns[] = {
    {"Name", "string", "name", kNameDoc, 0},
    {"Type", "string", "", kServiceTypeDoc, 0},
    {"Cluster-IP", "string", "", kClusterIPDoc, 0},
    {"External-IP", "string", "", kExternalIPDoc, 0},
    {"Port(s)", "string", "", "Ports the service exposes, as port[:nodePort]/protocol.", 0},
    {"Age", "string", "", kAgeDoc, 0},
    {"Selector", "string", "", "Labels of the pods that back the service.", 1},
};

std::string serviceExternalIP(const json& svc, const std::string& type) {
  std::vector<std::string> external = strings(path(svc, {"spec", "externalIPs"}));
  if (type == "ClusterIP" || type == "NodePort")
    return external.empty() ? "<none>" : join(external, ",");
  if (type == "LoadBalancer") {
    std::string lb = loadBalancerIngress(path(svc, {"status", "loadBalancer"}));
    if (!external.empty()) {
      std::vector<std::string> results;
      if (!lb.empty()) results.push_back(lb);  // already comma-joined, like kube's Split+Join
      results.insert(results.end(), external.begin(), external.end());
      return join(results, ",");
    }
    return lb.empty() ? "<pending>" : lb;
  }
  if (type == "ExternalName") return str(path(svc, {"spec", "externalName"}));
  return "<unknown>";
}

std::string servicePorts(const json& svc) {
  std::vector<std::string> pieces;
  for (const auto& p : items(path(svc, {"spec", "ports"}))) {
    std::string protocol = str(field(p, "protocol"));
    if (protocol.empty()) protocol = "TCP";
    int64_t port = integer(field(p, "port"));
    int64_t node_port = integer(field(p, "nodePort"));
    if (node_port > 0) {
      pieces.push_back(std::to_string(port) + ":" + std::to_string(node_port) + "/" + protocol);
    } else {
      pieces.push_back(std::to_string(port) + "/" + protocol);
    }
  }
  std::string out = join(pieces, ",");
  return out.empty() ? "<none>" : out;
}

PrintedRow printService(const json& svc, TimePoint now) {
  std::string type = str(path(svc, {"spec", "type"}));
  if (type.empty()) type = "ClusterIP";
  std::string cluster_ip = "<none>";
  const auto& ips = items(path(svc, {"spec", "clusterIPs"}));
  if (!ips.empty()) {
    cluster_ip = str(&ips[0]);
  } else if (auto single = str(path(svc, {"spec", "clusterIP"})); !single.empty()) {
    cluster_ip = single;
  }
  PrintedRow row;
  row.cells = {name(svc),
               type,
               cluster_ip,
               serviceExternalIP(svc, type),
               servicePorts(svc),
               age(svc, now),
               formatLabels(path(svc, {"spec", "selector"}))};
  return row;
}

// ---- endpoints ----

constexpr TableColumn kEndpointsColumns[] = {
    {"Name", "string", "name", kNameDoc, 0},
    {"Endpoints", "string", "", "Ready addresses with their ports (first three).", 0},
    {"Age", "string", "", kAgeDoc, 0},
};

std::string formatEndpoints(const json& ep) {
  const auto& subsets = items(field(ep, "subsets"));
  if (subsets.empty()) return "<none>";
  constexpr size_t kMax = 3;
  std::vector<std::string> list;
  bool more = false;
  size_t count = 0;
  for (const auto& ss : subsets) {
    const auto& addresses = items(field(ss, "addresses"));
    const auto& ports = items(field(ss, "ports"));
    if (ports.empty()) {
      // Headless services may have no ports.
      count += addresses.size();
      for (const auto& a : addresses) {
        if (list.size() == kMax) {
          more = true;
          break;
        }
        list.push_back(str(field(a, "ip")));
      }
      continue;
    }
    for (const auto& port : ports) {
      count += addresses.size();
      for (const auto& a : addresses) {
        if (list.size() == kMax) {
          more = true;
          break;
        }
        list.push_back(joinHostPort(str(field(a, "ip")), integer(field(port, "port"))));
      }
    }
  }
  std::string ret = join(list, ",");
  if (more) return ret + " + " + std::to_string(count - kMax) + " more...";
  return ret;
}

PrintedRow printEndpoints(const json& ep, TimePoint now) {
  PrintedRow row;
  row.cells = {name(ep), formatEndpoints(ep), age(ep, now)};
  return row;
}

// ---- endpointslices ----

constexpr TableColumn kEndpointSliceColumns[] = {
    {"Name", "string", "name", kNameDoc, 0},
    {"AddressType", "string", "", "Address family of the endpoints: IPv4, IPv6 or FQDN.", 0},
    {"Ports", "string", "", "Ports of the slice (first three).", 0},
    {"Endpoints", "string", "", "Addresses in the slice (first three).", 0},
    {"Age", "string", "", kAgeDoc, 0},
};

std::string listWithMore(const std::vector<std::string>& list, bool more, size_t count,
                         size_t max) {
  std::string ret = join(list, ",");
  if (more) return ret + " + " + std::to_string(count - max) + " more...";
  return ret.empty() ? "<unset>" : ret;
}

PrintedRow printEndpointSlice(const json& slice, TimePoint now) {
  constexpr size_t kMax = 3;
  std::vector<std::string> ports;
  bool more_ports = false;
  size_t port_count = 0;
  for (const auto& p : items(field(slice, "ports"))) {
    if (ports.size() < kMax) {
      std::string value = "*";
      if (const json* num = field(p, "port")) {
        value = std::to_string(integer(num));
      } else if (const json* port_name = field(p, "name")) {
        value = str(port_name);
      }
      ports.push_back(value);
    } else if (ports.size() == kMax) {
      more_ports = true;
    }
    ++port_count;
  }
  std::vector<std::string> addresses;
  bool more_addresses = false;
  size_t address_count = 0;
  for (const auto& e : items(field(slice, "endpoints"))) {
    for (const auto& a : items(field(e, "addresses"))) {
      if (addresses.size() < kMax) {
        addresses.push_back(str(&a));
      } else if (addresses.size() == kMax) {
        more_addresses = true;
      }
      ++address_count;
    }
  }
  PrintedRow row;
  row.cells = {name(slice), str(field(slice, "addressType")),
               listWithMore(ports, more_ports, port_count, kMax),
               listWithMore(addresses, more_addresses, address_count, kMax), age(slice, now)};
  return row;
}

// ---- pods ----

constexpr TableColumn kPodColumns[] = {
    {"Name", "string", "name", kNameDoc, 0},
    {"Ready", "string", "", "Ready containers out of all containers (sidecars included).", 0},
    {"Status", "string", "", "Summary of the pod's phase and its containers' states.", 0},
    {"Restarts", "string", "", "Container restarts, with the time since the last one.", 0},
    {"Age", "string", "", kAgeDoc, 0},
    {"IP", "string", "", "The pod's primary IP address.", 1},
    {"Node", "string", "", "The node the pod is bound to.", 1},
    {"Nominated Node", "string", "", "The node the scheduler nominated while preempting.", 1},
    {"Readiness Gates", "string", "", "Readiness gates that are true, out of all gates.", 1},
};

bool conditionTrue(const json& pod, std::string_view type) {
  for (const auto& c : items(path(pod, {"status", "conditions"})))
    if (str(field(c, "type")) == type && str(field(c, "status")) == "True") return true;
  return false;
}

// isPodInitializedConditionTrue: the first Initialized condition decides.
bool initializedTrue(const json& pod) {
  for (const auto& c : items(path(pod, {"status", "conditions"})))
    if (str(field(c, "type")) == "Initialized") return str(field(c, "status")) == "True";
  return false;
}

// Later of `current` and the container's last termination; an unset time never wins, like
// metav1.Time.Before against the zero time.
void noteRestart(std::optional<TimePoint>& current, const json& status) {
  const json* terminated = path(status, {"lastState", "terminated"});
  if (terminated == nullptr) return;
  const json* finished = field(terminated, "finishedAt");
  if (finished == nullptr || !finished->is_string()) return;
  auto t = parseTimestamp(finished->get_ref<const std::string&>());
  if (t && (!current || *current < *t)) current = t;
}

// "<prefix><reason>", or the signal or exit code when the runtime gave no reason.
std::string terminatedReason(const json& terminated, const std::string& prefix) {
  std::string reason = str(field(terminated, "reason"));
  if (!reason.empty()) return prefix + reason;
  int64_t signal = integer(field(terminated, "signal"));
  if (signal != 0) return prefix + "Signal:" + std::to_string(signal);
  return prefix + "ExitCode:" + std::to_string(integer(field(terminated, "exitCode")));
}

PrintedRow printPod(const json& pod, TimePoint now) {
  const json* spec = field(pod, "spec");
  const json* status = field(pod, "status");
  int64_t restarts = 0;
  int64_t restartable_init_restarts = 0;
  size_t total = items(field(spec, "containers")).size();
  int64_t ready = 0;
  std::optional<TimePoint> last_restart;
  std::optional<TimePoint> last_restartable_init_restart;

  std::string phase = str(field(status, "phase"));
  std::string reason = phase;
  if (auto r = str(field(status, "reason")); !r.empty()) reason = r;

  for (const auto& c : items(field(status, "conditions"))) {
    if (str(field(c, "type")) == "PodScheduled" && str(field(c, "reason")) == "SchedulingGated")
      reason = "SchedulingGated";
  }

  PrintedRow row;
  if (phase == "Succeeded") {
    row.conditions = json::array({{{"type", "Completed"},
                                   {"status", "True"},
                                   {"reason", "Succeeded"},
                                   {"message", "The pod has completed successfully."}}});
  } else if (phase == "Failed") {
    row.conditions = json::array({{{"type", "Completed"},
                                   {"status", "True"},
                                   {"reason", "Failed"},
                                   {"message", "The pod failed."}}});
  }

  // Sidecars (KEP-753): init containers with restartPolicy Always count as containers.
  const auto& init_specs = items(field(spec, "initContainers"));
  auto restartable = [&](const std::string& container) {
    for (const auto& c : init_specs)
      if (str(field(c, "name")) == container) return str(field(c, "restartPolicy")) == "Always";
    return false;
  };
  for (const auto& c : init_specs)
    if (str(field(c, "restartPolicy")) == "Always") ++total;

  bool initializing = false;
  const auto& init_statuses = items(field(status, "initContainerStatuses"));
  for (size_t i = 0; i < init_statuses.size(); ++i) {
    const json& c = init_statuses[i];
    const std::string cname = str(field(c, "name"));
    restarts += integer(field(c, "restartCount"));
    noteRestart(last_restart, c);
    if (restartable(cname)) {
      restartable_init_restarts += integer(field(c, "restartCount"));
      noteRestart(last_restartable_init_restart, c);
    }
    const json* terminated = path(c, {"state", "terminated"});
    const json* waiting = path(c, {"state", "waiting"});
    if (terminated != nullptr && integer(field(terminated, "exitCode")) == 0) continue;
    if (restartable(cname) && boolean(field(c, "started"))) {
      if (boolean(field(c, "ready"))) ++ready;
      continue;
    }
    if (terminated != nullptr) {
      reason = terminatedReason(*terminated, "Init:");
    } else if (waiting != nullptr && !str(field(waiting, "reason")).empty() &&
               str(field(waiting, "reason")) != "PodInitializing") {
      reason = "Init:" + str(field(waiting, "reason"));
    } else {
      reason = "Init:" + std::to_string(i) + "/" + std::to_string(init_specs.size());
    }
    initializing = true;
    break;
  }

  if (!initializing || initializedTrue(pod)) {
    restarts = restartable_init_restarts;
    last_restart = last_restartable_init_restart;
    bool has_running = false;
    const auto& statuses = items(field(status, "containerStatuses"));
    for (size_t n = statuses.size(); n-- > 0;) {
      const json& c = statuses[n];
      restarts += integer(field(c, "restartCount"));
      noteRestart(last_restart, c);
      const json* waiting = path(c, {"state", "waiting"});
      const json* terminated = path(c, {"state", "terminated"});
      if (waiting != nullptr && !str(field(waiting, "reason")).empty()) {
        reason = str(field(waiting, "reason"));
      } else if (terminated != nullptr) {
        reason = terminatedReason(*terminated, "");
      } else if (boolean(field(c, "ready")) && path(c, {"state", "running"}) != nullptr) {
        has_running = true;
        ++ready;
      }
    }
    // A pod whose containers report Completed while one still runs is shown as running.
    if (reason == "Completed" && has_running)
      reason = conditionTrue(pod, "Ready") ? "Running" : "NotReady";
  }

  if (path(pod, {"metadata", "deletionTimestamp"}) != nullptr) {
    if (str(field(status, "reason")) == "NodeLost") {
      reason = "Unknown";
    } else if (phase != "Succeeded" && phase != "Failed") {
      reason = "Terminating";
    }
  }

  std::string restarts_text = std::to_string(restarts);
  if (restarts != 0 && last_restart) restarts_text += " (" + since(*last_restart, now) + " ago)";

  std::string pod_ip;
  const auto& pod_ips = items(field(status, "podIPs"));
  if (!pod_ips.empty()) {
    pod_ip = str(field(pod_ips[0], "ip"));
  } else {
    pod_ip = str(field(status, "podIP"));
  }
  std::string node = str(field(spec, "nodeName"));
  std::string nominated = str(field(status, "nominatedNodeName"));

  std::string gates = "<none>";
  const auto& readiness_gates = items(field(spec, "readinessGates"));
  if (!readiness_gates.empty()) {
    size_t true_conditions = 0;
    for (const auto& gate : readiness_gates) {
      std::string type = str(field(gate, "conditionType"));
      for (const auto& c : items(field(status, "conditions"))) {
        if (str(field(c, "type")) != type) continue;
        if (str(field(c, "status")) == "True") ++true_conditions;
        break;
      }
    }
    gates = std::to_string(true_conditions) + "/" + std::to_string(readiness_gates.size());
  }

  row.cells = {name(pod),
               std::to_string(ready) + "/" + std::to_string(total),
               reason,
               restarts_text,
               age(pod, now),
               pod_ip.empty() ? "<none>" : pod_ip,
               node.empty() ? "<none>" : node,
               nominated.empty() ? "<none>" : nominated,
               gates};
  return row;
}

// ---- namespaces ----

constexpr TableColumn kNamespaceColumns[] = {
    {"Name", "string", "name", kNameDoc, 0},
    {"Status", "string", "", "Lifecycle phase of the namespace: Active or Terminating.", 0},
    {"Age", "string", "", kAgeDoc, 0},
};

PrintedRow printNamespace(const json& ns, TimePoint now) {
  std::string phase = str(path(ns, {"status", "phase"}));
  PrintedRow row;
  row.cells = {name(ns), phase.empty() ? "Active" : phase, age(ns, now)};
  return row;
}

// ---- nodes ----

constexpr TableColumn kNodeColumns[] = {
    {"Name", "string", "name", kNameDoc, 0},
    {"Status", "string", "", "Readiness of the node, and whether it accepts new pods.", 0},
    {"Roles", "string", "", "Roles taken from node-role.kubernetes.io/<role> labels.", 0},
    {"Age", "string", "", kAgeDoc, 0},
    {"Version", "string", "", "Version of the kubelet on the node.", 0},
    {"Internal-IP", "string", "", "The node's first InternalIP address.", 1},
    {"External-IP", "string", "", "The node's first ExternalIP address.", 1},
    {"OS-Image", "string", "", "Operating system image reported by the node.", 1},
    {"Kernel-Version", "string", "", "Kernel version reported by the node.", 1},
    {"Container-Runtime", "string", "", "Container runtime name and version on the node.", 1},
};

std::string nodeAddress(const json& node, std::string_view type) {
  for (const auto& a : items(path(node, {"status", "addresses"})))
    if (str(field(a, "type")) == type) return str(field(a, "address"));
  return "<none>";
}

PrintedRow printNode(const json& node, TimePoint now) {
  std::vector<std::string> status;
  // Only the Ready condition counts; with duplicates the last one wins, as in kube's map.
  const json* ready = nullptr;
  for (const auto& c : items(path(node, {"status", "conditions"})))
    if (str(field(c, "type")) == "Ready") ready = &c;
  if (ready != nullptr)
    status.emplace_back(str(field(ready, "status")) == "True" ? "Ready" : "NotReady");
  if (status.empty()) status.emplace_back("Unknown");
  if (boolean(path(node, {"spec", "unschedulable"}))) status.emplace_back("SchedulingDisabled");

  constexpr std::string_view kRolePrefix = "node-role.kubernetes.io/";
  std::set<std::string> roles;
  if (const json* labels = path(node, {"metadata", "labels"}); labels && labels->is_object()) {
    for (const auto& [k, v] : labels->items()) {
      if (k.starts_with(kRolePrefix)) {
        if (k.size() > kRolePrefix.size()) roles.insert(k.substr(kRolePrefix.size()));
      } else if (k == "kubernetes.io/role" && v.is_string() && !v.get<std::string>().empty()) {
        roles.insert(v.get<std::string>());
      }
    }
  }
  std::string role_text = join(std::vector<std::string>(roles.begin(), roles.end()), ",");

  const json* info = path(node, {"status", "nodeInfo"});
  auto orUnknown = [](const std::string& s) { return s.empty() ? std::string("<unknown>") : s; };
  PrintedRow row;
  row.cells = {name(node),
               join(status, ","),
               role_text.empty() ? "<none>" : role_text,
               age(node, now),
               str(field(info, "kubeletVersion")),
               nodeAddress(node, "InternalIP"),
               nodeAddress(node, "ExternalIP"),
               orUnknown(str(field(info, "osImage"))),
               orUnknown(str(field(info, "kernelVersion"))),
               orUnknown(str(field(info, "containerRuntimeVersion")))};
  return row;
}

// ---- secrets, configmaps ----

constexpr TableColumn kSecretColumns[] = {
    {"Name", "string", "name", kNameDoc, 0},
    {"Type", "string", "", "Type of the secret's content, e.g. Opaque or kubernetes.io/tls.", 0},
    {"Data", "string", "", "Number of keys in the secret.", 0},
    {"Age", "string", "", kAgeDoc, 0},
};

PrintedRow printSecret(const json& secret, TimePoint now) {
  std::string type = str(field(secret, "type"));
  // kube-apiserver merges stringData into data on write; count both for objects not yet merged.
  std::set<std::string> keys;
  for (const char* f : {"data", "stringData"}) {
    if (const json* m = field(secret, f); m && m->is_object())
      for (const auto& [k, v] : m->items()) keys.insert(k);
  }
  PrintedRow row;
  row.cells = {name(secret), type.empty() ? "Opaque" : type, static_cast<int64_t>(keys.size()),
               age(secret, now)};
  return row;
}

constexpr TableColumn kConfigMapColumns[] = {
    {"Name", "string", "name", kNameDoc, 0},
    {"Data", "string", "", "Number of keys in data and binaryData.", 0},
    {"Age", "string", "", kAgeDoc, 0},
};

PrintedRow printConfigMap(const json& cm, TimePoint now) {
  PrintedRow row;
  row.cells = {name(cm),
               static_cast<int64_t>(members(field(cm, "data")) + members(field(cm, "binaryData"))),
               age(cm, now)};
  return row;
}

// ---- events ----

constexpr TableColumn kEventColumns[] = {
    {"Last Seen", "string", "", "Time since the event was last observed.", 0},
    {"Type", "string", "", "Normal or Warning.", 0},
    {"Reason", "string", "", "Short machine-readable reason for the event.", 0},
    {"Object", "string", "", "The object the event is about, as kind/name.", 0},
    {"Subobject", "string", "", "Part of the object the event is about (fieldPath).", 1},
    {"Source", "string", "", "Component (and host) that reported the event.", 1},
    {"Message", "string", "", "Human-readable description of the event.", 0},
    {"First Seen", "string", "", "Time since the event was first observed.", 1},
    {"Count", "string", "", "Number of times the event occurred.", 1},
    {"Name", "string", "name", kNameDoc, 1},
};

PrintedRow printEvent(const json& ev, TimePoint now) {
  std::string first = translateTimestampSince(field(ev, "firstTimestamp"), now);
  if (isZeroTime(field(ev, "firstTimestamp")))
    first = translateTimestampSince(field(ev, "eventTime"), now);
  std::string last = translateTimestampSince(field(ev, "lastTimestamp"), now);
  if (isZeroTime(field(ev, "lastTimestamp"))) last = first;
  int64_t count = integer(field(ev, "count"));
  if (const json* series = field(ev, "series")) {
    last = translateTimestampSince(field(series, "lastObservedTime"), now);
    count = integer(field(series, "count"));
  } else if (count == 0) {
    count = 1;  // singleton events from events.k8s.io carry no count
  }
  const json* involved = field(ev, "involvedObject");
  std::string target = lower(str(field(involved, "kind")));
  if (auto n = str(field(involved, "name")); !n.empty()) target += "/" + n;

  std::string component = str(path(ev, {"source", "component"}));
  if (component.empty()) component = str(field(ev, "reportingComponent"));
  std::string host = str(path(ev, {"source", "host"}));
  if (host.empty()) host = str(field(ev, "reportingInstance"));
  std::string source = host.empty() ? component : component + ", " + host;

  PrintedRow row;
  row.cells = {last,
               str(field(ev, "type")),
               str(field(ev, "reason")),
               target,
               str(field(involved, "fieldPath")),
               source,
               trimSpace(str(field(ev, "message"))),
               first,
               count,
               name(ev)};
  return row;
}

// ---- ingresses, ingressclasses ----

constexpr TableColumn kIngressColumns[] = {
    {"Name", "string", "name", kNameDoc, 0},
    {"Class", "string", "", "The IngressClass that handles this ingress.", 0},
    {"Hosts", "string", "", "Hosts the rules match (first three); * when no rule names one.", 0},
    {"Address", "string", "", "Load-balancer addresses the controller reported.", 0},
    {"Ports", "string", "", "Ports served: 80, plus 443 when TLS is configured.", 0},
    {"Age", "string", "", kAgeDoc, 0},
};

std::string formatHosts(const json& ing) {
  const auto& rules = items(path(ing, {"spec", "rules"}));
  constexpr size_t kMax = 3;
  std::vector<std::string> list;
  bool more = false;
  for (const auto& rule : rules) {
    if (list.size() == kMax) more = true;
    std::string host = str(field(rule, "host"));
    if (!more && !host.empty()) list.push_back(host);
  }
  if (list.empty()) return "*";
  std::string ret = join(list, ",");
  if (more) return ret + " + " + std::to_string(rules.size() - kMax) + " more...";
  return ret;
}

PrintedRow printIngress(const json& ing, TimePoint now) {
  const json* class_name = path(ing, {"spec", "ingressClassName"});
  PrintedRow row;
  row.cells = {name(ing),
               class_name != nullptr ? str(class_name) : "<none>",
               formatHosts(ing),
               loadBalancerIngress(path(ing, {"status", "loadBalancer"})),
               items(path(ing, {"spec", "tls"})).empty() ? "80" : "80, 443",
               age(ing, now)};
  return row;
}

constexpr TableColumn kIngressClassColumns[] = {
    {"Name", "string", "name", kNameDoc, 0},
    {"Controller", "string", "", "The controller that implements this class.", 0},
    {"Parameters", "string", "", "Resource holding controller-specific parameters.", 0},
    {"Age", "string", "", kAgeDoc, 0},
};

PrintedRow printIngressClass(const json& ic, TimePoint now) {
  std::string parameters = "<none>";
  if (const json* p = path(ic, {"spec", "parameters"})) {
    parameters = str(field(p, "kind"));
    if (const json* group = field(p, "apiGroup")) parameters += "." + str(group);
    parameters += "/" + str(field(p, "name"));
  }
  PrintedRow row;
  row.cells = {name(ic), str(path(ic, {"spec", "controller"})), parameters, age(ic, now)};
  return row;
}

// ---- default (rest.DefaultTableConvertor) ----

constexpr TableColumn kDefaultColumns[] = {
    {"Name", "string", "name", kNameDoc, 0},
    {"Created At", "date", "", "Time the object was created (metadata.creationTimestamp).", 0},
};

PrintedRow printDefault(const json& o, TimePoint /*now*/) {
  const json* created = path(o, {"metadata", "creationTimestamp"});
  auto t =
      created && created->is_string() ? parseTimestamp(created->get<std::string>()) : std::nullopt;
  PrintedRow row;
  row.cells = {name(o), t ? json(formatTimestamp(*t)) : json(nullptr)};
  return row;
}

struct Entry {
  std::string_view group;
  std::string_view plural;
  Printer printer;
};

const Entry kPrinters[] = {
    {"", "services", {kServiceColumns, printService}},
    {"", "endpoints", {kEndpointsColumns, printEndpoints}},
    {"", "pods", {kPodColumns, printPod}},
    {"", "namespaces", {kNamespaceColumns, printNamespace}},
    {"", "nodes", {kNodeColumns, printNode}},
    {"", "secrets", {kSecretColumns, printSecret}},
    {"", "configmaps", {kConfigMapColumns, printConfigMap}},
    {"", "events", {kEventColumns, printEvent}},
    {"discovery.k8s.io", "endpointslices", {kEndpointSliceColumns, printEndpointSlice}},
    {"networking.k8s.io", "ingresses", {kIngressColumns, printIngress}},
    {"networking.k8s.io", "ingressclasses", {kIngressClassColumns, printIngressClass}},
};

const Printer kDefaultPrinter{kDefaultColumns, printDefault};

}  // namespace

const Printer& printerFor(std::string_view group, std::string_view plural) {
  for (const auto& e : kPrinters)
    if (e.group == group && e.plural == plural) return e.printer;
  return kDefaultPrinter;
}

}  // namespace ferry::api::detail
