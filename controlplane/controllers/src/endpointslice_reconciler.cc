#include "ferry/controllers/endpointslice_reconciler.h"

#include <algorithm>

#include "ferry/controllers/object_equality.h"
#include "pod_facts.h"
#include "slice_objects.h"
#include "slice_placement.h"

namespace ferry::controlplane {
namespace {

using detail::ExistingSlice;
using detail::IpFamily;
using detail::Json;
using detail::PodFacts;
using detail::ServiceFacts;
using detail::SliceEndpoint;
using detail::SlicePort;
using detail::StringMap;

// A pod that belongs in the slices, with what does not depend on the address type.
struct PodEntry {
  PodFacts facts;
  std::vector<SlicePort> ports;
  std::string port_key;
  std::optional<std::string> zone;
};

bool isReservedLabel(const std::string& key) {
  return key == kLabelServiceName || key == kLabelManagedBy || key == kLabelHeadless;
}

StringMap withoutReserved(const StringMap& labels) {
  StringMap out;
  for (const auto& [k, v] : labels) {
    if (!isReservedLabel(k)) {
      out.emplace(k, v);
    }
  }
  return out;
}

// setEndpointSliceLabels: the Service's labels minus the reserved ones, the headless marker
// for Services without a cluster IP, and the two listing labels. The slice is stale when its
// non-reserved labels differ from the Service's (a headless-marker difference alone is not a
// reason to write, as in kube).
StringMap sliceLabels(const ServiceFacts& svc) {
  StringMap labels = withoutReserved(svc.labels);
  if (!svc.ip_set) {
    labels[std::string(kLabelHeadless)] = "";
  }
  labels[std::string(kLabelServiceName)] = svc.name;
  labels[std::string(kLabelManagedBy)] = std::string(kEndpointSliceControllerName);
  return labels;
}

SliceEndpoint podEndpoint(const PodEntry& pod, const ServiceFacts& svc, IpFamily family) {
  SliceEndpoint e;
  for (const detail::IpAddress& ip : pod.facts.ips) {
    if (ip.family == family) {
      e.addresses.push_back(ip.toString());
    }
  }
  bool serving = pod.facts.ready;
  bool terminating = pod.facts.terminating;
  // "ready" is never true for a terminating pod, for compatibility with consumers that only
  // read ready, unless the Service publishes not-ready addresses (KEP-1672).
  e.ready = svc.publish_not_ready || (serving && !terminating);
  e.serving = serving;
  e.terminating = terminating;
  if (pod.facts.hostname_set) {
    e.hostname = pod.facts.hostname;
  }
  if (!pod.facts.node_name.empty()) {
    e.node_name = pod.facts.node_name;
  }
  e.zone = pod.zone;
  e.target_ref = detail::podTargetRef(pod.facts);
  return e;
}

struct Reconcile {
  const ServiceFacts& svc;
  const std::vector<PodEntry>& pods;
  const EndpointSliceOptions& options;
  size_t max;
  SliceChanges& out;

  detail::NewSlice newSlice(IpFamily family, std::vector<SlicePort> ports,
                            std::vector<SliceEndpoint> endpoints) const {
    detail::NewSlice s;
    s.ns = svc.ns;
    s.generate_name = detail::generateNameFor(svc.name);
    s.owner_ref = detail::controllerRef("Service", svc.name, svc.uid);
    s.labels = sliceLabels(svc);
    s.address_type = std::string(detail::addressTypeName(family));
    s.ports = std::move(ports);
    s.endpoints = std::move(endpoints);
    return s;
  }

  // kube's placeholderSliceCompare: namespace, labels, owners, type, ports and endpoints.
  static bool isPlaceholder(const Json& existing, const Json& placeholder) {
    auto projection = [](const Json& s) {
      const Json& m = detail::metadataOf(s);
      return Json{{"namespace", detail::stringOr(m, "namespace")},
                  {"labels", detail::objectAt(m, "labels")},
                  {"ownerReferences", detail::arrayAt(m, "ownerReferences")},
                  {"addressType", detail::stringOr(s, "addressType")},
                  {"ports", detail::arrayAt(s, "ports")},
                  {"endpoints", detail::arrayAt(s, "endpoints")}};
    };
    return semanticallyEqual(projection(existing), projection(placeholder));
  }

  void byAddressType(IpFamily family, const std::vector<const ExistingSlice*>& existing) {
    std::vector<Json> to_create;
    std::vector<Json> to_update;
    std::vector<const ExistingSlice*> to_delete;

    std::map<std::string, std::vector<const ExistingSlice*>> existing_by_key;
    for (const ExistingSlice* slice : existing) {
      if (detail::ownedBy(*slice->obj, "Service", svc.uid)) {
        existing_by_key[slice->port_key].push_back(slice);
      } else {
        to_delete.push_back(slice);  // left by an earlier Service of the same name
      }
    }

    struct Desired {
      std::vector<SlicePort> ports;
      std::map<std::string, SliceEndpoint> endpoints;
    };
    std::map<std::string, Desired> desired;
    for (const PodEntry& pod : pods) {
      Desired& group = desired[pod.port_key];  // created even if the pod has no such address
      group.ports = pod.ports;
      SliceEndpoint e = podEndpoint(pod, svc, family);
      if (!e.addresses.empty()) {
        std::string key = detail::endpointKey(e);
        group.endpoints.insert_or_assign(std::move(key), std::move(e));
      }
    }

    const StringMap want_labels = sliceLabels(svc);
    const StringMap want_plain = withoutReserved(want_labels);
    auto stale = [&](const ExistingSlice& s) { return withoutReserved(s.labels) != want_plain; };
    for (auto& [key, group] : desired) {
      auto it = existing_by_key.find(key);
      static const std::vector<const ExistingSlice*> kNone;
      const auto& slices = it == existing_by_key.end() ? kNone : it->second;
      detail::Placement placed =
          detail::placeEndpoints(slices, std::move(group.endpoints), max, stale);
      for (detail::PlacedSlice& p : placed.to_create) {
        to_create.push_back(
            detail::newSliceObject(newSlice(family, group.ports, std::move(p.endpoints))));
      }
      for (detail::PlacedSlice& p : placed.to_update) {
        to_update.push_back(
            detail::updatedSliceObject(*p.existing->obj, std::move(p.endpoints), want_labels));
      }
      to_delete.insert(to_delete.end(), placed.to_delete.begin(), placed.to_delete.end());
    }
    for (const auto& [key, slices] : existing_by_key) {
      if (desired.find(key) == desired.end()) {
        to_delete.insert(to_delete.end(), slices.begin(), slices.end());
      }
    }

    // No endpoints of this type at all: keep exactly one empty placeholder slice, reusing the
    // one that is there rather than deleting and recreating it.
    if (existing.size() == to_delete.size() && to_create.empty()) {
      Json placeholder = detail::newSliceObject(newSlice(family, {}, {}));
      if (to_delete.size() == 1 && isPlaceholder(*to_delete.front()->obj, placeholder)) {
        to_delete.clear();
      } else {
        to_create.push_back(std::move(placeholder));
      }
    }

    // finalize(): a create paired with a delete of the same type becomes an update of the slice
    // that would be deleted, so its name (and consumers' state keyed by it) survives.
    for (size_t i = 0; i < to_delete.size() && !to_create.empty();) {
      const ExistingSlice* doomed = to_delete[i];
      if (doomed->address_type == detail::addressTypeName(family) &&
          detail::ownedBy(*doomed->obj, "Service", svc.uid)) {
        to_update.push_back(detail::recycledSliceObject(std::move(to_create.back()), *doomed->obj));
        to_create.pop_back();
        to_delete.erase(to_delete.begin() + static_cast<std::ptrdiff_t>(i));
      } else {
        ++i;
      }
    }

    // A Service being deleted gets no new slices: they would race the garbage collector.
    if (svc.deleting) {
      to_create.clear();
    }
    for (Json& s : to_create) {
      detail::setTriggerTime(s, options.trigger_time);
      out.to_create.push_back(std::move(s));
    }
    for (Json& s : to_update) {
      detail::setTriggerTime(s, options.trigger_time);
      out.to_update.push_back(std::move(s));
    }
    for (const ExistingSlice* s : to_delete) {
      out.to_delete.push_back(*s->obj);
    }
  }
};

}  // namespace

SliceChanges reconcileEndpointSlices(const Json& service, const std::vector<Json>& pods,
                                     const NodeZones& node_zones,
                                     const std::vector<Json>& existing_slices,
                                     const EndpointSliceOptions& options) {
  SliceChanges out;
  auto svc = detail::readService(service, out.warnings);
  // Skipped Services keep their existing slices; the garbage collector removes them.
  out.skip_reason = detail::selectorControllerSkipReason(svc);
  if (!out.skip_reason.empty()) return out;

  std::vector<PodEntry> entries;
  for (const Json& pod : pods) {
    auto facts = detail::readPod(pod, *svc, out.warnings);
    if (!facts || !detail::shouldPodBeInEndpoints(*facts, /*include_terminating=*/true)) {
      continue;
    }
    PodEntry entry{std::move(*facts), {}, {}, std::nullopt};
    auto node = node_zones.find(entry.facts.node_name);
    if (node == node_zones.end()) {
      if (options.skip_pods_on_unknown_nodes && !svc->publish_not_ready) {
        out.warnings.push_back(
            detail::concat({detail::describe("pod", pod), ": node \"", entry.facts.node_name,
                            "\" not found; left out for now"}));
        out.retry_later = true;
        continue;
      }
    } else if (!node->second.empty()) {
      entry.zone = node->second;
    }
    entry.ports = detail::podPorts(entry.facts, *svc);
    entry.port_key = detail::portMapKey(entry.ports);
    entries.push_back(std::move(entry));
  }

  std::vector<ExistingSlice> existing;
  for (const Json& slice : existing_slices) {
    auto parsed = detail::readExistingSlice(slice, out.warnings);
    if (parsed &&
        detail::sliceListedFor(*parsed, svc->name, kEndpointSliceControllerName, out.warnings)) {
      existing.push_back(std::move(*parsed));
    }
  }
  std::sort(existing.begin(), existing.end(),
            [](const ExistingSlice& a, const ExistingSlice& b) { return a.name < b.name; });

  Reconcile r{*svc, entries, options,
              static_cast<size_t>(std::max(1, options.max_endpoints_per_slice)), out};
  std::vector<IpFamily> families = detail::sliceAddressTypes(*svc);
  for (IpFamily family : families) {
    std::vector<const ExistingSlice*> of_type;
    for (const ExistingSlice& s : existing) {
      if (s.address_type == detail::addressTypeName(family)) {
        of_type.push_back(&s);
      }
    }
    r.byAddressType(family, of_type);
  }
  // Slices of an address type the Service no longer has (or never could) go away.
  for (const ExistingSlice& s : existing) {
    auto family = detail::familyFromName(s.address_type);
    if (!family || std::find(families.begin(), families.end(), *family) == families.end()) {
      out.to_delete.push_back(*s.obj);
    }
  }
  detail::dropNoOpUpdates(out.to_update, existing);
  return out;
}

}  // namespace ferry::controlplane
