#include "slice_objects.h"

#include <algorithm>

#include "ferry/controllers/object_equality.h"
#include "ferry/controllers/well_known.h"

namespace ferry::controlplane::detail {

std::optional<ExistingSlice> readExistingSlice(const Json& slice,
                                               std::vector<std::string>& warnings) {
  ExistingSlice s;
  s.obj = &slice;
  s.name = nameOf(slice);
  if (s.name.empty()) {
    warnings.emplace_back("endpointslice: no metadata.name; ignored");
    return std::nullopt;
  }
  std::string where = describe("endpointslice", slice);
  s.address_type = stringOr(slice, "addressType");
  s.labels = labelsOf(slice);
  s.annotations = annotationsOf(slice);
  bool ports_ok = true;
  for (const Json& p : arrayAt(slice, "ports")) {
    std::string why;
    if (auto port = slicePortFromJson(p, &why)) {
      s.ports.push_back(std::move(*port));
    } else {
      warnings.push_back(concat({where, ": ", why, "; the slice will be replaced"}));
      ports_ok = false;
    }
  }
  s.port_key = ports_ok ? portMapKey(s.ports) : "unreadable:" + s.name;
  const Json& endpoints = arrayAt(slice, "endpoints");
  s.raw_endpoint_count = endpoints.size();
  for (const Json& e : endpoints) {
    std::string why;
    if (auto ep = sliceEndpointFromJson(e, &why)) {
      s.endpoints.push_back(std::move(*ep));
    } else {
      warnings.push_back(concat({where, ": ", why, "; the entry will be dropped"}));
    }
  }
  return s;
}

bool sliceListedFor(const ExistingSlice& slice, std::string_view service_name,
                    std::string_view controller, std::vector<std::string>& warnings) {
  auto label = [&](std::string_view key) {
    auto it = slice.labels.find(std::string(key));
    return it == slice.labels.end() ? std::string() : it->second;
  };
  bool name_ok = service_name.empty() || label(kLabelServiceName) == service_name;
  if (!name_ok || label(kLabelManagedBy) != controller) {
    warnings.push_back(
        concat({describe("endpointslice", *slice.obj), ": not labelled ", kLabelServiceName, "=",
                service_name, ", ", kLabelManagedBy, "=", controller, "; left alone"}));
    return false;
  }
  return true;
}

std::string generateNameFor(std::string_view name) {
  constexpr size_t kMaxDnsSubdomain = 253;
  std::string prefix(name);
  if (prefix.size() < kMaxDnsSubdomain) {
    prefix += '-';
  }
  return prefix;
}

Json controllerRef(std::string_view kind, std::string_view name, std::string_view uid) {
  return Json{{"apiVersion", "v1"}, {"kind", kind},       {"name", name},
              {"uid", uid},         {"controller", true}, {"blockOwnerDeletion", true}};
}

bool ownedBy(const Json& slice, std::string_view kind, std::string_view uid) {
  for (const Json& ref : arrayAt(metadataOf(slice), "ownerReferences")) {
    if (stringOr(ref, "uid") == uid && stringOr(ref, "kind") == kind &&
        stringOr(ref, "apiVersion") == "v1") {
      return true;
    }
  }
  return false;
}

namespace {

Json endpointsJson(std::vector<SliceEndpoint> endpoints) {
  std::sort(endpoints.begin(), endpoints.end(), endpointLess);
  Json out = Json::array();
  for (const SliceEndpoint& e : endpoints) {
    out.push_back(toJson(e));
  }
  return out;
}

}  // namespace

Json newSliceObject(const NewSlice& slice) {
  Json metadata = Json::object();
  metadata["generateName"] = slice.generate_name;
  metadata["namespace"] = slice.ns;
  metadata["labels"] = toJson(slice.labels);
  if (!slice.annotations.empty()) {
    metadata["annotations"] = toJson(slice.annotations);
  }
  metadata["ownerReferences"] = Json::array({slice.owner_ref});
  Json ports = Json::array();
  for (const SlicePort& p : slice.ports) {
    ports.push_back(toJson(p));
  }
  return Json{{"apiVersion", "discovery.k8s.io/v1"}, {"kind", "EndpointSlice"},
              {"metadata", std::move(metadata)},     {"addressType", slice.address_type},
              {"ports", std::move(ports)},           {"endpoints", endpointsJson(slice.endpoints)}};
}

Json updatedSliceObject(const Json& existing, std::vector<SliceEndpoint> endpoints,
                        const StringMap& labels) {
  Json out = existing;
  out["endpoints"] = endpointsJson(std::move(endpoints));
  if (!out["metadata"].is_object()) {
    out["metadata"] = Json::object();
  }
  out["metadata"]["labels"] = toJson(labels);
  return out;
}

Json recycledSliceObject(Json fresh, const Json& doomed) {
  Json& metadata = fresh["metadata"];
  metadata["name"] = nameOf(doomed);
  if (auto rv = stringAt(metadataOf(doomed), "resourceVersion")) {
    metadata["resourceVersion"] = *rv;
  }
  return fresh;
}

void setTriggerTime(Json& slice, const std::optional<std::string>& trigger_time) {
  if (!slice["metadata"].is_object()) {
    slice["metadata"] = Json::object();
  }
  Json& metadata = slice["metadata"];
  const std::string key(kAnnotationLastChangeTriggerTime);
  if (trigger_time) {
    if (!metadata["annotations"].is_object()) {
      metadata["annotations"] = Json::object();
    }
    metadata["annotations"][key] = *trigger_time;
    return;
  }
  auto it = metadata.find("annotations");
  if (it != metadata.end() && it->is_object()) {
    it->erase(key);
    if (it->empty()) {
      metadata.erase(it);
    }
  }
}

void dropNoOpUpdates(std::vector<Json>& updates, const std::vector<ExistingSlice>& existing) {
  std::erase_if(updates, [&](const Json& update) {
    std::string name = nameOf(update);
    auto it = std::find_if(existing.begin(), existing.end(),
                           [&](const ExistingSlice& e) { return e.name == name; });
    return it != existing.end() && semanticallyEqual(*it->obj, update);
  });
}

std::string sliceAddressType(const Json& slice) {
  return stringOr(slice, "addressType");
}

}  // namespace ferry::controlplane::detail
