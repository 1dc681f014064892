// ValidatePodCreate / ValidatePodUpdate (pkg/apis/core/validation), for the part of a Pod ferry
// uses: metadata, spec.nodeName, spec.containers[].{name, image, ports}, spec.hostname and
// subdomain, status.podIP(s)/phase/conditions.
#include <set>

#include "ferry/api/field_error_builders.h"
#include "ferry/api/ip_syntax.h"
#include "ferry/api/names.h"
#include "ferry/api/validation.h"
#include "json_fields.h"
#include "validation_helpers.h"

namespace ferry::api {
namespace {

using detail::Fields;
using detail::json;

// validateContainerPorts.
void validateContainerPorts(FieldErrors& errs, const Fields& container) {
  std::set<std::string> names;
  for (const Fields& port : container.objects("ports")) {
    std::string name = port.str("name");
    if (!name.empty()) {
      auto msgs = isValidPortName(name);
      if (!msgs.empty()) {
        detail::invalidEach(errs, port.at("name"), name, msgs);
      } else if (!names.insert(name).second) {
        errs.push_back(field::duplicate(port.at("name"), name));
      }
    }
    auto container_port = port.int32("containerPort");
    int64_t number = container_port.value_or(0);
    if (!container_port && port.has("containerPort")) {
      // a wrong type, reported already
    } else if (number == 0) {
      errs.push_back(field::required(port.at("containerPort")));
    } else {
      for (const auto& m : isValidPortNum(number)) {
        errs.push_back(field::invalid(port.at("containerPort"), number, m));
      }
    }
    if (int64_t host = port.int32("hostPort").value_or(0); host != 0) {
      for (const auto& m : isValidPortNum(host)) {
        errs.push_back(field::invalid(port.at("hostPort"), host, m));
      }
    }
    detail::validateProtocol(errs, port, "protocol");
  }
}

void validateContainers(FieldErrors& errs, const Fields& spec) {
  const json* raw = spec.raw("containers");
  if (raw != nullptr && !raw->is_array()) {
    spec.array("containers");  // reports the wrong type
    return;
  }
  if (raw == nullptr || raw->empty()) {
    errs.push_back(field::required(spec.at("containers")));
    return;
  }
  std::set<std::string> names;
  for (const Fields& c : spec.objects("containers")) {
    std::string name = c.str("name");
    if (name.empty()) {
      errs.push_back(field::required(c.at("name")));
    } else {
      detail::validateDns1123Label(errs, c.at("name"), name);
      if (!names.insert(name).second) errs.push_back(field::duplicate(c.at("name"), name));
    }
    std::string image = c.str("image");
    if (image.empty()) {
      errs.push_back(field::required(c.at("image")));
    } else if (image.find_first_not_of(" \t\r\n") != 0 ||
               image.find_last_not_of(" \t\r\n") != image.size() - 1) {
      errs.push_back(
          field::invalid(c.at("image"), image, "must not have leading or trailing whitespace"));
    }
    validateContainerPorts(errs, c);
  }
}

// validatePodIPs: valid addresses, at most one per family, no duplicates. Paths name the list
// element, not its "ip" member, as kube does.
void validatePodIps(FieldErrors& errs, const Fields& status) {
  std::string path = status.at("podIPs");
  std::vector<std::string> ips;
  for (const Fields& entry : status.objects("podIPs")) {
    std::string ip = entry.str("ip");
    detail::validateIp(errs, entry.path(), ip);
    ips.push_back(ip);
  }
  if (ips.size() <= 1) return;
  std::string go = "[]core.PodIP{";
  for (size_t i = 0; i < ips.size(); ++i) {
    go += (i > 0 ? ", " : "") + std::string("core.PodIP{IP:") + field::goQuote(ips[i]) + "}";
  }
  go += "}";
  size_t v4 = 0;
  size_t v6 = 0;
  for (const auto& ip : ips) {
    if (isIpv4(ip)) ++v4;
    if (isIpv6(ip)) ++v6;
  }
  if (v4 == 0 || v6 == 0 || ips.size() > 2) {
    errs.push_back(
        field::invalidGo(path, go, "may specify no more than one IP for each IP family"));
  }
  std::set<std::string> seen;
  for (size_t i = 0; i < ips.size(); ++i) {
    if (!seen.insert(ips[i]).second) {
      errs.push_back(field::duplicateGo(field::index(path, i),
                                        "core.PodIP{IP:" + field::goQuote(ips[i]) + "}"));
    }
  }
}

// validatePodConditions: custom condition types must be qualified names. kube's path ends in
// "Type" with a capital T.
void validateConditions(FieldErrors& errs, const Fields& status) {
  for (const Fields& c : status.objects("conditions")) {
    std::string type = c.str("type");
    if (type == "PodScheduled" || type == "Ready" || type == "Initialized") continue;
    detail::validateQualifiedName(errs, field::child(c.path(), "Type"), type);
  }
}

// ValidatePodUpdate: of the spec only images, activeDeadlineSeconds, tolerations (additions)
// and terminationGracePeriodSeconds may change.
void validateSpecUpdate(FieldErrors& errs, const json& pod, const json& old) {
  const json* spec = detail::member(&pod, "spec");
  const json* old_spec = detail::member(&old, "spec");
  json a = spec != nullptr ? *spec : json::object();
  json b = old_spec != nullptr ? *old_spec : json::object();
  if (!a.is_object() || !b.is_object()) return;
  for (json* s : {&a, &b}) {
    for (const char* key :
         {"activeDeadlineSeconds", "tolerations", "terminationGracePeriodSeconds"}) {
      s->erase(key);
    }
    for (const char* list : {"containers", "initContainers"}) {
      auto it = s->find(list);
      if (it == s->end() || !it->is_array()) continue;
      for (auto& c : *it) {
        if (c.is_object()) c.erase("image");
      }
    }
  }
  if (a != b) {
    errs.push_back(field::forbidden(
        "spec",
        "pod updates may not change fields other than `spec.containers[*].image`,"
        "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only "
        "additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be "
        "set to 1 if it was previously negative)"));
  }
}

}  // namespace

FieldErrors validatePod(const json& pod, const json* old) {
  FieldErrors errs = detail::validateMeta(pod, old, {Scope::kNamespaced, nameIsDnsSubdomain});
  Fields root(&pod, "", errs);
  Fields spec = root.sub("spec");
  validateContainers(errs, spec);
  if (auto node = spec.optStr("nodeName"); node && !node->empty()) {
    detail::invalidEach(errs, spec.at("nodeName"), *node, nameIsDnsSubdomain(*node, false));
  }
  if (std::string hostname = spec.str("hostname"); !hostname.empty()) {
    detail::validateDns1123Label(errs, spec.at("hostname"), hostname);
  }
  // The subdomain names a headless Service, so it is a label, not a subdomain.
  if (std::string subdomain = spec.str("subdomain"); !subdomain.empty()) {
    detail::validateDns1123Label(errs, spec.at("subdomain"), subdomain);
  }
  // status.podIP is checked as podIPs[0]: defaulting keeps the two in step, as kube's v1
  // conversion does.
  Fields status = root.sub("status");
  status.str("podIP");
  validatePodIps(errs, status);
  validateConditions(errs, status);
  status.str("phase");
  if (old != nullptr) validateSpecUpdate(errs, pod, *old);
  return errs;
}

}  // namespace ferry::api
