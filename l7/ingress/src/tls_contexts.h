// TLS termination's certificates, per worker (no locks on handshakes): a default context
// serving the default certificate, whose SNI callback (RFC 6066 §3) looks the name up in the
// current config's TlsTable (exact, then wildcard, then the Ingresses' default certificate) and
// switches the handshake to that certificate's context. Contexts are cached by the
// certificate's content hash, so a changed Secret is used by the next handshake without a
// restart and without dropping established connections.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

#include "config_publisher.h"

namespace ferry::ingress {

struct PemPair {
  std::string cert;
  std::string key;
};

// A self-signed certificate for names nobody configured (CN ferry-ingress-default, P-256,
// valid one year). Throws std::runtime_error if OpenSSL fails.
PemPair generateSelfSigned(const std::string& common_name);

class TlsContexts {
 public:
  TlsContexts(const ConfigPublisher& publisher, const PemPair& fallback);
  TlsContexts(const TlsContexts&) = delete;
  TlsContexts& operator=(const TlsContexts&) = delete;

  boost::asio::ssl::context& defaultContext() { return *default_; }
  uint64_t cacheSize() const { return cache_.size(); }

 private:
  static int onServerName(SSL* ssl, int* alert, void* arg);
  boost::asio::ssl::context* contextFor(const TlsCertificate& cert);

  const ConfigPublisher& publisher_;
  std::unique_ptr<boost::asio::ssl::context> default_;
  std::unordered_map<uint64_t, std::unique_ptr<boost::asio::ssl::context>> cache_;
};

}  // namespace ferry::ingress
