// ValidateEndpoints / ValidateEndpointsUpdate (core/v1 Endpoints).
#include "ferry/api/field_error_builders.h"
#include "ferry/api/names.h"
#include "ferry/api/validation.h"
#include "json_fields.h"
#include "validation_helpers.h"

namespace ferry::api {
namespace {

using detail::Fields;
using detail::json;

// validateEndpointAddress.
void validateAddress(FieldErrors& errs, const Fields& address) {
  // Unlike externalIPs and EndpointSlices, kube runs both IP checks here unconditionally, so a
  // malformed address is reported twice.
  std::string ip = address.str("ip");
  detail::validateIp(errs, address.at("ip"), ip);
  if (std::string hostname = address.str("hostname"); !hostname.empty()) {
    detail::validateDns1123Label(errs, address.at("hostname"), hostname);
  }
  if (auto node = address.optStr("nodeName")) {
    detail::invalidEach(errs, address.at("nodeName"), *node, nameIsDnsSubdomain(*node, false));
  }
  detail::validateNonSpecialIp(errs, address.at("ip"), ip);
}

// validateEndpointPort.
void validatePort(FieldErrors& errs, const Fields& port, bool require_name) {
  std::string name = port.str("name");
  if (require_name && name.empty()) {
    errs.push_back(field::required(port.at("name")));
  } else if (!name.empty()) {
    detail::validateDns1123Label(errs, port.at("name"), name);
  }
  auto number = port.int32("port");
  if (number || !port.has("port")) {  // a wrong type was reported already
    for (const auto& m : isValidPortNum(number.value_or(0))) {
      errs.push_back(field::invalid(port.at("port"), number.value_or(0), m));
    }
  }
  detail::validateProtocol(errs, port, "protocol");
  if (auto app = port.optStr("appProtocol")) {
    detail::validateQualifiedName(errs, port.at("appProtocol"), *app);
  }
}

}  // namespace

FieldErrors validateEndpoints(const json& ep, const json* old) {
  FieldErrors errs = detail::validateMeta(ep, old, {Scope::kNamespaced, nameIsDnsSubdomain});
  Fields root(&ep, "", errs);
  // Subsets sit at the top level of Endpoints, so their paths have no "spec." prefix.
  for (const Fields& subset : root.objects("subsets")) {
    const json* addresses = subset.raw("addresses");
    const json* not_ready = subset.raw("notReadyAddresses");
    auto empty = [](const json* l) { return l == nullptr || !l->is_array() || l->empty(); };
    if (empty(addresses) && empty(not_ready)) {
      errs.push_back(
          field::required(subset.path(), "must specify `addresses` or `notReadyAddresses`"));
    }
    for (const Fields& a : subset.objects("addresses")) validateAddress(errs, a);
    for (const Fields& a : subset.objects("notReadyAddresses")) validateAddress(errs, a);
    const json* ports = subset.raw("ports");
    bool require_name = ports != nullptr && ports->is_array() && ports->size() > 1;
    for (const Fields& p : subset.objects("ports")) validatePort(errs, p, require_name);
  }
  return errs;
}

}  // namespace ferry::api
