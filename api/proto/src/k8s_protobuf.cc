#include "ferry/api/k8s_protobuf.h"

#include <google/protobuf/message.h>

#include <array>
#include <cctype>
#include <climits>
#include <memory>

#include "json_text.h"
#include "k8s/core_v1.pb.h"
#include "k8s/discovery_v1.pb.h"
#include "k8s/meta_v1.pb.h"
#include "k8s/networking_v1.pb.h"
#include "k8s/runtime.pb.h"
#include "proto_json.h"

namespace ferry::api {
namespace {

namespace core = ::k8s::io::api::core::v1;
namespace discovery = ::k8s::io::api::discovery::v1;
namespace meta = ::k8s::io::apimachinery::pkg::apis::meta::v1;
namespace networking = ::k8s::io::api::networking::v1;

// k8s.io/apimachinery/pkg/runtime/serializer/protobuf: protoEncodingPrefix.
constexpr std::string_view kMagic{"k8s\0", 4};

struct KindEntry {
  std::string_view api_version;  // empty: any (DeleteOptions)
  std::string_view kind;
  const google::protobuf::Message* prototype;
};

// Naming the generated classes here also keeps their descriptors linked in from the static
// library.
const std::array<KindEntry, 12>& kinds() {
  static const std::array<KindEntry, 12> table{{
      {"v1", "Namespace", &core::Namespace::default_instance()},
      {"v1", "Service", &core::Service::default_instance()},
      {"v1", "Endpoints", &core::Endpoints::default_instance()},
      {"v1", "Pod", &core::Pod::default_instance()},
      {"v1", "Node", &core::Node::default_instance()},
      {"v1", "Secret", &core::Secret::default_instance()},
      {"v1", "ConfigMap", &core::ConfigMap::default_instance()},
      {"v1", "Event", &core::Event::default_instance()},
      {"discovery.k8s.io/v1", "EndpointSlice", &discovery::EndpointSlice::default_instance()},
      {"networking.k8s.io/v1", "Ingress", &networking::Ingress::default_instance()},
      {"networking.k8s.io/v1", "IngressClass", &networking::IngressClass::default_instance()},
      // metav1.AddToGroupVersion registers DeleteOptions in every group version.
      {"", "DeleteOptions", &meta::DeleteOptions::default_instance()},
  }};
  return table;
}

const google::protobuf::Message* prototypeFor(std::string_view api_version, std::string_view kind) {
  for (const KindEntry& entry : kinds()) {
    if (entry.kind == kind && (entry.api_version.empty() || entry.api_version == api_version)) {
      return entry.prototype;
    }
  }
  return nullptr;
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace

bool isKubernetesProtobuf(std::string_view content_type) {
  return equalsIgnoreCase(trim(content_type.substr(0, content_type.find(';'))),
                          kKubernetesProtobufContentType);
}

Result<nlohmann::json> decodeKubernetesProtobuf(std::string_view body,
                                                const ProtobufFallbackType& fallback,
                                                std::vector<std::string>* dropped) {
  if (body.size() < kMagic.size() || body.substr(0, kMagic.size()) != kMagic) {
    return Error{R"(protobuf body does not start with the magic "k8s\0")"};
  }
  body.remove_prefix(kMagic.size());
  if (body.size() > static_cast<size_t>(INT_MAX)) {
    return Error{"protobuf body is larger than 2 GiB"};
  }
  ::k8s::io::apimachinery::pkg::runtime::Unknown envelope;
  if (!envelope.ParseFromArray(body.data(), static_cast<int>(body.size()))) {
    return Error{"malformed protobuf envelope (runtime.Unknown)"};
  }
  if (!envelope.contentencoding().empty()) {
    return Error{"unsupported protobuf contentEncoding \"" +
                 proto_json::validUtf8(envelope.contentencoding()) + "\""};
  }
  // Both end up in JSON text and in error messages, which must be valid UTF-8.
  std::string api_version = proto_json::validUtf8(envelope.typemeta().apiversion());
  std::string kind = proto_json::validUtf8(envelope.typemeta().kind());
  // serializer/protobuf copyKindDefaults: the request's type fills what the body leaves out.
  if (api_version.empty()) {
    api_version = fallback.api_version;
  }
  if (kind.empty()) {
    kind = fallback.kind;
  }
  if (kind.empty()) {
    return Error{"protobuf body names no kind"};
  }
  const google::protobuf::Message* prototype = prototypeFor(api_version, kind);
  if (prototype == nullptr) {
    return Error{"unsupported kind " + api_version + " " + kind + " in protobuf body"};
  }
  std::unique_ptr<google::protobuf::Message> object(prototype->New());
  if (!object->ParseFromString(envelope.raw())) {
    return Error{"malformed protobuf " + kind + " message"};
  }
  Result<nlohmann::json> json = proto_json::toJson(*object, dropped);
  if (!json) {
    return Error{kind + " " + json.error()};
  }
  (*json)["apiVersion"] = api_version;
  (*json)["kind"] = kind;
  return json;
}

}  // namespace ferry::api
