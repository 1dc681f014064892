#include "ingress_fixtures.h"

#include "ferry/api/base64.h"

namespace ferry::ingress::testing {

Json secretObject(const std::string& ns, const std::string& name, const std::string& type,
                  const std::string& cert, const std::string& key) {
  return {{"apiVersion", "v1"},
          {"kind", "Secret"},
          {"metadata", {{"namespace", ns}, {"name", name}}},
          {"type", type},
          {"data", {{"tls.crt", api::base64Encode(cert)}, {"tls.key", api::base64Encode(key)}}}};
}

std::string dumpTable(const RouteTable& table) {
  std::string out;
  for (const std::string& host : table.hostKeys()) {
    out += "host " + (host.empty() ? std::string("<any>") : host) + "\n";
    for (const Route& r : table.routesFor(host)) {
      out += "  " + r.path + " " + std::string(toString(r.type)) + " -> " +
             table.backends()[r.backend].toString() + "\n";
    }
  }
  if (const Backend* b = table.defaultBackend()) out += "default -> " + b->toString() + "\n";
  return out;
}

}  // namespace ferry::ingress::testing
