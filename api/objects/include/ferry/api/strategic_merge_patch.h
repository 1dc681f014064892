// Strategic merge patch (Content-Type application/strategic-merge-patch+json), as
// k8s.io/apimachinery/pkg/util/strategicpatch applies it on the server: what `kubectl apply`
// (client-side, three-way) and `kubectl patch --type strategic` send.
//
// Maps merge key by key and null deletes. Lists follow the field's PatchSchema entry: merge
// lists join by their merge key (lists of scalars as sets), all others are replaced. Directives:
//   {"$patch": "replace"}   in a map: the map replaces the live one; as a list element: the list
//                           (minus directives) replaces the live list.
//   {"$patch": "delete"}    in a map: the map becomes {}; as a list element with the merge key:
//                           the live elements with that key are removed.
//   {"$patch": "merge"}     in a map: the default, stated explicitly (kube itself rejects it;
//                           accepting it loses nothing). As a list element it is an error, as in
//                           kube ("merging lists cannot yet be specified in the patch").
//   "$setElementOrder/<f>"  the order of list <f> after the merge; live elements not named
//                           keep their place relative to the named ones.
//   "$deleteFromPrimitiveList/<f>"  scalars to remove from list <f>.
//   "$retainKeys"           in a map: drop every live key not listed (union types).
// Directives nested in values that are new to the object are stripped the same way.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "ferry/api/patch_strategy.h"
#include "ferry/api/result.h"

namespace ferry::api {

// The patched object. Errors (the patch is not an object, a merge-list element lacks its merge
// key, an unknown $patch value, a $retainKeys or $setElementOrder that contradicts the patch,
// lists of lists) carry kube's wording; kube-apiserver answers them with 400 or 422 (the
// server picks), never partially applied.
Result<nlohmann::json> applyStrategicMergePatch(const nlohmann::json& original,
                                                const nlohmann::json& patch,
                                                const PatchSchema& schema);

// Same, with PatchSchema::forKind(kind).
Result<nlohmann::json> applyStrategicMergePatch(const nlohmann::json& original,
                                                const nlohmann::json& patch, std::string_view kind);

}  // namespace ferry::api
