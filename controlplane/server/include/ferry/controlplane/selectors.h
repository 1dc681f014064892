// Request options that turn into functions over objects: list/watch filters from
// labelSelector and fieldSelector, and the patch to apply from a PATCH's content type.
#pragma once

#include <functional>
#include <string>

#include "ferry/controlplane/api_status.h"
#include "ferry/controlplane/object_storage.h"

namespace ferry::api {
struct ResourceType;
}

namespace ferry::controlplane {

using ObjectFilter = std::function<bool(const json&)>;
// null when both selectors are empty (everything matches). 400 on malformed selectors.
ApiResult<ObjectFilter> buildFilter(const std::string& label_selector, const std::string& field_selector,
                                    const api::ResourceType& type);

// A create/update body by Content-Type: JSON or YAML; 415 for anything else, 400 when it does
// not parse or is not an object.
ApiResult<json> decodeBody(const std::string& content_type, const std::string& body);

using PatchFn = std::function<ApiResult<json>(const json& current)>;
// By Content-Type: merge (RFC 7386), JSON (RFC 6902), strategic merge, or apply (server-side
// apply, approximated by a strategic merge of the applied configuration). 415 otherwise;
// 400 when the body does not parse.
ApiResult<PatchFn> patchFunction(const std::string& content_type, const std::string& body,
                                 const api::ResourceType& type, const std::string& subresource);

}  // namespace ferry::controlplane
