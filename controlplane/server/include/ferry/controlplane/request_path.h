// Parsing of Kubernetes REST paths into what they address:
//   /api/v1/namespaces/{ns}/{resource}[/{name}[/{subresource}]]
//   /api/v1/{resource}[/{name}[/{subresource}]]            (cluster-scoped, or all namespaces)
//   /apis/{group}/{version}/...                              (same shapes)
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ferry::controlplane {

struct RequestPath {
  std::string group;  // "" for /api
  std::string version;
  std::string ns;        // "" = cluster-scoped or all namespaces
  std::string resource;  // plural
  std::string name;
  std::string subresource;
};

// nullopt when the path is not a resource path (discovery, health, unknown).
std::optional<RequestPath> parseRequestPath(std::string_view path);

}  // namespace ferry::controlplane
