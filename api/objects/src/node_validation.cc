// ValidateNode / ValidateNodeUpdate (pkg/apis/core/validation), for what ferry reads of a Node:
// pod CIDRs, taints, addresses.
#include <map>
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

// validateNodeTaints: key a label name, value a label value, effect required and known, unique
// by (key, effect). kube reports these under "metadata.taints" (its ValidateNode passes the
// metadata path), and so do we.
void validateTaints(FieldErrors& errs, const Fields& spec) {
  std::set<std::pair<std::string, std::string>> seen;
  const json* raw = spec.array("taints");
  if (raw == nullptr) return;
  Fields holder(spec.obj(), "metadata", errs);
  for (const Fields& taint : holder.objects("taints")) {
    std::string key = taint.str("key");
    detail::invalidEach(errs, taint.at("key"), key, isQualifiedName(key));
    std::string value = taint.str("value");
    if (auto msgs = isValidLabelValue(value); !msgs.empty()) {
      std::string joined;
      for (const auto& m : msgs) joined += (joined.empty() ? "" : ";") + m;
      errs.push_back(field::invalid(taint.at("value"), value, joined));
    }
    std::string effect = taint.str("effect");
    if (effect.empty()) {
      errs.push_back(field::required(taint.at("effect")));
    } else if (effect != "NoSchedule" && effect != "PreferNoSchedule" && effect != "NoExecute") {
      errs.push_back(field::notSupported(taint.at("effect"), effect,
                                         {"NoSchedule", "PreferNoSchedule", "NoExecute"}));
    }
    if (!seen.insert({key, effect}).second) {
      FieldError dup = field::duplicate(taint.path(), *taint.obj());
      dup.message = "Duplicate value: " + field::formatValue(*taint.obj()) +
                    ": taints must be unique by key and effect pair";
      errs.push_back(std::move(dup));
    }
  }
}

// Pod CIDRs: each a CIDR, at most two, one per family; podCIDR mirrors podCIDRs[0].
void validatePodCidrs(FieldErrors& errs, const Fields& spec) {
  std::vector<std::string> cidrs = spec.strings("podCIDRs");
  std::string path = spec.at("podCIDRs");
  bool bad = false;
  for (size_t i = 0; i < cidrs.size(); ++i) {
    if (!isValidCidr(cidrs[i])) {
      bad = true;
      detail::validateCidr(errs, field::index(path, i), cidrs[i]);
    }
  }
  if (bad || cidrs.size() < 2) return;
  auto family = [](const std::string& c) { return c.find(':') != std::string::npos; };
  if (cidrs.size() > 2 || family(cidrs[0]) == family(cidrs[1])) {
    errs.push_back(field::invalidGo(path, field::goStringSlice(cidrs),
                                    "may specify no more than one CIDR for each IP family"));
  }
  std::set<std::string> seen;
  for (size_t i = 0; i < cidrs.size(); ++i) {
    if (!seen.insert(cidrs[i]).second)
      errs.push_back(field::duplicate(field::index(path, i), cidrs[i]));
  }
}

}  // namespace

FieldErrors validateNode(const json& node, const json* old) {
  FieldErrors errs = detail::validateMeta(node, old, {Scope::kCluster, nameIsDnsSubdomain});
  Fields root(&node, "", errs);
  Fields spec = root.sub("spec");
  validatePodCidrs(errs, spec);
  validateTaints(errs, spec);
  spec.boolean("unschedulable");
  Fields status = root.sub("status");
  std::vector<std::pair<std::string, std::string>> addresses;
  for (const Fields& address : status.objects("addresses")) {
    addresses.emplace_back(address.str("type"), address.str("address"));
  }
  if (old != nullptr) {
    FieldErrors ignored;
    Fields old_spec = Fields(old, "", ignored).sub("spec");
    // ValidateNodeUpdate: no duplicate addresses; podCIDRs and providerID may be set once, never
    // changed.
    std::set<std::pair<std::string, std::string>> seen;
    for (size_t i = 0; i < addresses.size(); ++i) {
      if (!seen.insert(addresses[i]).second) {
        errs.push_back(
            field::duplicateGo(field::index("status.addresses", i),
                               "core.NodeAddress{Type:" + field::goQuote(addresses[i].first) +
                                   ", Address:" + field::goQuote(addresses[i].second) + "}"));
      }
    }
    const std::string why = "node updates may not change podCIDR except from \"\" to valid";
    std::vector<std::string> before = old_spec.strings("podCIDRs");
    std::vector<std::string> now = Fields(&node, "", ignored).sub("spec").strings("podCIDRs");
    if (!before.empty() && before.size() != now.size()) {
      errs.push_back(field::forbidden(spec.at("podCIDRs"), why));
    } else {
      for (size_t i = 0; i < before.size(); ++i) {
        if (before[i] != now[i]) errs.push_back(field::forbidden(spec.at("podCIDRs"), why));
      }
    }
    std::string provider = old_spec.str("providerID");
    if (!provider.empty() && provider != spec.str("providerID")) {
      errs.push_back(field::forbidden(spec.at("providerID"),
                                      "node updates may not change providerID except from \"\" "
                                      "to valid"));
    }
  }
  return errs;
}

}  // namespace ferry::api
