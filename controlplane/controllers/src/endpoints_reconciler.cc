#include "ferry/controllers/endpoints_reconciler.h"

#include <algorithm>

#include "endpoints_subsets.h"
#include "pod_facts.h"

namespace ferry::controlplane {
namespace {

using detail::AddressPort;
using detail::EndpointSubset;
using detail::Json;
using detail::StringMap;

// The Service's labels, plus the headless marker for Services without a cluster IP.
StringMap endpointsLabels(const detail::ServiceFacts& svc) {
  StringMap labels = svc.labels;
  if (!svc.ip_set) {
    labels[std::string(kLabelHeadless)] = "";
  } else {
    labels.erase(std::string(kLabelHeadless));
  }
  return labels;
}

void setAnnotation(Json& metadata, std::string_view key, const std::optional<std::string>& value) {
  if (value) {
    if (!metadata["annotations"].is_object()) {
      metadata["annotations"] = Json::object();
    }
    metadata["annotations"][std::string(key)] = *value;
    return;
  }
  auto it = metadata.find("annotations");
  if (it == metadata.end()) {
    return;
  }
  if (it->is_object()) {
    it->erase(std::string(key));
  }
  if (!it->is_object() || it->empty()) {
    metadata.erase(it);
  }
}

}  // namespace

EndpointsResult reconcileEndpoints(const Json& service, const std::vector<Json>& pods,
                                   const Json& existing, const EndpointsOptions& options) {
  EndpointsResult out;
  auto svc = detail::readService(service, out.warnings);
  out.skip_reason = detail::selectorControllerSkipReason(svc);
  if (!out.skip_reason.empty()) return out;

  std::vector<AddressPort> entries;
  for (const Json& pod : pods) {
    auto p = detail::readPod(pod, *svc, out.warnings);
    if (!p || !detail::shouldPodBeInEndpoints(*p, svc->publish_not_ready)) {
      continue;
    }
    // Endpoints are single-stack: the address of the Service's primary family. A pod without
    // one (single-stack pod, dual-stack Service) is left out, as kube does.
    detail::IpFamily family = detail::endpointsFamily(*svc, *p);
    auto ip = std::find_if(p->ips.begin(), p->ips.end(),
                           [&](const detail::IpAddress& a) { return a.family == family; });
    if (ip == p->ips.end()) {
      continue;
    }
    detail::EndpointAddress address{ip->toString(), p->hostname_set ? p->hostname : "",
                                    p->node_name, detail::podTargetRef(*p)};
    bool ready = svc->publish_not_ready || p->ready;
    if (svc->ports.empty()) {
      // Headless Services may have no ports: their addresses are listed without any.
      if (svc->cluster_ip == "None") {
        entries.push_back(AddressPort{address, ready, std::nullopt});
      }
      continue;
    }
    for (const detail::SlicePort& port : detail::podPorts(*p, *svc)) {
      entries.push_back(AddressPort{address, ready, port});
    }
  }
  std::vector<EndpointSubset> subsets = detail::repackSubsets(entries);
  bool truncated =
      detail::truncateSubsets(subsets, static_cast<size_t>(std::max(1, options.max_addresses)));
  StringMap labels = endpointsLabels(*svc);
  std::optional<std::string> capacity;
  if (truncated) {
    capacity = std::string(kOverCapacityTruncated);
  }

  if (!existing.is_null()) {
    std::string where = detail::describe("endpoints", existing);
    auto have = detail::subsetsFromJson(
        detail::member(existing, "subsets") ? *detail::member(existing, "subsets") : Json(), where,
        out.warnings);
    StringMap have_labels = detail::labelsOf(existing);
    have_labels.erase(std::string(kLabelHeadless));
    StringMap have_annotations = detail::annotationsOf(existing);
    auto have_capacity = have_annotations.find(std::string(kAnnotationOverCapacity));
    bool capacity_ok = truncated ? (have_capacity != have_annotations.end() &&
                                    have_capacity->second == kOverCapacityTruncated)
                                 : have_capacity == have_annotations.end();
    if (existing.is_object() && have && detail::subsetsEqual(*have, subsets) &&
        have_labels == svc->labels && capacity_ok) {
      return out;
    }
  }

  Json obj;
  if (existing.is_object()) {
    out.action = EndpointsResult::Action::kUpdate;
    obj = existing;
    const Json* m = detail::member(existing, "metadata");
    if (m == nullptr || !m->is_object()) {
      out.warnings.push_back("endpoints " + svc->name + ": metadata is not an object; rebuilt");
      obj["metadata"] = Json{{"name", svc->name}, {"namespace", svc->ns}};
    }
  } else {
    if (!existing.is_null()) {
      out.warnings.emplace_back("endpoints: the existing object is not an object; ignored");
    }
    out.action = EndpointsResult::Action::kCreate;
    obj = Json{{"apiVersion", "v1"},
               {"kind", "Endpoints"},
               {"metadata", {{"name", svc->name}, {"namespace", svc->ns}}}};
  }
  Json& metadata = obj["metadata"];
  metadata["labels"] = detail::toJson(labels);
  if (labels.empty()) {
    metadata.erase("labels");
  }
  setAnnotation(metadata, kAnnotationLastChangeTriggerTime, options.trigger_time);
  setAnnotation(metadata, kAnnotationOverCapacity, capacity);
  if (subsets.empty()) {
    obj.erase("subsets");
  } else {
    obj["subsets"] = detail::toJson(subsets);
  }
  out.endpoints = std::move(obj);
  return out;
}

}  // namespace ferry::controlplane
