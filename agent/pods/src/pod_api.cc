#include "ferry/agent/pods/pod_api.h"

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <nlohmann/json.hpp>

#include "ferry/agent/pods/subprocess.h"

namespace ferry::agent::pods {
namespace {

using nlohmann::json;

std::string nowRfc3339() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string failure(const std::vector<std::string>& argv, const CommandOutput& r) {
  std::string msg = r.err.empty() ? r.out : r.err;
  while (!msg.empty() && msg.back() == '\n') msg.pop_back();
  return formatCommand(argv) + ": " + (msg.empty() ? "exit " + std::to_string(r.status) : msg);
}

}  // namespace

std::string podManifest(const PodSpec& spec) {
  json ports = json::array();
  for (const auto& p : spec.ports) {
    json port = {{"containerPort", p.port}, {"protocol", p.protocol}};
    if (!p.name.empty()) port["name"] = p.name;
    ports.push_back(port);
  }
  json container = {{"name", spec.name}, {"image", "ferry.local/process"}};
  if (!spec.command.empty()) container["command"] = spec.command;
  if (!ports.empty()) container["ports"] = ports;
  json meta = {{"name", spec.name}, {"namespace", spec.namespace_}};
  if (!spec.labels.empty()) meta["labels"] = spec.labels;
  json pod = {{"apiVersion", "v1"},
              {"kind", "Pod"},
              {"metadata", meta},
              {"spec", {{"nodeName", spec.node}, {"containers", json::array({container})}}}};
  return pod.dump();
}

std::string podStatusPatch(const std::string& container_name, const std::string& pod_ip,
                           const std::string& host_ip, bool ready, const std::string& now) {
  const std::string r = ready ? "True" : "False";
  json conditions = json::array({
      {{"type", "PodScheduled"}, {"status", "True"}, {"lastTransitionTime", now}},
      {{"type", "Initialized"}, {"status", "True"}, {"lastTransitionTime", now}},
      {{"type", "ContainersReady"}, {"status", r}, {"lastTransitionTime", now}},
      {{"type", "Ready"}, {"status", r}, {"lastTransitionTime", now}},
  });
  // kubectl's READY column counts ready containers: one, the pod's process.
  json container = {{"name", container_name},
                    {"ready", ready},
                    {"started", true},
                    {"restartCount", 0},
                    {"image", "ferry.local/process"},
                    {"imageID", ""},
                    {"state", {{"running", {{"startedAt", now}}}}}};
  json status = {{"phase", "Running"},
                 {"podIP", pod_ip},
                 {"podIPs", json::array({{{"ip", pod_ip}}})},
                 {"conditions", conditions},
                 {"containerStatuses", json::array({container})}};
  if (!host_ip.empty()) {
    status["hostIP"] = host_ip;
    status["hostIPs"] = json::array({{{"ip", host_ip}}});
  }
  return json{{"status", status}}.dump();
}

std::vector<PodSummary> parsePodList(const std::string& text) {
  std::vector<PodSummary> out;
  auto j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.contains("items") || !j["items"].is_array()) return out;
  for (const auto& item : j["items"]) {
    PodSummary s;
    const json meta = item.value("metadata", json::object());
    const json spec = item.value("spec", json::object());
    const json status = item.value("status", json::object());
    s.namespace_ = meta.value("namespace", "");
    s.name = meta.value("name", "");
    s.node = spec.value("nodeName", "");
    s.ip = status.value("podIP", "");
    s.phase = status.value("phase", "");
    for (const auto& c : status.value("conditions", json::array()))
      if (c.value("type", "") == "Ready") s.ready = c.value("status", "") == "True";
    out.push_back(s);
  }
  return out;
}

std::vector<std::string> PodApi::kubectl(std::vector<std::string> args) const {
  const char* bin = std::getenv("FERRY_KUBECTL");  // NOLINT(concurrency-mt-unsafe): no setenv
  std::vector<std::string> argv = {bin && *bin ? bin : "kubectl"};
  if (!kubeconfig_.empty()) argv.insert(argv.end(), {"--kubeconfig", kubeconfig_});
  if (!context_.empty()) argv.insert(argv.end(), {"--context", context_});
  argv.insert(argv.end(), {"--request-timeout", "10s"});
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

api::Result<bool> PodApi::create(const PodSpec& spec) const {
  auto argv = kubectl({"create", "-o", "name", "-f", "-"});
  auto r = runCommand(argv, podManifest(spec));
  if (!r.ok()) return api::Error{failure(argv, r)};
  return true;
}

api::Result<bool> PodApi::setStatus(const PodSpec& spec, const std::string& pod_ip,
                                    const std::string& host_ip, bool ready) const {
  auto argv = kubectl(
      {"patch", "pod", spec.name, "-n", spec.namespace_, "--subresource=status", "--type=merge",
       "-p", podStatusPatch(spec.name, pod_ip, host_ip, ready, nowRfc3339()), "-o", "name"});
  auto r = runCommand(argv);
  // The command without its JSON body: the error is what matters.
  if (!r.ok()) {
    return api::Error{failure(
        {"kubectl", "patch", "pod", spec.name, "-n", spec.namespace_, "--subresource=status"}, r)};
  }
  return true;
}

api::Result<bool> PodApi::remove(const std::string& ns, const std::string& name) const {
  auto argv = kubectl({"delete", "pod", name, "-n", ns, "--ignore-not-found", "--wait=false"});
  auto r = runCommand(argv);
  if (!r.ok()) return api::Error{failure(argv, r)};
  return true;
}

api::Result<bool> PodApi::exists(const std::string& ns, const std::string& name) const {
  auto argv = kubectl({"get", "pod", name, "-n", ns, "--ignore-not-found", "-o", "name"});
  auto r = runCommand(argv);
  if (!r.ok()) return api::Error{failure(argv, r)};
  return r.out.find("pod/") != std::string::npos;
}

api::Result<std::vector<PodSummary>> PodApi::list(const std::string& ns) const {
  auto argv = ns.empty() ? kubectl({"get", "pods", "-A", "-o", "json"})
                         : kubectl({"get", "pods", "-n", ns, "-o", "json"});
  auto r = runCommand(argv);
  if (!r.ok()) return api::Error{failure(argv, r)};
  return parsePodList(r.out);
}

}  // namespace ferry::agent::pods
