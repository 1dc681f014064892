#include "ferry/ingress/config_builder.h"

#include <algorithm>

namespace ferry::ingress {

using nlohmann::json;

std::string ObjectKey::toString() const {
  return kind + " " + (ns.empty() ? name : ns + "/" + name);
}

json statusPatch(const StatusUpdate& update) {
  json list = json::array();
  for (const LoadBalancerIngress& e : update.ingress) {
    json entry = json::object();
    if (!e.ip.empty()) entry["ip"] = e.ip;
    if (!e.hostname.empty()) entry["hostname"] = e.hostname;
    list.push_back(std::move(entry));
  }
  return {{"status", {{"loadBalancer", {{"ingress", std::move(list)}}}}}};
}

IngressConfigBuilder::IngressConfigBuilder(BuilderOptions options, ServiceModel& services)
    : options_(std::move(options)), services_(services) {}

api::Result<bool> IngressConfigBuilder::reject(ObjectKey key, std::string message) {
  ++malformed_;
  dirty_ = true;
  errors_[std::move(key)] = message;
  return api::Error{std::move(message)};
}

api::Result<bool> IngressConfigBuilder::apply(std::string_view kind, const json& object) {
  if (kind == "Service" || kind == "EndpointSlice") {
    std::string ns = objectNamespace(object);
    if (ns.empty()) ns = "default";
    const std::string name = objectName(object);
    if (name.empty() || !object.is_object()) {
      ++malformed_;
      return api::Error{std::string(kind) + ": no metadata.name"};
    }
    services_.apply(kind, ns, name, &object);
    return true;
  }
  if (kind == "Ingress") {
    std::string ns = objectNamespace(object);
    ObjectKey key{"Ingress", ns.empty() ? "default" : ns, objectName(object)};
    auto parsed = parseIngress(object);
    if (!parsed) {
      ingresses_.erase({key.ns, key.name});
      return reject(std::move(key), parsed.error());
    }
    errors_.erase(key);
    ingresses_.insert_or_assign({parsed->ns, parsed->name}, std::move(*parsed));
    dirty_ = true;
    return true;
  }
  if (kind == "IngressClass") {
    ObjectKey key{"IngressClass", "", objectName(object)};
    auto parsed = parseIngressClass(object);
    if (!parsed) {
      classes_.erase(key.name);
      return reject(std::move(key), parsed.error());
    }
    errors_.erase(key);
    classes_.insert_or_assign(parsed->name, std::move(*parsed));
    dirty_ = true;
    return true;
  }
  if (kind == "Secret") {
    std::string ns = objectNamespace(object);
    ObjectKey key{"Secret", ns.empty() ? "default" : ns, objectName(object)};
    const std::string id = key.ns + "/" + key.name;
    auto parsed = parseTlsSecret(object);
    if (!parsed) {
      secrets_.erase(id);
      return reject(std::move(key), parsed.error());
    }
    errors_.erase(key);
    if (!parsed->has_value()) {
      // Not a TLS Secret (any more): not ours to hold.
      if (secrets_.erase(id) > 0) dirty_ = true;
      return false;
    }
    secrets_.insert_or_assign(id, std::move(**parsed));
    dirty_ = true;
    return true;
  }
  return false;
}

bool IngressConfigBuilder::remove(std::string_view kind, std::string_view ns,
                                  std::string_view name) {
  const std::string ns_or_default = ns.empty() ? "default" : std::string(ns);
  if (kind == "Service" || kind == "EndpointSlice") {
    services_.apply(kind, ns_or_default, name, nullptr);
    return true;
  }
  bool known = false;
  if (kind == "Ingress") {
    known = ingresses_.erase({ns_or_default, std::string(name)}) > 0;
    known = errors_.erase({"Ingress", ns_or_default, std::string(name)}) > 0 || known;
  } else if (kind == "IngressClass") {
    known = classes_.erase(std::string(name)) > 0;
    known = errors_.erase({"IngressClass", "", std::string(name)}) > 0 || known;
  } else if (kind == "Secret") {
    known = secrets_.erase(ns_or_default + "/" + std::string(name)) > 0;
    known = errors_.erase({"Secret", ns_or_default, std::string(name)}) > 0 || known;
  }
  dirty_ = dirty_ || known;
  return known;
}

bool IngressConfigBuilder::selected(const IngressObject& ingress) const {
  std::vector<IngressClassObject> classes;
  for (const auto& [name, c] : classes_) classes.push_back(c);
  return ClassSelector(options_.classes, classes).selects(ingress);
}

IngressConfig::Ptr IngressConfigBuilder::build() {
  model::ServiceSnapshot::Ptr services = services_.snapshot();
  if (!services) services = model::SnapshotBuilder().build(0);
  if (previous_ && !dirty_ && services == previous_services_) return previous_;

  std::vector<IngressClassObject> classes;
  for (const auto& [name, c] : classes_) classes.push_back(c);
  ClassSelector selector(options_.classes, classes);
  std::vector<const IngressObject*> chosen;
  std::vector<std::string> warnings;
  for (const auto& [key, ing] : ingresses_) {
    if (!selector.selects(ing)) continue;
    chosen.push_back(&ing);
    for (const std::string& w : ing.warnings) {
      warnings.push_back("ingress " + ing.ns + "/" + ing.name + ": " + w);
    }
  }
  for (const auto& [key, message] : errors_) warnings.push_back("rejected: " + message);

  std::vector<RouteConflict> conflicts;
  RouteTable::Ptr routes = RouteTable::build(chosen, &conflicts);
  for (const RouteConflict& c : conflicts) warnings.push_back(c.toString());
  TlsTable::Ptr tls =
      TlsTable::build(chosen, secrets_, previous_ ? previous_->tlsPtr().get() : nullptr, &warnings);

  // Resolved backends of the previous config, by what identifies them, for reuse.
  std::map<std::tuple<std::string, std::string, std::string, ServiceRef>, IngressConfig::BackendPtr>
      before;
  if (previous_) {
    const auto old = previous_->routes().backends();
    for (const Backend& b : old) {
      before.emplace(std::tuple{b.ingress_ns, b.ingress_name, b.ns, b.service},
                     previous_->backendPtr(b.id));
    }
  }
  std::vector<IngressConfig::BackendPtr> resolved;
  resolved.reserve(routes->backends().size());
  for (const Backend& b : routes->backends()) {
    auto it = before.find(std::tuple{b.ingress_ns, b.ingress_name, b.ns, b.service});
    resolved.push_back(resolveBackend(b, *services, it == before.end() ? nullptr : it->second));
  }

  previous_ = std::make_shared<IngressConfig>(++version_, std::move(routes), std::move(resolved),
                                              std::move(tls), services, std::move(warnings));
  previous_services_ = std::move(services);
  dirty_ = false;
  return previous_;
}

std::vector<StatusUpdate> IngressConfigBuilder::statusUpdates(
    const std::vector<LoadBalancerIngress>& addresses) const {
  std::vector<LoadBalancerIngress> want = addresses;
  std::sort(want.begin(), want.end());
  std::vector<IngressClassObject> classes;
  for (const auto& [name, c] : classes_) classes.push_back(c);
  ClassSelector selector(options_.classes, classes);
  std::vector<StatusUpdate> out;
  for (const auto& [key, ing] : ingresses_) {
    std::vector<LoadBalancerIngress> have = ing.status;
    std::sort(have.begin(), have.end());
    if (selector.selects(ing)) {
      if (have != want) out.push_back({ing.ns, ing.name, want});
    } else if (!want.empty() && have == want) {
      out.push_back({ing.ns, ing.name, {}});
    }
  }
  return out;
}

}  // namespace ferry::ingress
