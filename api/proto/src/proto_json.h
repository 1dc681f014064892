// A Kubernetes protobuf message rendered as the JSON its Go type marshals to, walked by
// reflection over ferry's .proto subset (api/proto/k8s), whose (ferry.k8s.go_json) options
// carry what the wire cannot: pointer or value, omitempty or not, inline or nested.
#pragma once

#include <google/protobuf/message.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ferry/api/result.h"

namespace ferry::api::proto_json {

// `dropped` (optional) collects "path: field N" for wire fields the subset does not model.
Result<nlohmann::json> toJson(const google::protobuf::Message& message,
                              std::vector<std::string>* dropped);

}  // namespace ferry::api::proto_json
