#include "ferry/controllers/endpointslice_mirroring.h"

#include <algorithm>
#include <map>

#include "ip_address.h"
#include "json_access.h"
#include "slice_model.h"
#include "slice_objects.h"

namespace ferry::controlplane {
namespace {

using detail::ExistingSlice;
using detail::Json;
using detail::SliceEndpoint;
using detail::SlicePort;
using detail::StringMap;

// One desired slice: an address type and a port set.
struct Desired {
  std::string address_type;
  std::vector<SlicePort> ports;
  std::map<std::string, SliceEndpoint> endpoints;
};

std::string desiredKey(std::string_view address_type, const std::vector<SlicePort>& ports) {
  return std::string(address_type) + "/" + detail::portMapKey(ports);
}

bool skipMirror(const Json& endpoints) {
  StringMap labels = detail::labelsOf(endpoints);
  auto it = labels.find(std::string(kLabelSkipMirror));
  return it != labels.end() && it->second == "true";
}

bool hasLeaderElection(const Json& endpoints) {
  return detail::annotationsOf(endpoints).count(std::string(kAnnotationLeaderElection)) > 0;
}

// addressToEndpoint: ready as given; only the ready condition is set (Endpoints know nothing of
// serving/terminating).
std::optional<std::pair<detail::IpFamily, SliceEndpoint>> addressToEndpoint(const Json& address,
                                                                            bool ready) {
  auto ip = detail::parseIpSloppy(detail::stringOr(address, "ip"));
  if (!ip) {
    return std::nullopt;
  }
  SliceEndpoint e;
  e.addresses = {ip->toString()};
  e.ready = ready;
  if (auto node = detail::stringAt(address, "nodeName"); node && !node->empty()) {
    e.node_name = *node;
  }
  if (auto host = detail::stringAt(address, "hostname"); host && !host->empty()) {
    e.hostname = *host;
  }
  const Json* ref = detail::member(address, "targetRef");
  if (ref != nullptr && ref->is_object()) {
    e.target_ref = *ref;
  }
  return std::make_pair(ip->family, std::move(e));
}

// The labels and annotations a mirrored slice carries (newEndpointSlice).
StringMap mirroredLabels(const Json& endpoints) {
  StringMap labels = detail::labelsOf(endpoints);
  labels[std::string(kLabelServiceName)] = detail::nameOf(endpoints);
  labels[std::string(kLabelManagedBy)] = std::string(kMirroringControllerName);
  return labels;
}

StringMap mirroredAnnotations(const Json& endpoints) {
  StringMap annotations = detail::annotationsOf(endpoints);
  annotations.erase(std::string(kAnnotationLastChangeTriggerTime));
  annotations.erase(std::string(kAnnotationLastApplied));
  return annotations;
}

// The slice is exactly what would be written: same endpoints (by key and beyond), labels and
// annotations (totalChanges plus the label/annotation comparison of reconcileByPortMapping).
bool upToDate(const ExistingSlice& slice, const Desired& want, const Json& endpoints) {
  if (slice.raw_endpoint_count != want.endpoints.size() ||
      slice.endpoints.size() != want.endpoints.size()) {
    return false;
  }
  for (const SliceEndpoint& have : slice.endpoints) {
    auto it = want.endpoints.find(detail::endpointKey(have));
    if (it == want.endpoints.end() || !detail::equalBeyondKey(it->second, have)) {
      return false;
    }
  }
  StringMap have_labels = slice.labels;
  have_labels.erase(std::string(kLabelManagedBy));
  have_labels.erase(std::string(kLabelServiceName));
  return have_labels == detail::labelsOf(endpoints) &&
         slice.annotations == mirroredAnnotations(endpoints);
}

SliceChanges deleteAll(const std::vector<ExistingSlice>& existing, SliceChanges out,
                       std::string reason) {
  for (const ExistingSlice& s : existing) {
    out.to_delete.push_back(*s.obj);
  }
  out.skip_reason = std::move(reason);
  return out;
}

}  // namespace

SliceChanges mirrorEndpointSlices(const Json& service, const Json& endpoints,
                                  const std::vector<Json>& existing_slices,
                                  const MirroringOptions& options) {
  SliceChanges out;
  std::string name = detail::nameOf(endpoints.is_null() ? service : endpoints);
  std::vector<ExistingSlice> existing;
  for (const Json& slice : existing_slices) {
    auto parsed = detail::readExistingSlice(slice, out.warnings);
    if (parsed && detail::sliceListedFor(*parsed, name, kMirroringControllerName, out.warnings)) {
      existing.push_back(std::move(*parsed));
    }
  }
  std::sort(existing.begin(), existing.end(),
            [](const ExistingSlice& a, const ExistingSlice& b) { return a.name < b.name; });

  // syncEndpoints: mirror only user-managed Endpoints of selector-less Services.
  if (!endpoints.is_object() || name.empty()) {
    return deleteAll(existing, std::move(out), "no endpoints to mirror");
  }
  if (skipMirror(endpoints) || hasLeaderElection(endpoints)) {
    return deleteAll(existing, std::move(out), "endpoints not to be mirrored");
  }
  if (!service.is_object()) {
    return deleteAll(existing, std::move(out), "no service");
  }
  if (!detail::objectAt(detail::objectAt(service, "spec"), "selector").empty()) {
    return deleteAll(existing, std::move(out), "service has a selector");
  }

  const std::string where = detail::describe("endpoints", endpoints);
  const auto max = static_cast<size_t>(std::max(1, options.max_endpoints_per_subset));
  std::map<std::string, Desired> desired;
  const Json& subsets = detail::arrayAt(endpoints, "subsets");
  for (size_t si = 0; si < subsets.size(); ++si) {
    const Json& subset = subsets[si];
    std::vector<SlicePort> ports;
    for (const Json& p : detail::arrayAt(subset, "ports")) {
      std::string why;
      if (auto port = detail::slicePortFromJson(p, &why)) {
        ports.push_back(std::move(*port));
      } else {
        out.warnings.push_back(detail::concat(
            {where, ": subsets[", std::to_string(si), "]: ", why, "; port not mirrored"}));
      }
    }
    // initPorts: both address types get a (possibly empty) desired slice for this port set.
    for (detail::IpFamily family : {detail::IpFamily::kIPv4, detail::IpFamily::kIPv6}) {
      std::string type(detail::addressTypeName(family));
      Desired& d = desired[desiredKey(type, ports)];
      d.address_type = type;
      d.ports = ports;
    }
    size_t added = 0;
    size_t skipped = 0;
    for (auto [field, ready] :
         {std::pair{"addresses", true}, std::pair{"notReadyAddresses", false}}) {
      for (const Json& address : detail::arrayAt(subset, field)) {
        if (added >= max) {
          ++skipped;
          continue;
        }
        auto converted = addressToEndpoint(address, ready);
        if (!converted) {
          out.warnings.push_back(
              detail::concat({where, ": ", field, " entry \"", detail::stringOr(address, "ip"),
                              "\" is not an IP address; not mirrored"}));
          continue;
        }
        Desired& d = desired[desiredKey(detail::addressTypeName(converted->first), ports)];
        std::string key = detail::endpointKey(converted->second);
        d.endpoints.insert_or_assign(std::move(key), std::move(converted->second));
        ++added;
      }
    }
    if (skipped > 0) {
      out.warnings.push_back(detail::concat(
          {where, ": subsets[", std::to_string(si), "]: ", std::to_string(skipped),
           " addresses over the limit of ", std::to_string(max), " per subset; not mirrored"}));
    }
  }

  std::map<std::string, std::vector<const ExistingSlice*>> existing_by_key;
  for (const ExistingSlice& s : existing) {
    existing_by_key[desiredKey(s.address_type, s.ports)].push_back(&s);
  }

  std::vector<Json> to_create;
  std::vector<Json> to_update;
  std::vector<const ExistingSlice*> to_delete;
  auto fresh = [&](const Desired& d) {
    detail::NewSlice s;
    s.ns = detail::namespaceOf(endpoints);
    s.generate_name = detail::generateNameFor(name);
    s.owner_ref = detail::controllerRef("Endpoints", name, detail::uidOf(endpoints));
    s.labels = mirroredLabels(endpoints);
    s.annotations = mirroredAnnotations(endpoints);
    s.address_type = d.address_type;
    s.ports = d.ports;
    for (const auto& [key, e] : d.endpoints) {
      if (s.endpoints.size() == max) {
        break;
      }
      s.endpoints.push_back(e);
    }
    std::sort(s.endpoints.begin(), s.endpoints.end(), detail::endpointLess);
    return detail::newSliceObject(s);
  };
  for (auto& [key, d] : desired) {
    if (d.endpoints.size() > max) {
      out.warnings.push_back(detail::concat(
          {where, ": ", std::to_string(d.endpoints.size() - max), " ", d.address_type,
           " addresses over the per-slice limit for one port set; not mirrored"}));
      // Keep the first `max` in address order, so the cut is stable across syncs.
      std::vector<std::pair<std::string, SliceEndpoint>> all(d.endpoints.begin(),
                                                             d.endpoints.end());
      std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
        return detail::endpointLess(a.second, b.second);
      });
      all.resize(max);
      d.endpoints = std::map<std::string, SliceEndpoint>(all.begin(), all.end());
    }
    auto it = existing_by_key.find(key);
    std::vector<const ExistingSlice*> slices;
    if (it != existing_by_key.end()) {
      slices = it->second;
    }
    if (d.endpoints.empty()) {
      to_delete.insert(to_delete.end(), slices.begin(), slices.end());
      continue;
    }
    if (slices.empty()) {
      to_create.push_back(fresh(d));
      continue;
    }
    // One slice per key: keep the first, rewritten whole when anything differs.
    to_delete.insert(to_delete.end(), slices.begin() + 1, slices.end());
    if (!upToDate(*slices.front(), d, endpoints)) {
      to_update.push_back(detail::recycledSliceObject(fresh(d), *slices.front()->obj));
    }
  }
  for (const auto& [key, slices] : existing_by_key) {
    if (desired.find(key) == desired.end()) {
      to_delete.insert(to_delete.end(), slices.begin(), slices.end());
    }
  }

  // recycleSlices: pair creates with deletes of the same address type into updates.
  for (auto c = to_create.begin(); c != to_create.end();) {
    std::string type = detail::sliceAddressType(*c);
    auto d = std::find_if(to_delete.begin(), to_delete.end(),
                          [&](const ExistingSlice* s) { return s->address_type == type; });
    if (d == to_delete.end()) {
      ++c;
      continue;
    }
    to_update.push_back(detail::recycledSliceObject(std::move(*c), *(*d)->obj));
    to_delete.erase(d);
    c = to_create.erase(c);
  }
  // No new slices for an Endpoints object being deleted.
  if (detail::hasDeletionTimestamp(endpoints)) {
    to_create.clear();
  }

  out.to_create = std::move(to_create);
  out.to_update = std::move(to_update);
  for (const ExistingSlice* s : to_delete) {
    out.to_delete.push_back(*s->obj);
  }
  detail::dropNoOpUpdates(out.to_update, existing);
  return out;
}

}  // namespace ferry::controlplane
