// Reading existing EndpointSlice objects and writing new and updated ones; shared by the
// EndpointSlice and mirroring reconcilers.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "json_access.h"
#include "slice_model.h"

namespace ferry::controlplane::detail {

struct ExistingSlice {
  const Json* obj = nullptr;
  std::string name;
  std::string address_type;
  std::vector<SlicePort> ports;
  std::string port_key;  // unique per slice when its ports could not be read: never matches
  std::vector<SliceEndpoint> endpoints;
  size_t raw_endpoint_count = 0;  // entries in the object, readable or not
  StringMap labels;
  StringMap annotations;
};

// nullopt (with a warning) for a slice without metadata.name (it could not even be deleted).
// Unreadable ports or endpoints entries are warned about; such a slice gets rewritten.
std::optional<ExistingSlice> readExistingSlice(const Json& slice,
                                               std::vector<std::string>& warnings);

// True when the slice carries the service-name and managed-by labels the caller listed by
// (an empty service_name checks managed-by only); warns and returns false otherwise (the slice
// is then left alone).
bool sliceListedFor(const ExistingSlice& slice, std::string_view service_name,
                    std::string_view controller, std::vector<std::string>& warnings);

// metav1.NewControllerRef: {apiVersion: v1, kind, name, uid, controller, blockOwnerDeletion}.
Json controllerRef(std::string_view kind, std::string_view name, std::string_view uid);
// Some ownerReference is {apiVersion: v1, kind, uid} (kube's ownedBy).
bool ownedBy(const Json& slice, std::string_view kind, std::string_view uid);

// getEndpointSlicePrefix: "<name>-", or the bare name when the dash would make it longer than
// a DNS subdomain (253).
std::string generateNameFor(std::string_view name);

struct NewSlice {
  std::string ns;
  std::string generate_name;
  Json owner_ref;
  StringMap labels;
  StringMap annotations;
  std::string address_type;
  std::vector<SlicePort> ports;
  std::vector<SliceEndpoint> endpoints;  // written sorted by endpointLess
};
Json newSliceObject(const NewSlice& slice);

// `existing` with endpoints (sorted) and labels replaced.
Json updatedSliceObject(const Json& existing, std::vector<SliceEndpoint> endpoints,
                        const StringMap& labels);

// Turns a new slice into an update of `doomed` (name and resourceVersion taken from it).
Json recycledSliceObject(Json fresh, const Json& doomed);

// Sets or removes endpoints.kubernetes.io/last-change-trigger-time.
void setTriggerTime(Json& slice, const std::optional<std::string>& trigger_time);

// Drops updates that would not change the object they replace (a safety net: the reconcilers
// only propose updates they found a difference for).
void dropNoOpUpdates(std::vector<Json>& updates, const std::vector<ExistingSlice>& existing);

std::string sliceAddressType(const Json& slice);

}  // namespace ferry::controlplane::detail
