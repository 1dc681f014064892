#include "tls_contexts.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <stdexcept>

#include "ferry/runtime/log.h"

namespace ferry::ingress {

namespace ssl = boost::asio::ssl;

namespace {

constexpr size_t kMaxCachedContexts = 1024;

std::unique_ptr<ssl::context> makeContext(const std::string& cert_pem, const std::string& key_pem) {
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
  // TLS 1.2 and 1.3 only.
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                   ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                   ssl::context::single_dh_use);
  ctx->use_certificate_chain(boost::asio::buffer(cert_pem));
  ctx->use_private_key(boost::asio::buffer(key_pem), ssl::context::pem);
  return ctx;
}

std::string bioString(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return {data, static_cast<size_t>(n)};
}

}  // namespace

PemPair generateSelfSigned(const std::string& common_name) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* cert = X509_new();
  BIO* cert_bio = BIO_new(BIO_s_mem());
  BIO* key_bio = BIO_new(BIO_s_mem());
  bool ok = key && cert && cert_bio && key_bio;
  if (ok) {
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert), 365L * 24 * 3600);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                               0);
    X509_set_issuer_name(cert, name);
    X509_set_pubkey(cert, key);
    ok = X509_sign(cert, key, EVP_sha256()) > 0 && PEM_write_bio_X509(cert_bio, cert) == 1 &&
         PEM_write_bio_PrivateKey(key_bio, key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
  }
  PemPair out;
  if (ok) out = {bioString(cert_bio), bioString(key_bio)};
  BIO_free(cert_bio);
  BIO_free(key_bio);
  X509_free(cert);
  EVP_PKEY_free(key);
  if (!ok) throw std::runtime_error("generating the default certificate failed");
  return out;
}

TlsContexts::TlsContexts(const ConfigPublisher& publisher, const PemPair& fallback)
    : publisher_(publisher), default_(makeContext(fallback.cert, fallback.key)) {
  SSL_CTX_set_tlsext_servername_callback(default_->native_handle(), &TlsContexts::onServerName);
  SSL_CTX_set_tlsext_servername_arg(default_->native_handle(), this);
}

ssl::context* TlsContexts::contextFor(const TlsCertificate& cert) {
  if (auto it = cache_.find(cert.content_hash); it != cache_.end()) return it->second.get();
  if (cache_.size() >= kMaxCachedContexts) cache_.clear();  // contexts of old Secrets
  try {
    auto ctx = makeContext(cert.cert_pem, cert.key_pem);
    return cache_.emplace(cert.content_hash, std::move(ctx)).first->second.get();
  } catch (const boost::system::system_error& e) {
    FERRY_LOG(kWarn, "unusable TLS certificate",
              {{"secret", cert.secret_ns + "/" + cert.secret_name}, {"error", e.what()}});
    return nullptr;
  }
}

// Runs inside the handshake, on the connection's worker.
int TlsContexts::onServerName(SSL* ssl, int* /*alert*/, void* arg) {
  auto* self = static_cast<TlsContexts*>(arg);
  const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
  const auto state = self->publisher_.load();
  if (!state) return SSL_TLSEXT_ERR_OK;
  const TlsCertificate* cert = state->config->tls().find(name ? name : "");
  if (cert == nullptr) return SSL_TLSEXT_ERR_OK;  // the self-signed default
  if (ssl::context* ctx = self->contextFor(*cert)) SSL_set_SSL_CTX(ssl, ctx->native_handle());
  return SSL_TLSEXT_ERR_OK;
}

}  // namespace ferry::ingress
