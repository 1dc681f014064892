// ValidateEndpointSlice / ValidateEndpointSliceUpdate (discovery.k8s.io/v1,
// pkg/apis/discovery/validation).
#include <set>

#include "ferry/api/field_error_builders.h"
#include "ferry/api/ip_syntax.h"
#include "ferry/api/names.h"
#include "ferry/api/object_meta_validation.h"
#include "ferry/api/validation.h"
#include "json_fields.h"
#include "validation_helpers.h"

namespace ferry::api {
namespace {

using detail::Fields;
using detail::json;

constexpr size_t kMaxEndpoints = 1000;
constexpr size_t kMaxAddresses = 100;
constexpr size_t kMaxPorts = 20000;
constexpr size_t kMaxTopologyLabels = 16;

void validateAddresses(FieldErrors& errs, const Fields& endpoint, const std::string& type) {
  const std::string path = endpoint.at("addresses");
  std::vector<std::string> addresses = endpoint.strings("addresses");
  if (addresses.empty()) {
    errs.push_back(field::required(path, "must contain at least 1 address"));
  } else if (addresses.size() > kMaxAddresses) {
    errs.push_back(field::tooMany(path, static_cast<int64_t>(addresses.size()), kMaxAddresses));
  }
  for (size_t i = 0; i < addresses.size(); ++i) {
    const std::string& a = addresses[i];
    std::string p = field::index(path, i);
    // Unknown address types were rejected above and are not checked further, as in kube.
    if (type == "IPv4") {
      if (!isIpv4(a)) {
        errs.push_back(field::invalid(p, a, "must be a valid IPv4 address"));
      } else {
        detail::validateNonSpecialIp(errs, p, a);
      }
    } else if (type == "IPv6") {
      if (!isIpv6(a)) {
        errs.push_back(field::invalid(p, a, "must be a valid IPv6 address"));
      } else {
        detail::validateNonSpecialIp(errs, p, a);
      }
    } else if (type == "FQDN") {
      detail::validateFqdn(errs, p, a);
    }
  }
}

void validateEndpoints(FieldErrors& errs, const Fields& root, const std::string& type) {
  const json* raw = root.raw("endpoints");
  if (raw != nullptr && raw->is_array() && raw->size() > kMaxEndpoints) {
    errs.push_back(
        field::tooMany(root.at("endpoints"), static_cast<int64_t>(raw->size()), kMaxEndpoints));
    return;
  }
  for (const Fields& endpoint : root.objects("endpoints")) {
    validateAddresses(errs, endpoint, type);
    if (auto node = endpoint.optStr("nodeName")) {
      detail::invalidEach(errs, endpoint.at("nodeName"), *node, nameIsDnsSubdomain(*node, false));
    }
    if (const json* topology = endpoint.object("deprecatedTopology")) {
      if (topology->size() > kMaxTopologyLabels) {
        errs.push_back(field::tooMany(endpoint.at("deprecatedTopology"),
                                      static_cast<int64_t>(topology->size()), kMaxTopologyLabels));
      }
      detail::append(errs, validateLabels(topology, endpoint.at("deprecatedTopology")));
    }
    if (auto hostname = endpoint.optStr("hostname")) {
      detail::validateDns1123Label(errs, endpoint.at("hostname"), *hostname);
    }
    Fields conditions = endpoint.sub("conditions");
    for (const char* c : {"ready", "serving", "terminating"}) conditions.boolean(c);
  }
}

void validatePorts(FieldErrors& errs, const Fields& root) {
  const json* raw = root.raw("ports");
  if (raw != nullptr && raw->is_array() && raw->size() > kMaxPorts) {
    errs.push_back(field::tooMany(root.at("ports"), static_cast<int64_t>(raw->size()), kMaxPorts));
    return;
  }
  std::set<std::string> names;
  for (const Fields& port : root.objects("ports")) {
    // Name and protocol are defaulted ("" and TCP); the port may be absent ("all ports").
    std::string name = port.str("name");
    if (!name.empty()) detail::validateDns1123Label(errs, port.at("name"), name);
    if (!names.insert(name).second) errs.push_back(field::duplicate(port.at("name"), name));
    detail::validateProtocol(errs, port, "protocol");
    port.int32("port");  // type only: kube does not range-check slice ports
    if (auto app = port.optStr("appProtocol")) {
      detail::validateQualifiedName(errs, port.at("appProtocol"), *app);
    }
  }
}

}  // namespace

FieldErrors validateEndpointSlice(const json& slice, const json* old) {
  FieldErrors errs = detail::validateMeta(slice, old, {Scope::kNamespaced, nameIsDnsSubdomain});
  Fields root(&slice, "", errs);
  std::string type = root.str("addressType");
  if (type.empty()) {
    errs.push_back(field::required("addressType"));
  } else if (type != "IPv4" && type != "IPv6" && type != "FQDN") {
    errs.push_back(field::notSupported("addressType", type, {"FQDN", "IPv4", "IPv6"}));
  }
  validateEndpoints(errs, root, type);
  validatePorts(errs, root);
  if (old != nullptr) {
    FieldErrors ignored;
    detail::validateImmutable(errs, root, Fields(old, "", ignored), "addressType");
  }
  return errs;
}

}  // namespace ferry::api
