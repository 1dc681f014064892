// Semantic equality of API objects, for deciding whether a write would change anything.
#pragma once

#include <nlohmann/json.hpp>

namespace ferry::controlplane {

// True when `a` and `b` are the same object as far as a client's write is concerned:
//   - metadata fields the server owns are ignored: resourceVersion, uid, creationTimestamp,
//     generation, managedFields, selfLink;
//   - null, a missing member, [] and {} are the same (Go's omitempty and apimachinery's
//     semantic DeepEqual, which treats nil and empty slices and maps alike);
//   - array order matters; numbers compare by value.
bool semanticallyEqual(const nlohmann::json& a, const nlohmann::json& b);

}  // namespace ferry::controlplane
