#include "ferry/controlplane/pki.h"

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <fstream>
#include <memory>
#include <sstream>

namespace ferry::controlplane {
namespace {

using KeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using CertPtr = std::unique_ptr<X509, decltype(&X509_free)>;

KeyPtr newKey() { return KeyPtr(EVP_EC_gen("P-256"), EVP_PKEY_free); }

bool addExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (!ext) return false;
  bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

CertPtr newCert(EVP_PKEY* key, const std::string& cn, int days) {
  CertPtr cert(X509_new(), X509_free);
  X509_set_version(cert.get(), 2);
  unsigned char serial[16];
  RAND_bytes(serial, sizeof serial);
  serial[0] &= 0x7f;  // positive
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);  // tolerate small clock skew
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(days) * 86400);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("ferry"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  return cert;
}

bool writePem(const std::filesystem::path& path, bool is_key, void* obj) {
  FILE* f = fopen(path.c_str(), "w");
  if (!f) return false;
  if (is_key) fchmod(fileno(f), 0600);
  int ok = is_key ? PEM_write_PrivateKey(f, static_cast<EVP_PKEY*>(obj), nullptr, nullptr, 0, nullptr, nullptr)
                  : PEM_write_X509(f, static_cast<X509*>(obj));
  return fclose(f) == 0 && ok == 1;
}

KeyPtr readKey(const std::filesystem::path& path) {
  FILE* f = fopen(path.c_str(), "r");
  if (!f) return KeyPtr(nullptr, EVP_PKEY_free);
  KeyPtr k(PEM_read_PrivateKey(f, nullptr, nullptr, nullptr), EVP_PKEY_free);
  fclose(f);
  return k;
}

CertPtr readCert(const std::filesystem::path& path) {
  FILE* f = fopen(path.c_str(), "r");
  if (!f) return CertPtr(nullptr, X509_free);
  CertPtr c(PEM_read_X509(f, nullptr, nullptr, nullptr), X509_free);
  fclose(f);
  return c;
}

}  // namespace

std::string readFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

api::Result<PkiFiles> ensurePki(const PkiOptions& options) {
  std::error_code ec;
  std::filesystem::create_directories(options.dir, ec);
  if (ec) return api::Error{"create " + options.dir.string() + ": " + ec.message()};
  PkiFiles files{options.dir / "ca.crt", options.dir / "ca.key", options.dir / "apiserver.crt",
                 options.dir / "apiserver.key"};

  KeyPtr ca_key = readKey(files.ca_key);
  CertPtr ca_cert = readCert(files.ca_cert);
  if (!ca_key || !ca_cert) {
    ca_key = newKey();
    if (!ca_key) return api::Error{"generate CA key"};
    ca_cert = newCert(ca_key.get(), "ferry-ca", options.validity_days);
    X509_set_issuer_name(ca_cert.get(), X509_get_subject_name(ca_cert.get()));
    if (!addExtension(ca_cert.get(), ca_cert.get(), NID_basic_constraints, "critical,CA:TRUE") ||
        !addExtension(ca_cert.get(), ca_cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign,digitalSignature") ||
        !addExtension(ca_cert.get(), ca_cert.get(), NID_subject_key_identifier, "hash") ||
        X509_sign(ca_cert.get(), ca_key.get(), EVP_sha256()) == 0)
      return api::Error{"sign CA certificate"};
    if (!writePem(files.ca_key, true, ca_key.get()) || !writePem(files.ca_cert, false, ca_cert.get()))
      return api::Error{"write CA to " + options.dir.string()};
    // A new CA invalidates any serving certificate signed by an old one.
    std::filesystem::remove(files.serving_cert, ec);
  }

  if (readKey(files.serving_key) && readCert(files.serving_cert)) return files;

  KeyPtr key = newKey();
  if (!key) return api::Error{"generate serving key"};
  CertPtr cert = newCert(key.get(), "ferry-apiserver", options.validity_days);
  X509_set_issuer_name(cert.get(), X509_get_subject_name(ca_cert.get()));
  std::string san = "DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,"
                    "DNS:kubernetes.default.svc.cluster.local,IP:127.0.0.1,IP:0:0:0:0:0:0:0:1";
  for (const auto& d : options.dns_names) san += ",DNS:" + d;
  for (const auto& ip : options.ip_addresses) san += ",IP:" + ip;
  if (!addExtension(cert.get(), ca_cert.get(), NID_basic_constraints, "critical,CA:FALSE") ||
      !addExtension(cert.get(), ca_cert.get(), NID_key_usage, "critical,digitalSignature,keyEncipherment") ||
      !addExtension(cert.get(), ca_cert.get(), NID_ext_key_usage, "serverAuth") ||
      !addExtension(cert.get(), ca_cert.get(), NID_subject_alt_name, san) ||
      !addExtension(cert.get(), ca_cert.get(), NID_authority_key_identifier, "keyid:always") ||
      X509_sign(cert.get(), ca_key.get(), EVP_sha256()) == 0)
    return api::Error{"sign serving certificate"};
  if (!writePem(files.serving_key, true, key.get()) || !writePem(files.serving_cert, false, cert.get()))
    return api::Error{"write serving certificate to " + options.dir.string()};
  return files;
}

}  // namespace ferry::controlplane
