// Builders for Kubernetes protobuf bodies, written the way client-go's gogo-generated
// marshallers write them: every non-pointer field on the wire, zero or not.
#pragma once

#include <google/protobuf/message.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "ferry/api/k8s_protobuf.h"
#include "k8s/meta_v1.pb.h"
#include "k8s/runtime.pb.h"

namespace ferry::api::testing {

using nlohmann::json;
namespace meta = ::k8s::io::apimachinery::pkg::apis::meta::v1;

// "k8s\0" + runtime.Unknown{typeMeta, raw}.
inline std::string envelope(std::string_view api_version, std::string_view kind,
                            const std::string& raw) {
  ::k8s::io::apimachinery::pkg::runtime::Unknown unknown;
  if (!api_version.empty() || !kind.empty()) {
    unknown.mutable_typemeta()->set_apiversion(std::string(api_version));
    unknown.mutable_typemeta()->set_kind(std::string(kind));
  }
  unknown.set_raw(raw);
  return std::string("k8s\0", 4) + unknown.SerializeAsString();
}

inline std::string envelope(std::string_view api_version, std::string_view kind,
                            const google::protobuf::Message& object) {
  return envelope(api_version, kind, object.SerializeAsString());
}

// ObjectMeta as gogo writes a freshly built object's: all strings empty, generation 0 and
// an empty (zero) creationTimestamp.
inline void gogoMeta(meta::ObjectMeta* m, std::string_view name) {
  m->set_name(std::string(name));
  m->set_generatename("");
  m->set_namespace_("");
  m->set_selflink("");
  m->set_uid("");
  m->set_resourceversion("");
  m->set_generation(0);
  m->mutable_creationtimestamp();
}

// Decodes and fails the test on error.
inline json decoded(const std::string& body) {
  Result<json> result = decodeKubernetesProtobuf(body);
  EXPECT_TRUE(result.ok()) << result.error();
  return result.ok() ? *result : json();
}

inline std::string decodeError(const std::string& body) {
  Result<json> result = decodeKubernetesProtobuf(body);
  EXPECT_FALSE(result.ok()) << result->dump();
  return result.ok() ? std::string() : result.error();
}

}  // namespace ferry::api::testing
