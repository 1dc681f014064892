// Certificates by SNI name, from the TLS Secrets the selected Ingresses reference in
// spec.tls[]{hosts, secretName} (the Secret lives in the Ingress's namespace and must have
// type kubernetes.io/tls). Data only: no SSL_CTX here (the library has no OpenSSL); the proxy
// builds its contexts and, thanks to content_hash and shared certificate objects, rebuilds
// only those whose content changed.
//
// SNI lookup: exact name, then the wildcard "*.<parent>" (one label, as for routes), then the
// default certificate. A name claimed by several Ingresses goes to the oldest Ingress (the
// route conflict rule, see route_table.h). A tls entry without hosts offers its certificate as
// the default certificate (same rule when several do). SNI picks the certificate, the Host
// header picks the route; they are independent.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/ingress/ingress_objects.h"

namespace ferry::ingress {

struct TlsCertificate {
  std::string secret_ns, secret_name;
  std::string cert_pem;  // tls.crt, decoded (the chain, leaf first)
  std::string key_pem;   // tls.key, decoded
  // FNV-1a 64 over cert and key: change detection for hot swaps, not a security check.
  uint64_t content_hash = 0;
};

uint64_t tlsContentHash(std::string_view cert_pem, std::string_view key_pem);

class TlsTable {
 public:
  using Ptr = std::shared_ptr<const TlsTable>;
  using CertPtr = std::shared_ptr<const TlsCertificate>;

  // `secrets` by "ns/name". `previous` (may be null): certificates whose content is unchanged
  // are taken over as the same objects. Problems (a referenced Secret missing, SNI conflicts)
  // go to `warnings`.
  static Ptr build(std::span<const IngressObject* const> ingresses,
                   const std::map<std::string, TlsSecret, std::less<>>& secrets,
                   const TlsTable* previous, std::vector<std::string>* warnings = nullptr);

  // The certificate for an SNI name (case-insensitive; empty name -> default), or null.
  const TlsCertificate* find(std::string_view sni) const;
  const TlsCertificate* defaultCertificate() const { return default_.get(); }
  CertPtr findShared(std::string_view sni) const;

  // Every distinct certificate, sorted by secret ns/name.
  std::span<const CertPtr> certificates() const { return certificates_; }
  // Every SNI key ("foo.com", "*.foo.com"), sorted, with its certificate.
  const std::map<std::string, CertPtr, std::less<>>& byName() const { return by_name_; }

 private:
  std::vector<CertPtr> certificates_;
  std::map<std::string, CertPtr, std::less<>> by_name_;
  CertPtr default_;
};

}  // namespace ferry::ingress
