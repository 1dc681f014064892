// Accept-header parsing (RFC 9110 §12.5.1) and the two negotiations kubectl depends on:
// aggregated discovery and server-side Table printing. kube-apiserver selects a response
// shape from media-type *parameters* (`as`, `g`, `v`), so plain type/subtype matching is not
// enough.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ferry::api {

struct MediaRange {
  std::string type;                                         // lower-cased, "*" for wildcards
  std::string subtype;                                      // lower-cased
  std::vector<std::pair<std::string, std::string>> params;  // names lower-cased; q removed
  double quality = 1.0;

  // Value of parameter `name`, or "" when absent.
  std::string_view param(std::string_view name) const;
  // True when this range accepts application/json (exactly, application/*, or */*).
  bool acceptsJson() const;
};

// Media ranges in header order. Ranges that do not parse are skipped; an empty or absent
// header yields an empty list.
std::vector<MediaRange> parseAccept(std::string_view header);

// /api and /apis: the legacy documents (APIVersions, APIGroupList) or the aggregated
// APIGroupDiscoveryList in apidiscovery.k8s.io/v2 or v2beta1. client-go 1.32 sends
//   application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,
//   application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,
//   application/json
// and decodes by the response's Content-Type, which must therefore name the profile served.
enum class DiscoveryFormat { kLegacy, kAggregatedV2, kAggregatedV2Beta1 };

struct DiscoveryNegotiation {
  DiscoveryFormat format;
  std::string content_type;  // the Content-Type to send with the body
};

// nullopt: nothing acceptable (answer 406 Not Acceptable). An empty header means JSON.
std::optional<DiscoveryNegotiation> negotiateDiscovery(std::string_view accept);

// List and get: a plain object (or list) or a meta.k8s.io Table. `kubectl get` sends
//   application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;
//   g=meta.k8s.io,application/json
enum class ObjectFormat { kObject, kTableV1, kTableV1Beta1 };

struct ObjectNegotiation {
  ObjectFormat format;
  std::string content_type;
};

std::optional<ObjectNegotiation> negotiateObject(std::string_view accept);

}  // namespace ferry::api
