// Kubernetes protobuf request bodies (Content-Type application/vnd.kubernetes.protobuf) decoded
// into the JSON object the same client would have sent as application/json, so one JSON
// pipeline serves both. kubectl 1.32 sends protobuf from its typed-client commands
// (`create namespace|secret|configmap|service|ingress`; `run`, `expose` and `delete` send
// JSON), and kubelets and controllers built on client-go send it for everything.
//
// Wire format: the magic "k8s\0", then a runtime.Unknown whose typeMeta names the kind and
// whose raw field is the typed message (k8s.io/apimachinery/pkg/runtime/serializer/protobuf).
// Only decoding is offered: responses stay JSON, which every client accepts.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/api/result.h"

namespace ferry::api {

inline constexpr std::string_view kKubernetesProtobufContentType =
    "application/vnd.kubernetes.protobuf";

// True for application/vnd.kubernetes.protobuf, case-insensitively and with any parameters.
bool isKubernetesProtobuf(std::string_view content_type);

// The type to assume when the envelope's typeMeta leaves a part empty (kubectl fills both;
// kube-apiserver falls back to the request's type the same way).
struct ProtobufFallbackType {
  std::string api_version;  // "v1", "discovery.k8s.io/v1"
  std::string kind;         // "Namespace"
};

// Decodes a protobuf body into a JSON object with apiVersion and kind set. Supported kinds:
// v1 Namespace, Service, Endpoints, Pod, Node, Secret, ConfigMap, Event;
// discovery.k8s.io/v1 EndpointSlice; networking.k8s.io/v1 Ingress, IngressClass; and
// DeleteOptions under any apiVersion (clients send it in the resource's group version).
//
// Fields ferry's .proto subset does not model (deprecated volume plugins, fields newer than
// Kubernetes 1.32) are dropped, as kube-apiserver drops unknown JSON fields; when `dropped`
// is given, each is appended as "spec.volumes[0]: field 4" so the caller can warn.
//
// Errors: a missing magic, a malformed envelope or message, an unsupported kind, or a value
// JSON cannot carry (an IntOrString of unknown type, a time outside years 0-9999).
Result<nlohmann::json> decodeKubernetesProtobuf(std::string_view body,
                                                const ProtobufFallbackType& fallback = {},
                                                std::vector<std::string>* dropped = nullptr);

}  // namespace ferry::api
