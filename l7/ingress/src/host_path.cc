#include "ferry/ingress/host_path.h"

namespace ferry::ingress {

std::string_view hostWithoutPort(std::string_view host) {
  if (!host.empty() && host.front() == '[') {
    // IPv6 literal (RFC 3986 §3.2.2): the address is inside the brackets.
    size_t close = host.find(']');
    if (close == std::string_view::npos) return host;
    return host.substr(1, close - 1);
  }
  size_t colon = host.find(':');
  if (colon == std::string_view::npos) return host;
  if (host.find(':', colon + 1) != std::string_view::npos) return host;  // bare IPv6
  return host.substr(0, colon);
}

std::string_view stripQuery(std::string_view target) {
  size_t end = target.find_first_of("?#");
  return end == std::string_view::npos ? target : target.substr(0, end);
}

std::string_view normalizeHost(std::string_view host_header, char* buffer) {
  std::string_view host = hostWithoutPort(host_header);
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  if (host.size() > kMaxHostLength) return {};
  for (size_t i = 0; i < host.size(); ++i) {
    char c = host[i];
    buffer[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return {buffer, host.size()};
}

std::string_view parentDomain(std::string_view host) {
  size_t dot = host.find('.');
  if (dot == std::string_view::npos || dot == 0) return {};
  return host.substr(dot + 1);
}

bool matchesWildcard(std::string_view host, std::string_view suffix) {
  std::string_view parent = parentDomain(host);
  return !parent.empty() && !suffix.empty() && parent == suffix;
}

}  // namespace ferry::ingress
