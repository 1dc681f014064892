// What a fresh cluster has before anyone writes to it, as kube-apiserver creates it: the
// default, kube-system, kube-public and kube-node-lease namespaces, and the
// default/kubernetes Service on the first IP of the service range with Endpoints pointing at
// the API server; and, as kubeadm's DNS add-on does, the kube-system/kube-dns Service on the
// tenth IP (what kubelets write into pods' resolv.conf), selecting k8s-app=kube-dns pods.
// Idempotent: run at every start.
#pragma once

#include <string>

#include "ferry/api/result.h"
#include "ferry/controlplane/admission.h"
#include "ferry/controlplane/object_storage.h"

namespace ferry::controlplane {

struct BootstrapOptions {
  std::string advertise_address = "127.0.0.1";
  uint16_t secure_port = 6443;
  std::string cluster_dns_ip;  // kube-system/kube-dns's ClusterIP; empty: no kube-dns Service
};

api::Result<bool> bootstrapCluster(ObjectStorage& storage, const Admission& admission, const BootstrapOptions& options);

// A kubeconfig (YAML) for `user` with a bearer token, trusting `ca_pem`.
std::string makeKubeconfig(const std::string& server, const std::string& ca_pem, const std::string& user,
                           const std::string& token, const std::string& context = "ferry");

}  // namespace ferry::controlplane
