// Service selectors: spec.selector is a plain matchLabels map (every key must be present in the
// pod's labels with the same value). Kept here, small, so the reconcilers' callers can pick the
// pods of a Service without pulling in a full label-selector parser.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

namespace ferry::controlplane {

// True when `selector` (a Service's spec.selector) selects an object with `labels` (its
// metadata.labels). A null, absent or empty selector selects nothing: Services without a
// selector get no endpoints from the controllers (the API server drops an empty selector on
// round-trip, so {} and null mean the same to clients). Non-string values never match.
bool selectorMatches(const nlohmann::json& selector, const nlohmann::json& labels);

// True when the Service has a non-empty selector (and so is the EndpointSlice controller's).
bool serviceHasSelector(const nlohmann::json& service);

// The pods of `pods` that the Service selects: same namespace and matching labels. The order of
// `pods` is kept.
std::vector<nlohmann::json> podsSelectedBy(const nlohmann::json& service,
                                           const std::vector<nlohmann::json>& pods);

}  // namespace ferry::controlplane
