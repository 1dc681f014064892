#include "ferry/ingress/route_table.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "ferry/ingress/host_path.h"

namespace ferry::ingress {

std::string_view toString(HostMatch match) {
  switch (match) {
    case HostMatch::kNone:
      return "none";
    case HostMatch::kExact:
      return "exact";
    case HostMatch::kWildcard:
      return "wildcard";
    case HostMatch::kAnyHost:
      return "any-host";
    case HostMatch::kDefaultBackend:
      return "default-backend";
  }
  return "?";
}

std::string Backend::toString() const {
  std::string port =
      service.port_name.empty() ? std::to_string(service.port_number) : service.port_name;
  return ns + "/" + service.name + ":" + port + " (ingress " + ingress_ns + "/" + ingress_name +
         ")";
}

std::string RouteConflict::toString() const {
  if (default_backend) {
    return "defaultBackend of ingress " + loser + " ignored: ingress " + winner +
           " has one and is older";
  }
  return "route " + (host.empty() ? std::string("*") : host) + " " + path + " (" +
         std::string(ingress::toString(type)) + ") of ingress " + loser + " ignored: ingress " +
         winner + " has it and is older";
}

namespace {

// ImplementationSpecific is matched, and conflicts, as Prefix.
PathType effectiveType(PathType type) {
  return type == PathType::kExact ? PathType::kExact : PathType::kPrefix;
}

std::string matchPathOf(const std::string& path, PathType type) {
  if (type == PathType::kExact) return path;
  std::string_view p = path;
  while (!p.empty() && p.back() == '/') p.remove_suffix(1);
  return std::string(p);
}

std::string nameOf(const IngressObject& ing) {
  return ing.ns + "/" + ing.name;
}

// Oldest first, then namespace, then name: the conflict rule's order.
bool older(const IngressObject* a, const IngressObject* b) {
  return std::tie(a->created, a->ns, a->name) < std::tie(b->created, b->ns, b->name);
}

}  // namespace

RouteTable::Ptr RouteTable::build(std::span<const IngressObject* const> ingresses,
                                  std::vector<RouteConflict>* conflicts) {
  std::vector<const IngressObject*> order(ingresses.begin(), ingresses.end());
  std::sort(order.begin(), order.end(), older);

  auto table = std::make_shared<RouteTable>();
  std::map<std::tuple<std::string, std::string, ServiceRef>, uint32_t> backend_ids;
  auto backendId = [&](const IngressObject& ing, const ServiceRef& ref) {
    auto key = std::tuple{ing.ns, ing.name, ref};
    auto [it, inserted] = backend_ids.emplace(key, static_cast<uint32_t>(table->backends_.size()));
    if (inserted) {
      Backend b;
      b.id = it->second;
      b.ns = ing.ns;
      b.service = ref;
      b.ingress_ns = ing.ns;
      b.ingress_name = ing.name;
      b.options = ing.options;
      table->backends_.push_back(std::move(b));
    }
    return it->second;
  };

  // {host key, effective type, match path} -> the Ingress that owns it.
  std::map<std::tuple<std::string, PathType, std::string>, const IngressObject*> owners;
  std::vector<RouteConflict> found;
  const IngressObject* default_owner = nullptr;

  for (const IngressObject* ing : order) {
    if (ing->default_backend) {
      if (!default_owner) {
        default_owner = ing;
        table->default_backend_ = backendId(*ing, *ing->default_backend);
      } else {
        RouteConflict c;
        c.default_backend = true;
        c.winner = nameOf(*default_owner);
        c.loser = nameOf(*ing);
        found.push_back(std::move(c));
      }
    }
    for (const IngressRule& rule : ing->rules) {
      for (const IngressPath& path : rule.paths) {
        const PathType type = effectiveType(path.type);
        std::string match_path = matchPathOf(path.path, type);
        auto [it, inserted] = owners.emplace(std::tuple{rule.host, type, match_path}, ing);
        if (!inserted) {
          RouteConflict c;
          c.host = rule.host;
          c.path = path.path;
          c.type = path.type;
          c.winner = nameOf(*it->second);
          c.loser = nameOf(*ing);
          found.push_back(std::move(c));
          continue;
        }
        Route route;
        route.path = path.path;
        route.type = path.type;
        route.backend = backendId(*ing, path.backend);
        route.match_path = std::move(match_path);
        std::vector<Route>* routes = &table->any_host_;
        if (rule.host.starts_with("*.")) {
          routes = &table->wildcard_[rule.host.substr(2)];
        } else if (!rule.host.empty()) {
          routes = &table->exact_[rule.host];
        }
        routes->push_back(std::move(route));
        ++table->route_count_;
      }
    }
  }

  // Longest first; Exact before Prefix at equal length; then by path for a stable order.
  auto byPrecedence = [](const Route& a, const Route& b) {
    if (a.match_path.size() != b.match_path.size()) {
      return a.match_path.size() > b.match_path.size();
    }
    if (a.isExact() != b.isExact()) return a.isExact();
    return a.match_path < b.match_path;
  };
  std::sort(table->any_host_.begin(), table->any_host_.end(), byPrecedence);
  for (auto* map : {&table->exact_, &table->wildcard_}) {
    for (auto& [host, routes] : *map) std::sort(routes.begin(), routes.end(), byPrecedence);
  }
  if (conflicts) {
    std::sort(found.begin(), found.end(), [](const RouteConflict& a, const RouteConflict& b) {
      return std::tie(a.default_backend, a.host, a.path, a.type, a.winner, a.loser) <
             std::tie(b.default_backend, b.host, b.path, b.type, b.winner, b.loser);
    });
    *conflicts = std::move(found);
  }
  return table;
}

const Route* RouteTable::matchPath(const std::vector<Route>& routes, std::string_view path) {
  for (const Route& r : routes) {
    const std::string& key = r.match_path;
    if (r.isExact()) {
      if (path == key) return &r;
      continue;
    }
    // Segment-wise prefix: the rule's segments are the request's first segments.
    if (path.size() >= key.size() && path.compare(0, key.size(), key) == 0 &&
        (path.size() == key.size() || path[key.size()] == '/')) {
      return &r;
    }
  }
  return nullptr;
}

RouteMatch RouteTable::match(std::string_view host, std::string_view path) const {
  path = stripQuery(path);
  char buffer[kMaxHostLength];
  const std::string_view name = normalizeHost(host, buffer);
  if (!name.empty()) {
    if (auto it = exact_.find(name); it != exact_.end()) {
      if (const Route* r = matchPath(it->second, path)) {
        return {&backends_[r->backend], r, HostMatch::kExact};
      }
    }
    if (std::string_view parent = parentDomain(name); !parent.empty() && !wildcard_.empty()) {
      if (auto it = wildcard_.find(parent); it != wildcard_.end()) {
        if (const Route* r = matchPath(it->second, path)) {
          return {&backends_[r->backend], r, HostMatch::kWildcard};
        }
      }
    }
  }
  if (const Route* r = matchPath(any_host_, path)) {
    return {&backends_[r->backend], r, HostMatch::kAnyHost};
  }
  if (const Backend* b = defaultBackend()) return {b, nullptr, HostMatch::kDefaultBackend};
  return {};
}

const Backend* RouteTable::defaultBackend() const {
  return default_backend_ == UINT32_MAX ? nullptr : &backends_[default_backend_];
}

std::span<const Route> RouteTable::routesFor(std::string_view host_key) const {
  if (host_key.empty()) return any_host_;
  if (host_key.starts_with("*.")) {
    auto it = wildcard_.find(host_key.substr(2));
    return it == wildcard_.end() ? std::span<const Route>() : std::span<const Route>(it->second);
  }
  auto it = exact_.find(host_key);
  return it == exact_.end() ? std::span<const Route>() : std::span<const Route>(it->second);
}

std::vector<std::string> RouteTable::hostKeys() const {
  std::vector<std::string> keys;
  if (!any_host_.empty()) keys.emplace_back();
  for (const auto& [host, routes] : exact_) keys.push_back(host);
  for (const auto& [parent, routes] : wildcard_) keys.push_back("*." + parent);
  std::sort(keys.begin(), keys.end());
  return keys;
}

}  // namespace ferry::ingress
