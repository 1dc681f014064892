// The Pod objects `ferry pod` writes, through kubectl: the agent module has no HTTPS client
// of its own (the ones in the repository live in bench/ and the control plane), and kubectl
// already speaks the API, the kubeconfig format and its contexts exactly as users expect.
// $FERRY_KUBECTL names another kubectl binary.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "ferry/api/result.h"

namespace ferry::agent::pods {

struct ContainerPort {
  std::string name;
  int port = 0;
  std::string protocol = "TCP";
};

struct PodSpec {
  std::string namespace_;
  std::string name;
  std::string node;
  std::map<std::string, std::string> labels;
  std::vector<ContainerPort> ports;
  std::vector<std::string> command;
};

struct PodSummary {
  std::string namespace_;
  std::string name;
  std::string node;
  std::string ip;
  std::string phase;
  bool ready = false;
};

class PodApi {
 public:
  // kubeconfig "" and context "": kubectl's own defaults ($KUBECONFIG, ~/.kube/config, the
  // current context).
  PodApi(std::string kubeconfig, std::string context)
      : kubeconfig_(std::move(kubeconfig)), context_(std::move(context)) {}

  // POST of the Pod (pending, no IP yet). An existing object of that name is an error.
  api::Result<bool> create(const PodSpec& spec) const;
  // The status subresource: Running with podIP/hostIP and the Ready condition.
  api::Result<bool> setStatus(const PodSpec& spec, const std::string& pod_ip,
                              const std::string& host_ip, bool ready) const;
  // Deletes the object; a missing one is fine.
  api::Result<bool> remove(const std::string& ns, const std::string& name) const;
  // namespace_ "" lists every namespace.
  api::Result<std::vector<PodSummary>> list(const std::string& ns) const;
  api::Result<bool> exists(const std::string& ns, const std::string& name) const;

 private:
  std::vector<std::string> kubectl(std::vector<std::string> args) const;
  std::string kubeconfig_;
  std::string context_;
};

// The JSON bodies, apart for tests.
std::string podManifest(const PodSpec& spec);
std::string podStatusPatch(const std::string& container_name, const std::string& pod_ip,
                           const std::string& host_ip, bool ready, const std::string& now_rfc3339);
std::vector<PodSummary> parsePodList(const std::string& json);

}  // namespace ferry::agent::pods
