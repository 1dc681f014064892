#include "ferry/ingress/ingress_objects.h"

#include <chrono>
#include <nlohmann/json.hpp>

#include "ferry/api/base64.h"
#include "ferry/api/timestamp.h"
#include "ferry/model/address.h"

namespace ferry::ingress {

using nlohmann::json;

std::string_view toString(PathType type) {
  switch (type) {
    case PathType::kExact:
      return "Exact";
    case PathType::kPrefix:
      return "Prefix";
    case PathType::kImplementationSpecific:
      return "ImplementationSpecific";
  }
  return "?";
}

namespace {

// obj[key], or null when obj is not an object, the key is absent or its value is JSON null
// (which the API treats as absent).
const json* field(const json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(key);
  return it == object.end() || it->is_null() ? nullptr : &*it;
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Collects the first problem of an object as "<Kind> ns/name: <field>: <message>".
class Parse {
 public:
  explicit Parse(std::string who) : who_(std::move(who)) {}

  bool fail(const std::string& path, const std::string& message) {
    if (error_.empty()) error_ = who_ + ": " + path + ": " + message;
    return false;
  }
  bool failed() const { return !error_.empty(); }
  api::Error error() const { return api::Error{error_}; }
  void setWho(std::string who) { who_ = std::move(who); }

  // Optional string field: true and `out` unchanged when absent; false on a wrong type.
  bool optString(const json& object, const char* key, const std::string& path,
                 std::optional<std::string>& out) {
    const json* v = field(object, key);
    if (!v) return true;
    if (!v->is_string()) return fail(path, "Invalid value: must be a string");
    out = v->get<std::string>();
    return true;
  }
  bool optObject(const json& object, const char* key, const std::string& path, const json*& out) {
    out = field(object, key);
    if (out && !out->is_object()) return fail(path, "Invalid value: must be an object");
    return true;
  }
  bool optArray(const json& object, const char* key, const std::string& path, const json*& out) {
    out = field(object, key);
    if (out && !out->is_array()) return fail(path, "Invalid value: must be a list");
    return true;
  }

 private:
  std::string who_;
  std::string error_;
};

struct Meta {
  std::string ns, name;
  const json* annotations = nullptr;
  std::map<std::string, std::string, std::less<>> annotation_map;
  std::optional<std::string> created;
};

// Also names the object in `p`'s messages from here on ("Ingress ns/name").
bool readMeta(const json& object, const char* kind, bool namespaced, Parse& p, Meta& meta) {
  if (!object.is_object()) return p.fail("object", "Invalid value: not a JSON object");
  const json* m = nullptr;
  if (!p.optObject(object, "metadata", "metadata", m)) return false;
  if (!m) return p.fail("metadata", "Required value");
  std::optional<std::string> ns, name;
  if (!p.optString(*m, "namespace", "metadata.namespace", ns)) return false;
  if (!p.optString(*m, "name", "metadata.name", name)) return false;
  if (!name || name->empty()) return p.fail("metadata.name", "Required value");
  meta.name = *name;
  if (namespaced) meta.ns = ns && !ns->empty() ? *ns : "default";
  p.setWho(std::string(kind) + " " + (namespaced ? meta.ns + "/" : "") + meta.name);
  if (!p.optString(*m, "creationTimestamp", "metadata.creationTimestamp", meta.created)) {
    return false;
  }
  if (!p.optObject(*m, "annotations", "metadata.annotations", meta.annotations)) return false;
  if (meta.annotations) {
    for (const auto& [key, value] : meta.annotations->items()) {
      if (!value.is_string()) {
        return p.fail("metadata.annotations[" + key + "]", "Invalid value: must be a string");
      }
      meta.annotation_map.emplace(key, value.get<std::string>());
    }
  }
  return true;
}

// RFC 1123 label: lower-case alphanumerics and '-', not at either end, 1..63 long.
bool isLabel(std::string_view label) {
  if (label.empty() || label.size() > 63) return false;
  if (label.front() == '-' || label.back() == '-') return false;
  for (char c : label) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

bool readServiceRef(const json& backend, const std::string& path, Parse& p,
                    std::optional<ServiceRef>& out, bool& unsupported) {
  if (!backend.is_object()) return p.fail(path, "Invalid value: must be an object");
  const json* service = nullptr;
  const json* resource = nullptr;
  if (!p.optObject(backend, "service", path + ".service", service)) return false;
  if (!p.optObject(backend, "resource", path + ".resource", resource)) return false;
  if (service && resource) {
    return p.fail(path, "Invalid value: cannot set both service and resource backends");
  }
  if (resource) {
    unsupported = true;
    return true;
  }
  if (!service) return p.fail(path, "Required value: a service (or resource) backend");
  std::optional<std::string> name;
  if (!p.optString(*service, "name", path + ".service.name", name)) return false;
  if (!name || name->empty()) return p.fail(path + ".service.name", "Required value");
  const json* port = nullptr;
  if (!p.optObject(*service, "port", path + ".service.port", port)) return false;
  if (!port) return p.fail(path + ".service.port", "Required value");
  const json* number = field(*port, "number");
  std::optional<std::string> port_name;
  if (!p.optString(*port, "name", path + ".service.port.name", port_name)) return false;
  if (port_name && port_name->empty()) port_name.reset();
  if (number && port_name) {
    return p.fail(path + ".service.port", "Invalid value: cannot set both port name and number");
  }
  if (!number && !port_name) {
    return p.fail(path + ".service.port", "Required value: a port name or number");
  }
  ServiceRef ref;
  ref.name = *name;
  if (number) {
    if (!number->is_number_integer() || number->get<int64_t>() < 1 ||
        number->get<int64_t>() > 65535) {
      return p.fail(path + ".service.port.number",
                    "Invalid value: " + number->dump() + ": must be between 1 and 65535");
    }
    ref.port_number = static_cast<uint16_t>(number->get<int64_t>());
  } else {
    ref.port_name = *port_name;
  }
  out = std::move(ref);
  return true;
}

// validateIngressHTTPPath (k8s.io/kubernetes pkg/apis/networking/validation).
std::string checkPath(std::string_view path, PathType type) {
  if (type == PathType::kImplementationSpecific && path.empty()) return {};
  if (path.empty() || path.front() != '/') return "must be an absolute path";
  if (type == PathType::kImplementationSpecific) return {};
  for (std::string_view bad : {"//", "/./", "/../", "%2f", "%2F"}) {
    if (path.find(bad) != std::string_view::npos) {
      return "must not contain '" + std::string(bad) + "'";
    }
  }
  for (std::string_view bad : {"/..", "/."}) {
    if (path.ends_with(bad)) return "cannot end with '" + std::string(bad) + "'";
  }
  return {};
}

bool readHost(const json& rule, const char* key, const std::string& path, Parse& p,
              std::string& out) {
  std::optional<std::string> host;
  if (!p.optString(rule, key, path, host)) return false;
  if (!host || host->empty()) return true;
  std::string lowered = lower(*host);
  std::string why = checkHost(lowered);
  if (!why.empty()) return p.fail(path, "Invalid value: \"" + *host + "\": " + why);
  out = std::move(lowered);
  return true;
}

void readStatus(const json& object, std::vector<LoadBalancerIngress>& out) {
  // Status is ours to write, not to validate: read what makes sense, ignore the rest.
  const json* status = field(object, "status");
  const json* lb = status ? field(*status, "loadBalancer") : nullptr;
  const json* list = lb ? field(*lb, "ingress") : nullptr;
  if (!list || !list->is_array()) return;
  for (const json& entry : *list) {
    LoadBalancerIngress e;
    if (const json* ip = field(entry, "ip"); ip && ip->is_string()) e.ip = ip->get<std::string>();
    if (const json* h = field(entry, "hostname"); h && h->is_string()) {
      e.hostname = h->get<std::string>();
    }
    out.push_back(std::move(e));
  }
}

}  // namespace

std::optional<int64_t> parseTimestamp(std::string_view t) {
  const auto time = api::parseTimestamp(t);
  if (!time) return std::nullopt;
  return std::chrono::floor<std::chrono::seconds>(*time).time_since_epoch().count();
}

std::string checkHost(std::string_view host) {
  if (host.empty()) return "must not be empty";
  if (host.find(':') != std::string_view::npos) {
    return model::IpAddress::parse(host) ? "must be a DNS name, not an IP address"
                                         : "must not contain a port";
  }
  if (model::IpAddress::parse(host)) return "must be a DNS name, not an IP address";
  std::string_view name = host;
  if (name.starts_with("*.")) name.remove_prefix(2);
  if (name.size() > 253) return "must be no more than 253 characters";
  if (name.find('*') != std::string_view::npos) {
    return "a wildcard '*' must be the whole first label (\"*.example.com\")";
  }
  size_t start = 0;
  while (true) {
    size_t dot = name.find('.', start);
    std::string_view label =
        name.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (!isLabel(label)) {
      return "must be a lower-case RFC 1123 subdomain (labels of [a-z0-9-], 1..63 long, "
             "not starting or ending with '-')";
    }
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return {};
}

std::string objectNamespace(const json& object) {
  const json* m = field(object, "metadata");
  const json* ns = m ? field(*m, "namespace") : nullptr;
  return ns && ns->is_string() ? ns->get<std::string>() : std::string();
}

std::string objectName(const json& object) {
  const json* m = field(object, "metadata");
  const json* name = m ? field(*m, "name") : nullptr;
  return name && name->is_string() ? name->get<std::string>() : std::string();
}

api::Result<IngressObject> parseIngress(const json& object) {
  Parse p("Ingress");
  Meta meta;
  if (!readMeta(object, "Ingress", true, p, meta)) return p.error();
  IngressObject ing;
  ing.ns = meta.ns;
  ing.name = meta.name;
  if (meta.created) {
    auto t = parseTimestamp(*meta.created);
    if (!t) {
      p.fail("metadata.creationTimestamp",
             "Invalid value: \"" + *meta.created + "\": not RFC 3339");
      return p.error();
    }
    ing.created = *t;
  }
  if (auto it = meta.annotation_map.find(kLegacyClassAnnotation); it != meta.annotation_map.end()) {
    ing.legacy_class = it->second;
  }
  ing.options = parseBackendOptions(meta.annotation_map, ing.warnings);

  const json* spec = nullptr;
  if (!p.optObject(object, "spec", "spec", spec)) return p.error();
  if (!spec) {
    p.fail("spec", "Required value");
    return p.error();
  }
  if (!p.optString(*spec, "ingressClassName", "spec.ingressClassName", ing.class_name)) {
    return p.error();
  }
  if (ing.class_name && ing.class_name->empty()) ing.class_name.reset();
  if (ing.legacy_class && ing.legacy_class->empty()) ing.legacy_class.reset();
  if (const json* db = field(*spec, "defaultBackend")) {
    bool unsupported = false;
    if (!readServiceRef(*db, "spec.defaultBackend", p, ing.default_backend, unsupported)) {
      return p.error();
    }
    if (unsupported)
      ing.warnings.emplace_back("spec.defaultBackend: resource backends unsupported");
  }
  const json* rules = nullptr;
  if (!p.optArray(*spec, "rules", "spec.rules", rules)) return p.error();
  if ((!rules || rules->empty()) && !field(*spec, "defaultBackend")) {
    p.fail("spec.rules", "Required value: either defaultBackend or rules must be specified");
    return p.error();
  }
  for (size_t r = 0; rules && r < rules->size(); ++r) {
    const json& rule = (*rules)[r];
    const std::string rpath = "spec.rules[" + std::to_string(r) + "]";
    if (!rule.is_object()) {
      p.fail(rpath, "Invalid value: must be an object");
      return p.error();
    }
    IngressRule out;
    if (!readHost(rule, "host", rpath + ".host", p, out.host)) return p.error();
    const json* http = nullptr;
    if (!p.optObject(rule, "http", rpath + ".http", http)) return p.error();
    if (!http) {
      ing.warnings.push_back(rpath + ": no http paths, nothing to route");
      continue;
    }
    const json* paths = nullptr;
    if (!p.optArray(*http, "paths", rpath + ".http.paths", paths)) return p.error();
    if (!paths || paths->empty()) {
      p.fail(rpath + ".http.paths", "Required value");
      return p.error();
    }
    for (size_t i = 0; i < paths->size(); ++i) {
      const json& path = (*paths)[i];
      const std::string ppath = rpath + ".http.paths[" + std::to_string(i) + "]";
      if (!path.is_object()) {
        p.fail(ppath, "Invalid value: must be an object");
        return p.error();
      }
      std::optional<std::string> type_text, path_text;
      if (!p.optString(path, "pathType", ppath + ".pathType", type_text)) return p.error();
      if (!p.optString(path, "path", ppath + ".path", path_text)) return p.error();
      IngressPath out_path;
      if (!type_text) {
        p.fail(ppath + ".pathType", "Required value: pathType must be specified");
        return p.error();
      }
      if (*type_text == "Exact") {
        out_path.type = PathType::kExact;
      } else if (*type_text == "Prefix") {
        out_path.type = PathType::kPrefix;
      } else if (*type_text == "ImplementationSpecific") {
        out_path.type = PathType::kImplementationSpecific;
      } else {
        p.fail(ppath + ".pathType", "Unsupported value: \"" + *type_text +
                                        "\": supported values: \"Exact\", "
                                        "\"ImplementationSpecific\", \"Prefix\"");
        return p.error();
      }
      out_path.path = path_text.value_or("");
      if (std::string why = checkPath(out_path.path, out_path.type); !why.empty()) {
        p.fail(ppath + ".path", "Invalid value: \"" + out_path.path + "\": " + why);
        return p.error();
      }
      if (out_path.path.empty()) out_path.path = "/";
      const json* backend = field(path, "backend");
      if (!backend) {
        p.fail(ppath + ".backend", "Required value");
        return p.error();
      }
      std::optional<ServiceRef> ref;
      bool unsupported = false;
      if (!readServiceRef(*backend, ppath + ".backend", p, ref, unsupported)) return p.error();
      if (unsupported) {
        ing.warnings.push_back(ppath + ".backend: resource backends unsupported, path skipped");
        continue;
      }
      out_path.backend = std::move(*ref);
      out.paths.push_back(std::move(out_path));
    }
    ing.rules.push_back(std::move(out));
  }
  const json* tls = nullptr;
  if (!p.optArray(*spec, "tls", "spec.tls", tls)) return p.error();
  for (size_t t = 0; tls && t < tls->size(); ++t) {
    const json& entry = (*tls)[t];
    const std::string tpath = "spec.tls[" + std::to_string(t) + "]";
    if (!entry.is_object()) {
      p.fail(tpath, "Invalid value: must be an object");
      return p.error();
    }
    IngressTls out;
    std::optional<std::string> secret;
    if (!p.optString(entry, "secretName", tpath + ".secretName", secret)) return p.error();
    out.secret_name = secret.value_or("");
    const json* hosts = nullptr;
    if (!p.optArray(entry, "hosts", tpath + ".hosts", hosts)) return p.error();
    for (size_t h = 0; hosts && h < hosts->size(); ++h) {
      const std::string hpath = tpath + ".hosts[" + std::to_string(h) + "]";
      const json& host = (*hosts)[h];
      if (!host.is_string()) {
        p.fail(hpath, "Invalid value: must be a string");
        return p.error();
      }
      std::string lowered = lower(host.get<std::string>());
      if (std::string why = checkHost(lowered); !why.empty()) {
        p.fail(hpath, "Invalid value: \"" + host.get<std::string>() + "\": " + why);
        return p.error();
      }
      out.hosts.push_back(std::move(lowered));
    }
    ing.tls.push_back(std::move(out));
  }
  readStatus(object, ing.status);
  return ing;
}

api::Result<IngressClassObject> parseIngressClass(const json& object) {
  Parse p("IngressClass");
  Meta meta;
  if (!readMeta(object, "IngressClass", false, p, meta)) return p.error();
  IngressClassObject out;
  out.name = meta.name;
  const json* spec = nullptr;
  if (!p.optObject(object, "spec", "spec", spec)) return p.error();
  std::optional<std::string> controller;
  if (spec && !p.optString(*spec, "controller", "spec.controller", controller)) return p.error();
  if (!controller || controller->empty()) {
    p.fail("spec.controller", "Required value");
    return p.error();
  }
  out.controller = *controller;
  if (auto it = meta.annotation_map.find(kDefaultClassAnnotation);
      it != meta.annotation_map.end()) {
    out.is_default = it->second == "true";
  }
  return out;
}

api::Result<std::optional<TlsSecret>> parseTlsSecret(const json& object) {
  Parse p("Secret");
  Meta meta;
  if (!readMeta(object, "Secret", true, p, meta)) return p.error();
  std::optional<std::string> type;
  if (!p.optString(object, "type", "type", type)) return p.error();
  if (type != kTlsSecretType) return std::optional<TlsSecret>();
  const json* data = nullptr;
  if (!p.optObject(object, "data", "data", data)) return p.error();
  TlsSecret out;
  out.ns = meta.ns;
  out.name = meta.name;
  for (auto [key, target] : {std::pair{"tls.crt", &out.cert_pem}, {"tls.key", &out.key_pem}}) {
    const std::string fpath = std::string("data[") + key + "]";
    const json* value = data ? field(*data, key) : nullptr;
    if (!value) {
      p.fail(fpath, "Required value");
      return p.error();
    }
    if (!value->is_string()) {
      p.fail(fpath, "Invalid value: must be a base64 string");
      return p.error();
    }
    const auto& text = value->get_ref<const std::string&>();
    api::Base64Check check = api::base64Check(text);
    if (!check.ok) {
      p.fail(fpath, "Invalid value: illegal base64 data at input byte " +
                        std::to_string(check.bad_offset));
      return p.error();
    }
    *target = *api::base64Decode(text);
    if (target->empty()) {
      p.fail(fpath, "Invalid value: empty");
      return p.error();
    }
  }
  return std::optional<TlsSecret>(std::move(out));
}

}  // namespace ferry::ingress
