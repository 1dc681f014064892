#include "ferry/controlplane/auth.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>

namespace ferry::controlplane {
namespace {

std::string randomToken() {
  unsigned char raw[24];
  RAND_bytes(raw, sizeof raw);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) {
    out.push_back(hex[c >> 4]);
    out.push_back(hex[c & 15]);
  }
  return out;
}

// One CSV line of the token file: token,user,uid,"g1,g2" (the quotes are optional).
std::optional<TokenEntry> parseLine(const std::string& line) {
  std::vector<std::string> fields;
  std::string cur;
  bool quoted = false;
  for (char c : line) {
    if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      fields.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  fields.push_back(cur);
  if (fields.size() < 3 || fields[0].empty()) return std::nullopt;
  TokenEntry e{fields[0], {fields[1], fields[2], {}}};
  if (fields.size() > 3) {
    std::string g;
    for (char c : fields[3]) {
      if (c == ',') {
        if (!g.empty()) e.user.groups.push_back(g);
        g.clear();
      } else {
        g.push_back(c);
      }
    }
    if (!g.empty()) e.user.groups.push_back(g);
  }
  return e;
}

bool hasGroup(const UserInfo& u, std::string_view g) {
  return std::find(u.groups.begin(), u.groups.end(), g) != u.groups.end();
}

}  // namespace

api::Result<Authenticator> Authenticator::loadOrCreate(const std::filesystem::path& path) {
  if (!std::filesystem::exists(path)) {
    std::ofstream out(path);
    if (!out) return api::Error{"create token file " + path.string()};
    std::filesystem::permissions(path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    out << randomToken() << ",admin,admin,\"system:masters\"\n";
    out << randomToken() << ",system:node:agent,node-agent,\"system:nodes\"\n";
    out << randomToken() << ",system:node:ingress,ingress-agent,\"system:nodes,ferry:ingress\"\n";
    if (!out.flush()) return api::Error{"write token file " + path.string()};
  }
  std::ifstream in(path);
  if (!in) return api::Error{"read token file " + path.string()};
  std::vector<TokenEntry> entries;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    auto e = parseLine(line);
    if (!e) return api::Error{"malformed line in token file " + path.string()};
    entries.push_back(std::move(*e));
  }
  return Authenticator(std::move(entries));
}

std::optional<UserInfo> Authenticator::authenticate(std::string_view header) const {
  constexpr std::string_view kBearer = "Bearer ";
  if (header.size() <= kBearer.size() || header.substr(0, kBearer.size()) != kBearer) return std::nullopt;
  std::string_view token = header.substr(kBearer.size());
  for (const auto& e : entries_) {
    // Constant-time comparison: the token file is the only secret between us and a client.
    if (e.token.size() == token.size() && CRYPTO_memcmp(e.token.data(), token.data(), token.size()) == 0)
      return e.user;
  }
  return std::nullopt;
}

std::optional<std::string> Authenticator::tokenForGroup(std::string_view group) const {
  for (const auto& e : entries_)
    if (hasGroup(e.user, group)) return e.token;
  return std::nullopt;
}

bool authorize(const UserInfo& user, const Access& a) {
  if (hasGroup(user, "system:masters")) return true;
  if (hasGroup(user, "system:nodes")) {
    const bool read = a.verb == "get" || a.verb == "list" || a.verb == "watch";
    static const std::vector<std::string> readable = {"services", "endpoints", "endpointslices", "ingresses",
                                                      "ingressclasses", "nodes", "namespaces", "pods"};
    if (read && std::find(readable.begin(), readable.end(), a.resource) != readable.end()) return true;
    // Certificates' private keys go to the nodes that terminate TLS (the ingress tier) only.
    if (read && a.resource == "secrets" && a.group.empty()) return hasGroup(user, "ferry:ingress");
    if (a.resource == "nodes" && (a.verb == "create" || a.verb == "update" || a.verb == "patch")) return true;
    if (a.resource == "events" && (a.verb == "create" || a.verb == "patch")) return true;
    if (a.resource == "ingresses" && a.subresource == "status" && (a.verb == "update" || a.verb == "patch"))
      return true;
    return false;
  }
  return false;
}

}  // namespace ferry::controlplane
