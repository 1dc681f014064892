#include "ferry/controlplane/request_path.h"

#include <vector>

namespace ferry::controlplane {

std::optional<RequestPath> parseRequestPath(std::string_view path) {
  std::vector<std::string> parts;
  size_t pos = 0;
  while (pos < path.size()) {
    size_t next = path.find('/', pos);
    if (next == std::string_view::npos) next = path.size();
    if (next > pos) parts.emplace_back(path.substr(pos, next - pos));
    pos = next + 1;
  }
  RequestPath rp;
  size_t i = 0;
  if (parts.size() >= 3 && parts[0] == "api") {
    rp.version = parts[1];
    i = 2;
  } else if (parts.size() >= 4 && parts[0] == "apis") {
    rp.group = parts[1];
    rp.version = parts[2];
    i = 3;
  } else {
    return std::nullopt;
  }
  // "namespaces/{ns}/{resource}..." scopes to a namespace, unless it addresses the namespace
  // object itself ("namespaces/{name}" or "namespaces/{name}/status").
  if (parts.size() >= i + 3 && parts[i] == "namespaces" && parts[i + 2] != "status" && parts[i + 2] != "finalize") {
    rp.ns = parts[i + 1];
    i += 2;
  }
  size_t rest = parts.size() - i;
  if (rest < 1 || rest > 3) return std::nullopt;
  rp.resource = parts[i];
  if (rest >= 2) rp.name = parts[i + 1];
  if (rest == 3) rp.subresource = parts[i + 2];
  return rp;
}

}  // namespace ferry::controlplane
