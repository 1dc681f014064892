// OpenAPI v3 documents for ferry's resources, served at /openapi/v3 (an index) and
// /openapi/v3/<path>?hash=<hash> (one document per group-version).
//
// What kubectl 1.32 does with them:
//  * `kubectl explain` fetches the index, then the group-version document (Accept:
//    application/json), finds the resource's GVK on an operation under
//    paths["/api/v1/namespaces/{namespace}/services"] (or the cluster-scoped path), and walks
//    components.schemas from the schema carrying that GVK in x-kubernetes-group-version-kind,
//    following $ref / allOf.
//  * `kubectl apply|create|replace` (--validate=strict, the default) looks for a PATCH operation
//    of the object's GVK with a `fieldValidation` query parameter. Finding one, it skips
//    client-side validation and sends ?fieldValidation=Strict, leaving validation to the server.
//    Without it, kubectl would validate against /openapi/v2, which it fetches only as protobuf;
//    ferry serves no /openapi/v2, so every PATCH operation here declares fieldValidation.
//  * Strategic merge patches are computed from kubectl's compiled-in types for these built-in
//    kinds; the x-kubernetes-patch-* extensions here match them for clients that read them.
//
// The schemas come from compact definitions in api/schema/openapi/*.json, embedded at build
// time and expanded once, on first use (thread-safe). Malformed definitions are a programming
// error: the first call throws std::logic_error, which the unit tests catch.
#pragma once

#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>

namespace ferry::api {

// clang-tidy flags every aggregate holding a nlohmann::json for exception escape: the json
// destructor may allocate while tearing down deep values.
// NOLINTNEXTLINE(bugprone-exception-escape)
struct OpenApiDocument {
  std::string path;         // index key: "api/v1", "apis/networking.k8s.io/v1"
  nlohmann::json document;  // OpenAPI 3.0 document: paths and components.schemas
  std::string body;         // `document` serialized once: the bytes to send
  std::string hash;         // upper-case hex digest of `body`: the ?hash= value and the ETag
};

// GET /openapi/v3: {"paths": {"api/v1": {"serverRelativeURL": "/openapi/v3/api/v1?hash=..."}}}.
// kube-apiserver answers a request whose hash is current with Cache-Control "public, immutable"
// and a stale one with a redirect to the current URL.
const nlohmann::json& openApiV3Index();

// One document per group-version, in discovery order.
std::span<const OpenApiDocument> openApiV3Documents();

// By index key ("api/v1") or request path ("/openapi/v3/api/v1", query ignored).
const OpenApiDocument* findOpenApiV3Document(std::string_view path);

// Every component schema by name ("io.k8s.api.core.v1.Service", ...).
const nlohmann::json& openApiSchemas();

}  // namespace ferry::api
