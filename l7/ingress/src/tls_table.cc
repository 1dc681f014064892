#include "ferry/ingress/tls_table.h"

#include <algorithm>
#include <tuple>

#include "ferry/ingress/host_path.h"

namespace ferry::ingress {

uint64_t tlsContentHash(std::string_view cert_pem, std::string_view key_pem) {
  // FNV-1a 64 (Fowler/Noll/Vo); the separator keeps ("ab","c") and ("a","bc") apart.
  uint64_t h = 0xcbf29ce484222325ull;
  auto mix = [&h](std::string_view bytes) {
    for (unsigned char c : bytes) {
      h ^= c;
      h *= 0x100000001b3ull;
    }
  };
  mix(cert_pem);
  mix(std::string_view("\0", 1));
  mix(key_pem);
  return h;
}

namespace {

// Joins message parts with one allocation.
template <class... Parts>
std::string cat(const Parts&... parts) {
  std::string out;
  out.reserve((std::string_view(parts).size() + ...));
  (out.append(parts), ...);
  return out;
}

bool older(const IngressObject* a, const IngressObject* b) {
  return std::tie(a->created, a->ns, a->name) < std::tie(b->created, b->ns, b->name);
}

}  // namespace

TlsTable::Ptr TlsTable::build(std::span<const IngressObject* const> ingresses,
                              const std::map<std::string, TlsSecret, std::less<>>& secrets,
                              const TlsTable* previous, std::vector<std::string>* warnings) {
  std::vector<const IngressObject*> order(ingresses.begin(), ingresses.end());
  std::sort(order.begin(), order.end(), older);
  auto warn = [&](std::string message) {
    if (warnings) warnings->push_back(std::move(message));
  };

  // Certificates already published, by secret: reused when the content is the same.
  std::map<std::string, CertPtr, std::less<>> before;
  if (previous) {
    for (const CertPtr& c : previous->certificates_) {
      before.emplace(c->secret_ns + "/" + c->secret_name, c);
    }
  }
  auto table = std::make_shared<TlsTable>();
  std::map<std::string, CertPtr, std::less<>> used;  // by "ns/name"
  std::map<std::string, std::string> owner_of;       // SNI key -> owning ingress, for warnings
  std::string default_owner;

  for (const IngressObject* ing : order) {
    const std::string ingress_name = ing->ns + "/" + ing->name;
    for (const IngressTls& tls : ing->tls) {
      if (tls.secret_name.empty()) continue;  // hosts served with the default certificate
      const std::string key = ing->ns + "/" + tls.secret_name;
      CertPtr cert;
      if (auto u = used.find(key); u != used.end()) {
        cert = u->second;
      } else {
        auto s = secrets.find(key);
        if (s == secrets.end()) {
          warn(cat("ingress ", ingress_name, ": TLS secret ", key,
                   " not found (or not of type kubernetes.io/tls)"));
          continue;
        }
        const uint64_t hash = tlsContentHash(s->second.cert_pem, s->second.key_pem);
        if (auto b = before.find(key); b != before.end() && b->second->content_hash == hash &&
                                       b->second->cert_pem == s->second.cert_pem &&
                                       b->second->key_pem == s->second.key_pem) {
          cert = b->second;
        } else {
          auto fresh = std::make_shared<TlsCertificate>();
          fresh->secret_ns = s->second.ns;
          fresh->secret_name = s->second.name;
          fresh->cert_pem = s->second.cert_pem;
          fresh->key_pem = s->second.key_pem;
          fresh->content_hash = hash;
          cert = std::move(fresh);
        }
        used.emplace(key, cert);
      }
      if (tls.hosts.empty()) {
        if (!table->default_) {
          table->default_ = cert;
          default_owner = ingress_name;
        } else if (table->default_ != cert) {
          warn(cat("ingress ", ingress_name, ": default certificate ", key, " ignored: ingress ",
                   default_owner, " has one and is older"));
        }
        continue;
      }
      for (const std::string& host : tls.hosts) {
        auto [it, inserted] = table->by_name_.emplace(host, cert);
        if (inserted) {
          owner_of.emplace(host, ingress_name);
        } else if (it->second != cert) {
          warn(cat("ingress ", ingress_name, ": TLS host ", host, " (secret ", key,
                   ") ignored: ingress ", owner_of[host], " has it and is older"));
        }
      }
    }
  }
  for (auto& [key, cert] : used) table->certificates_.push_back(cert);
  return table;
}

TlsTable::CertPtr TlsTable::findShared(std::string_view sni) const {
  char buffer[kMaxHostLength];
  const std::string_view name = normalizeHost(sni, buffer);
  if (!name.empty()) {
    if (auto it = by_name_.find(name); it != by_name_.end()) return it->second;
    if (std::string_view parent = parentDomain(name); !parent.empty()) {
      // Keys are "*.<parent>": compose one on the stack, without allocating.
      char wildcard[kMaxHostLength + 2];
      wildcard[0] = '*';
      wildcard[1] = '.';
      std::copy(parent.begin(), parent.end(), wildcard + 2);
      if (auto it = by_name_.find(std::string_view(wildcard, parent.size() + 2));
          it != by_name_.end()) {
        return it->second;
      }
    }
  }
  return default_;
}

const TlsCertificate* TlsTable::find(std::string_view sni) const {
  return findShared(sni).get();
}

}  // namespace ferry::ingress
