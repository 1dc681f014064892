#include "ferry/controlplane/node_registrar.h"

#include <chrono>

#include "ferry/api/resources.h"
#include "ferry/controlplane/api_server.h"

namespace ferry::controlplane {
namespace {

json readyCondition(const std::string& now, const json* previous) {
  // lastTransitionTime moves only when the status changes (as the kubelet reports it).
  std::string since = now;
  if (previous && previous->value("status", "") == "True")
    since = previous->value("lastTransitionTime", now);
  return {{"type", "Ready"},
          {"status", "True"},
          {"reason", "FerryAgentReady"},
          {"message", "ferry-agent is posting ready status"},
          {"lastHeartbeatTime", now},
          {"lastTransitionTime", since}};
}

}  // namespace

ApiResult<std::string> NodeRegistrar::heartbeat(const NodeHeartbeatInfo& info) {
  const ResourceInfo nodes = resourceInfo(*api::findResource("", "v1", "nodes"));
  const std::string now = rfc3339(std::chrono::system_clock::now());
  json addresses = json::array();
  for (const auto& [type, address] : info.addresses)
    addresses.push_back({{"type", type}, {"address", address}});

  auto existing = storage_.get(nodes, "", info.name);
  if (!existing.ok() && existing.status().code != 404) return existing.status();
  if (!existing.ok()) {
    json labels = {{"kubernetes.io/hostname", info.name}, {"kubernetes.io/os", "linux"}};
    for (const auto& [k, v] : info.labels) labels[k] = v;
    json node = {{"apiVersion", "v1"},
                 {"kind", "Node"},
                 {"metadata", {{"name", info.name}, {"labels", labels}}},
                 {"spec", json::object()}};
    if (!info.pod_cidrs.empty()) {
      node["spec"]["podCIDR"] = info.pod_cidrs.front();
      node["spec"]["podCIDRs"] = info.pod_cidrs;
    }
    auto created = storage_.create(nodes, "", node, admission_.admitFor(nodes, ""));
    if (!created.ok() && created.status().code != 409) return created.status();
  } else if (!info.labels.empty()) {
    auto labelled = storage_.update(nodes, "", info.name, json(), admission_.admitFor(nodes, ""),
                                    [&](const json& cur) -> ApiResult<json> {
                                      json next = cur;
                                      for (const auto& [k, v] : info.labels)
                                        next["metadata"]["labels"][k] = v;
                                      return next;
                                    });
    if (!labelled.ok()) return labelled.status();
  }
  // Status through the status subresource, as a kubelet posts it.
  auto updated = storage_.update(
      nodes, "", info.name, json(), admission_.admitFor(nodes, "status"),
      [&](const json& cur) -> ApiResult<json> {
        json next = cur;
        json& status = next["status"];
        if (!addresses.empty()) status["addresses"] = addresses;
        const json* prev_ready = nullptr;
        if (status.contains("conditions") && status["conditions"].is_array())
          for (const auto& c : status["conditions"])
            if (c.value("type", "") == "Ready") prev_ready = &c;
        json conditions = json::array({readyCondition(now, prev_ready)});
        status["conditions"] = conditions;
        if (!info.agent_version.empty())
          status["nodeInfo"]["kubeProxyVersion"] = "ferry-agent/" + info.agent_version;
        return next;
      });
  if (!updated.ok()) return updated.status();
  return (*updated)["metadata"].value("resourceVersion", "");
}

}  // namespace ferry::controlplane
