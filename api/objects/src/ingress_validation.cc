// ValidateIngressCreate / ValidateIngressUpdate (networking.k8s.io/v1,
// pkg/apis/networking/validation).
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

constexpr std::string_view kIngressClassAnnotation = "kubernetes.io/ingress.class";

// validateIngressTypedLocalObjectReference.
void validateResourceBackend(FieldErrors& errs, const Fields& ref) {
  if (auto group = ref.optStr("apiGroup")) {
    detail::validateDns1123Subdomain(errs, ref.at("apiGroup"), *group);
  }
  for (const char* key : {"kind", "name"}) {
    std::string v = ref.str(key);
    if (v.empty()) {
      errs.push_back(field::required(ref.at(key)));
    } else {
      detail::invalidEach(errs, ref.at(key), v, isValidPathSegmentName(v));
    }
  }
}

// validateIngressBackend: exactly one of service{name, port{name|number}} and resource.
void validateBackend(FieldErrors& errs, const Fields& backend) {
  bool has_resource = backend.has("resource");
  bool has_service = backend.has("service");
  if (has_resource && has_service) {
    errs.push_back(
        field::invalid(backend.path(), "", "cannot set both resource and service backends"));
    return;
  }
  if (has_resource) {
    validateResourceBackend(errs, backend.sub("resource"));
    return;
  }
  if (!has_service) {
    errs.push_back(field::invalid(backend.path(), "", "resource or service backend is required"));
    return;
  }
  Fields service = backend.sub("service");
  std::string name = service.str("name");
  if (name.empty()) {
    errs.push_back(field::required(service.at("name")));
  } else {
    detail::invalidEach(errs, service.at("name"), name, nameIsDns1035Label(name, false));
  }
  Fields port = service.sub("port");
  std::string port_name = port.str("name");
  int64_t number = port.int32("number").value_or(0);
  if (!port_name.empty() && number != 0) {
    errs.push_back(field::invalid(backend.path(), "", "cannot set both port name & port number"));
  } else if (!port_name.empty()) {
    detail::invalidEach(errs, port.at("name"), port_name, isValidPortName(port_name));
  } else if (number != 0) {
    for (const auto& m : isValidPortNum(number)) {
      errs.push_back(field::invalid(port.at("number"), number, m));
    }
  } else {
    errs.push_back(field::required(backend.path(), "port name or number is required"));
  }
}

// validateHTTPIngressPath.
void validatePath(FieldErrors& errs, const Fields& p) {
  auto type = p.optStr("pathType");
  if (!type) {
    errs.push_back(field::required(p.at("pathType"), "pathType must be specified"));
    return;
  }
  std::string path = p.str("path");
  std::string where = p.at("path");
  if (*type == "Exact" || *type == "Prefix") {
    if (path.empty() || path.front() != '/') {
      errs.push_back(field::invalid(where, path, "must be an absolute path"));
    }
    if (!path.empty()) {
      // Sequences that would let a path escape its prefix after normalisation.
      for (const char* seq : {"//", "/./", "/../", "%2f", "%2F"}) {
        if (path.find(seq) != std::string::npos) {
          errs.push_back(
              field::invalid(where, path, "must not contain '" + std::string(seq) + "'"));
        }
      }
      for (std::string_view suffix : {"/..", "/."}) {
        if (path.size() >= suffix.size() &&
            std::string_view(path).substr(path.size() - suffix.size()) == suffix) {
          errs.push_back(
              field::invalid(where, path, "cannot end with '" + std::string(suffix) + "'"));
        }
      }
    }
  } else if (*type == "ImplementationSpecific") {
    if (!path.empty() && path.front() != '/') {
      errs.push_back(field::invalid(where, path, "must be an absolute path"));
    }
  } else {
    errs.push_back(field::notSupported(p.at("pathType"), *type,
                                       {"Exact", "ImplementationSpecific", "Prefix"}));
  }
  validateBackend(errs, p.sub("backend"));
}

// A host: a DNS name (never an IP), wildcard only as a whole first label.
void validateHost(FieldErrors& errs, const std::string& path, const std::string& host) {
  if (host.find('*') != std::string::npos) {
    detail::invalidEach(errs, path, host, isWildcardDns1123Subdomain(host));
  } else {
    detail::invalidEach(errs, path, host, isDns1123Subdomain(host));
  }
}

void validateRules(FieldErrors& errs, const Fields& spec) {
  for (const Fields& rule : spec.objects("rules")) {
    std::string host = rule.str("host");
    if (!host.empty()) {
      if (isValidIp(host)) {
        errs.push_back(
            field::invalid(rule.at("host"), host, "must be a DNS name, not an IP address"));
      }
      validateHost(errs, rule.at("host"), host);
    }
    Fields http = rule.sub("http");
    if (http.obj() == nullptr) continue;
    const json* paths = http.raw("paths");
    if (paths == nullptr || !paths->is_array() || paths->empty()) {
      if (paths == nullptr || paths->is_array()) errs.push_back(field::required(http.at("paths")));
    }
    for (const Fields& p : http.objects("paths")) validatePath(errs, p);
  }
}

void validateTls(FieldErrors& errs, const Fields& spec) {
  for (const Fields& tls : spec.objects("tls")) {
    std::vector<std::string> hosts = tls.strings("hosts");
    for (size_t i = 0; i < hosts.size(); ++i) {
      validateHost(errs, field::index(tls.at("hosts"), i), hosts[i]);
    }
    if (std::string secret = tls.str("secretName"); !secret.empty()) {
      detail::invalidEach(errs, tls.at("secretName"), secret, nameIsDnsSubdomain(secret, false));
    }
  }
}

}  // namespace

FieldErrors validateIngress(const json& ing, const json* old) {
  FieldErrors errs = detail::validateMeta(ing, old, {Scope::kNamespaced, nameIsDnsSubdomain});
  Fields root(&ing, "", errs);
  Fields spec = root.sub("spec");
  const json* rules = spec.raw("rules");
  bool no_rules = rules == nullptr || !rules->is_array() || rules->empty();
  if (no_rules && !spec.has("defaultBackend")) {
    // kube prints the nil or empty []networking.IngressRule with %#v.
    errs.push_back(field::invalidGo(
        spec.path(),
        rules == nullptr ? "[]networking.IngressRule(nil)" : "[]networking.IngressRule{}",
        "either `defaultBackend` or `rules` must be specified"));
  }
  if (spec.has("defaultBackend")) validateBackend(errs, spec.sub("defaultBackend"));
  validateRules(errs, spec);
  validateTls(errs, spec);
  auto class_name = spec.optStr("ingressClassName");
  if (class_name) {
    detail::invalidEach(errs, spec.at("ingressClassName"), *class_name,
                        nameIsDnsSubdomain(*class_name, false));
  }
  if (old == nullptr && class_name) {
    // On create, the legacy annotation may not contradict the field. kube's path here has no
    // "metadata." prefix.
    FieldErrors reported;
    for (const auto& [k, v] : Fields(&ing, "", reported).sub("metadata").stringMap("annotations")) {
      if (k == kIngressClassAnnotation && v != *class_name) {
        errs.push_back(field::invalid("annotations.kubernetes.io/ingress.class", v,
                                      "must match `ingressClassName` when both are specified"));
      }
    }
  }
  return errs;
}

}  // namespace ferry::api
