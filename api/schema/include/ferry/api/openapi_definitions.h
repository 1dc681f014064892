// The compact format the OpenAPI schemas are written in (api/schema/openapi/*.json), and its
// expansion into OpenAPI v3 component schemas. Writing kube's schemas out in full would be
// ~10x longer; this keeps one line per field.
//
//   {"package": "io.k8s.api.core.v1",
//    "types": {
//      "Service": {"kind": "v1", "description": "...",
//                  "properties": {"spec": ["ServiceSpec", "description"]}},
//      "ServicePort": {"description": "...", "properties": {
//          "port": ["int32", "description", {"required": true}],
//          "targetPort": ["intstr.IntOrString", "description"]}}}}
//
// A property is [type, description] or [type, description, options].
//   types    string, boolean, integer, int32, int64, number, byte (base64 string), object
//            (free-form), []T, map[string]T, or a schema name: "ServiceSpec" (same package),
//            "alias.Name" (aliases: meta, core, discovery, networking, intstr, resource) or a
//            full "io.k8s..." name. A described reference becomes {"allOf": [{"$ref"}]}.
//   options  required (bool), merge (patch merge key; strategy defaults to "merge"), strategy,
//            list (atomic|set|map), keys (list-map keys, exactly with list map),
//            map (atomic|granular), enum (on the items of a list), default, format.
// Type keys: description (required), properties, kind, schema, map, required.
//   kind     "v1" or "<group>/<version>": a top-level kind. Adds apiVersion, kind and metadata
//            (ObjectMeta), x-kubernetes-group-version-kind, and a generated <Kind>List.
//   schema   raw schema to start from, for primitives such as meta.v1.Time or IntOrString.
//   map      x-kubernetes-map-type of the struct.
//   required names of required properties, generated ones (metadata) included.
#pragma once

#include <nlohmann/json.hpp>
#include <span>
#include <string_view>

#include "ferry/api/result.h"

namespace ferry::api {

struct DefinitionFile {
  std::string_view name;  // for messages: "core_v1.json"
  std::string_view text;
};

// Component schemas by full name ("io.k8s.api.core.v1.Service"). Fails on malformed files,
// unknown types, options or aliases, duplicate names and references to undefined schemas; the
// message names the file, type and property at fault.
Result<nlohmann::json> expandDefinitions(std::span<const DefinitionFile> files);

}  // namespace ferry::api
