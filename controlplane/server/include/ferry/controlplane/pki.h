// The control plane's own PKI, generated on first start (as kubeadm does) unless the operator
// supplies certificates: a self-signed CA and an API serving certificate signed by it, with
// the names clients dial (localhost, kubernetes.default.svc..., 127.0.0.1, the first service
// IP). ECDSA P-256: fast to generate and to handshake.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "ferry/api/result.h"

namespace ferry::controlplane {

struct PkiOptions {
  std::filesystem::path dir;             // pki/ under the data directory
  std::vector<std::string> dns_names;    // extra DNS SANs
  std::vector<std::string> ip_addresses;  // extra IP SANs
  int validity_days = 3650;
};

struct PkiFiles {
  std::filesystem::path ca_cert;
  std::filesystem::path ca_key;
  std::filesystem::path serving_cert;
  std::filesystem::path serving_key;
};

// Loads the CA and serving pair from `dir`, generating whatever is missing. Keys are written
// 0600. Returns the paths.
api::Result<PkiFiles> ensurePki(const PkiOptions& options);

std::string readFile(const std::filesystem::path& path);

}  // namespace ferry::controlplane
