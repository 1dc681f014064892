// Defaulting, as kube-apiserver applies it when it decodes a body (SetDefaults_* of
// pkg/apis/*/v1 and the v1 conversions that keep singular/plural fields in step). Idempotent,
// and total: values of the wrong JSON type are left for validation to report, never thrown on.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

namespace ferry::api {

// Dispatches on `kind`; kinds without defaults are left alone.
void applyDefaults(std::string_view kind, nlohmann::json& obj);

// Service: type ClusterIP; sessionAffinity None (ClientIP gets timeoutSeconds 10800); port
// protocol TCP, targetPort = port; externalTrafficPolicy Cluster for externally reachable types;
// internalTrafficPolicy Cluster (not for ExternalName); allocateLoadBalancerNodePorts true for
// LoadBalancer; status.loadBalancer.ingress[].ipMode VIP; ipFamilyPolicy SingleStack, or
// RequireDualStack when two cluster IPs or families are given (the allocator's rule in kube).
void defaultService(nlohmann::json& svc);
// Pod: restartPolicy Always, dnsPolicy ClusterFirst, terminationGracePeriodSeconds 30,
// schedulerName default-scheduler, enableServiceLinks true, securityContext {}; containers:
// imagePullPolicy (Always for :latest or untagged), terminationMessagePath/Policy, port protocol
// TCP (hostPort = containerPort with hostNetwork); status.podIP(s) and hostIP(s) in step.
void defaultPod(nlohmann::json& pod);
// Endpoints: port protocol TCP.
void defaultEndpoints(nlohmann::json& ep);
// EndpointSlice: port name "" and protocol TCP.
void defaultEndpointSlice(nlohmann::json& slice);
// Secret: type Opaque; stringData merged into data (base64) and dropped.
void defaultSecret(nlohmann::json& secret);
// Namespace: label kubernetes.io/metadata.name = name; status.phase Active.
void defaultNamespace(nlohmann::json& ns);
// Node: spec.podCIDR(s) in step; status.allocatable = capacity when unset.
void defaultNode(nlohmann::json& node);
// IngressClass: spec.parameters.scope Cluster.
void defaultIngressClass(nlohmann::json& ic);

}  // namespace ferry::api
