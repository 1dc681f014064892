#include "ferry/controlplane/bootstrap.h"

#include "ferry/api/base64.h"
#include "ferry/api/resources.h"
#include "ferry/controlplane/api_server.h"
#include "ferry/model/address.h"

namespace ferry::controlplane {
namespace {

const api::ResourceType& type(const char* group, const char* plural) {
  return *api::findResource(group, group[0] ? "v1" : "v1", plural);
}

// Creates the object unless it exists; anything else than success or AlreadyExists fails.
api::Result<bool> ensure(ObjectStorage& storage, const Admission& admission,
                         const api::ResourceType& t, const std::string& ns, json obj) {
  ResourceInfo info = resourceInfo(t);
  auto res = storage.create(info, ns, std::move(obj), admission.admitFor(info, ""));
  if (res.ok() || res.status().code == 409) return true;
  return api::Error{"bootstrap " + info.plural + ": " + res.status().message};
}

}  // namespace

api::Result<bool> bootstrapCluster(ObjectStorage& storage, const Admission& admission,
                                   const BootstrapOptions& o) {
  for (const char* ns : {"default", "kube-system", "kube-public", "kube-node-lease"}) {
    auto r =
        ensure(storage, admission, type("", "namespaces"), "",
               {{"metadata", {{"name", ns}, {"labels", {{"kubernetes.io/metadata.name", ns}}}}},
                {"spec", {{"finalizers", {"kubernetes"}}}},
                {"status", {{"phase", "Active"}}}});
    if (!r.ok()) return r;
  }
  auto r = ensure(storage, admission, type("", "services"), "default",
                  {{"metadata",
                    {{"name", "kubernetes"},
                     {"labels", {{"component", "apiserver"}, {"provider", "kubernetes"}}}}},
                   {"spec",
                    {{"type", "ClusterIP"},
                     {"ports",
                      {{{"name", "https"},
                        {"port", 443},
                        {"protocol", "TCP"},
                        {"targetPort", o.secure_port}}}}}}});
  if (!r.ok()) return r;
  if (!o.cluster_dns_ip.empty()) {
    r = ensure(
        storage, admission, type("", "services"), "kube-system",
        {{"metadata",
          {{"name", "kube-dns"},
           {"labels",
            {{"k8s-app", "kube-dns"},
             {"kubernetes.io/cluster-service", "true"},
             {"kubernetes.io/name", "ferry-dns"}}},
           {"annotations", {{"prometheus.io/port", "9153"}, {"prometheus.io/scrape", "true"}}}}},
         {"spec",
          {{"type", "ClusterIP"},
           {"clusterIP", o.cluster_dns_ip},
           {"selector", {{"k8s-app", "kube-dns"}}},
           {"ports",
            {{{"name", "dns"}, {"port", 53}, {"protocol", "UDP"}, {"targetPort", 53}},
             {{"name", "dns-tcp"}, {"port", 53}, {"protocol", "TCP"}, {"targetPort", 53}},
             {{"name", "metrics"}, {"port", 9153}, {"protocol", "TCP"}, {"targetPort", 9153}}}}}}});
    if (!r.ok()) return r;
  }
  // Endpoints may not hold loopback addresses (kube's validation); a server advertised only on
  // loopback serves the default/kubernetes Service without endpoints, as nothing outside this
  // host could use them.
  if (auto ip = model::IpAddress::parse(o.advertise_address);
      ip && (ip->toString().rfind("127.", 0) == 0 || ip->toString() == "::1"))
    return true;
  json subsets = {{{"addresses", {{{"ip", o.advertise_address}}}},
                   {"ports", {{{"name", "https"}, {"port", o.secure_port}, {"protocol", "TCP"}}}}}};
  return ensure(storage, admission, type("", "endpoints"), "default",
                {{"metadata",
                  {{"name", "kubernetes"},
                   {"labels", {{"endpointslice.kubernetes.io/skip-mirror", "true"}}}}},
                 {"subsets", subsets}});
}

std::string makeKubeconfig(const std::string& server, const std::string& ca_pem,
                           const std::string& user, const std::string& token,
                           const std::string& context) {
  return "apiVersion: v1\n"
         "kind: Config\n"
         "clusters:\n"
         "- name: " +
         context +
         "\n"
         "  cluster:\n"
         "    server: " +
         server +
         "\n"
         "    certificate-authority-data: " +
         api::base64Encode(ca_pem) +
         "\n"
         "users:\n"
         "- name: " +
         context + "-" + user +
         "\n"
         "  user:\n"
         "    token: " +
         token +
         "\n"
         "contexts:\n"
         "- name: " +
         context +
         "\n"
         "  context:\n"
         "    cluster: " +
         context +
         "\n"
         "    user: " +
         context + "-" + user +
         "\n"
         "current-context: " +
         context + "\n";
}

}  // namespace ferry::controlplane
