// ValidateService rules, one row each, through the server's create/update pipelines
// (defaults → prepare → validate) unless a rule is only reachable without defaults.
#include <gtest/gtest.h>

#include "validation_table.h"

namespace ferry::api {
namespace {

using nlohmann::json;

json baseService() {
  return json::parse(R"({"apiVersion":"v1","kind":"Service",
    "metadata":{"name":"web","namespace":"default"},
    "spec":{"selector":{"app":"web"},"ports":[{"name":"http","port":80,"targetPort":8080}]}})");
}

TEST(ServiceValidation, Metadata) {
  testing::runCreateRows(
      "Service", baseService(),
      {
          {"valid", "{}", {}},
          {"name is a DNS-1035 label",
           R"({"metadata":{"name":"1web"}})",
           {"FieldValueInvalid metadata.name"},
           "Invalid value: \"1web\": a DNS-1035 label must consist of lower case alphanumeric "
           "characters or '-', start with an alphabetic character, and end with an alphanumeric "
           "character (e.g. 'my-name',  or 'abc-123', regex used for validation is "
           "'[a-z]([-a-z0-9]*[a-z0-9])?')"},
          {"no dots", R"({"metadata":{"name":"web.v1"}})", {"FieldValueInvalid metadata.name"}},
          {"namespace required",
           R"({"metadata":{"namespace":null}})",
           {"FieldValueRequired metadata.namespace"}},
          {"topology annotations must agree",
           R"({"metadata":{"annotations":{
               "service.kubernetes.io/topology-mode":"Auto",
               "service.kubernetes.io/topology-aware-hints":"Disabled"}}})",
           {"FieldValueInvalid metadata.annotations[service.kubernetes.io/topology-mode]"}},
          {"bad selector",
           R"({"spec":{"selector":{"app":"-web"}}})",
           {"FieldValueInvalid spec.selector"}},
      });
}

TEST(ServiceValidation, Ports) {
  testing::runCreateRows(
      "Service", baseService(),
      {
          {"ports required",
           R"({"spec":{"ports":null}})",
           {"FieldValueRequired spec.ports"},
           "Required value"},
          {"headless needs no ports", R"({"spec":{"ports":null,"clusterIP":"None"}})", {}},
          {"names required with two ports",
           R"({"spec":{"ports":[{"port":80},{"port":81}]}})",
           {"FieldValueRequired spec.ports[0].name", "FieldValueRequired spec.ports[1].name"}},
          {"one port needs no name", R"({"spec":{"ports":[{"port":80}]}})", {}},
          {"duplicate names",
           R"({"spec":{"ports":[{"name":"a","port":80},{"name":"a","port":81}]}})",
           {"FieldValueDuplicate spec.ports[1].name"},
           "Duplicate value: \"a\""},
          {"name is a DNS-1123 label",
           R"({"spec":{"ports":[{"name":"HTTP","port":80}]}})",
           {"FieldValueInvalid spec.ports[0].name"}},
          {"port zero",
           R"({"spec":{"ports":[{"name":"http","port":0,"targetPort":8080}]}})",
           {"FieldValueInvalid spec.ports[0].port"},
           "Invalid value: 0: must be between 1 and 65535, inclusive"},
          {"port too big",
           R"({"spec":{"ports":[{"name":"http","port":70000,"targetPort":8080}]}})",
           {"FieldValueInvalid spec.ports[0].port"},
           "Invalid value: 70000: must be between 1 and 65535, inclusive"},
          {"protocol",
           R"({"spec":{"ports":[{"name":"http","port":80,"protocol":"HTTP"}]}})",
           {"FieldValueNotSupported spec.ports[0].protocol"},
           R"(Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP")"},
          {"SCTP", R"({"spec":{"ports":[{"name":"http","port":80,"protocol":"SCTP"}]}})", {}},
          {"targetPort name",
           R"({"spec":{"ports":[{"name":"http","port":80,"targetPort":"Web_1"}]}})",
           {"FieldValueInvalid spec.ports[0].targetPort"}},
          {"targetPort named",
           R"({"spec":{"ports":[{"name":"http","port":80,"targetPort":"http-alt"}]}})",
           {}},
          {"targetPort 0 defaults to port",
           R"({"spec":{"ports":[{"name":"http","port":80,"targetPort":0}]}})",
           {}},
          {"targetPort range",
           R"({"spec":{"ports":[{"name":"http","port":80,"targetPort":65536}]}})",
           {"FieldValueInvalid spec.ports[0].targetPort"}},
          {"targetPort type",
           R"({"spec":{"ports":[{"name":"http","port":80,"targetPort":true}]}})",
           {"FieldValueTypeInvalid spec.ports[0].targetPort"}},
          {"appProtocol",
           R"({"spec":{"ports":[{"name":"http","port":80,"appProtocol":"a b"}]}})",
           {"FieldValueInvalid spec.ports[0].appProtocol"}},
          {"appProtocol ok",
           R"({"spec":{"ports":[{"name":"http","port":80,"appProtocol":"kubernetes.io/h2c"}]}})",
           {}},
          {"duplicate port and protocol",
           R"({"spec":{"ports":[{"name":"a","port":80},{"name":"b","port":80}]}})",
           {"FieldValueDuplicate spec.ports[1]"},
           "Duplicate value: core.ServicePort{Name:\"\", Protocol:\"TCP\", "
           "AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, "
           "StrVal:\"\"}, NodePort:0}"},
          {"same port, other protocol",
           R"({"spec":{"ports":[{"name":"dns","port":53,"protocol":"UDP"},{"name":"dns-tcp","port":53}]}})",
           {}},
          {"nodePort on ClusterIP",
           R"({"spec":{"ports":[{"name":"http","port":80,"nodePort":30080}]}})",
           {"FieldValueForbidden spec.ports[0].nodePort"},
           "Forbidden: may not be used when `type` is 'ClusterIP'"},
          {"nodePort on NodePort",
           R"({"spec":{"type":"NodePort","ports":[{"name":"http","port":80,"nodePort":30080}]}})",
           {}},
          {"duplicate nodePort",
           R"({"spec":{"type":"NodePort","ports":[{"name":"a","port":80,"nodePort":30080},
               {"name":"b","port":81,"nodePort":30080}]}})",
           {"FieldValueDuplicate spec.ports[1].nodePort"},
           "Duplicate value: 30080"},
          {"same nodePort, other protocol",
           R"({"spec":{"type":"NodePort","ports":[{"name":"a","port":80,"nodePort":30080},
               {"name":"b","port":80,"protocol":"UDP","nodePort":30080}]}})",
           {}},
          // Current kube no longer reserves the kubelet port on load balancers.
          {"kubelet port on a load balancer",
           R"({"spec":{"type":"LoadBalancer","ports":[{"name":"k","port":10250}]}})",
           {}},
          {"ports not a list",
           R"({"spec":{"ports":"80"}})",
           {"FieldValueTypeInvalid spec.ports", "FieldValueRequired spec.ports"}},
          {"port not an object",
           R"({"spec":{"ports":[80]}})",
           {"FieldValueTypeInvalid spec.ports[0]"}},
          {"port number type",
           R"({"spec":{"ports":[{"name":"http","port":"80","targetPort":1}]}})",
           {"FieldValueTypeInvalid spec.ports[0].port"}},
      });
}

TEST(ServiceValidation, TypesAndHeadless) {
  testing::runCreateRows(
      "Service", baseService(),
      {
          {"unknown type",
           R"({"spec":{"type":"Internal"}})",
           {"FieldValueNotSupported spec.type"},
           "Unsupported value: \"Internal\": supported values: \"ClusterIP\", \"ExternalName\", "
           "\"LoadBalancer\", \"NodePort\""},
          {"headless NodePort",
           R"({"spec":{"type":"NodePort","clusterIP":"None"}})",
           {"FieldValueInvalid spec.clusterIPs[0]"},
           "Invalid value: \"None\": may not be set to 'None' for NodePort services"},
          {"headless LoadBalancer",
           R"({"spec":{"type":"LoadBalancer","clusterIP":"None"}})",
           {"FieldValueInvalid spec.clusterIPs[0]"},
           "Invalid value: \"None\": may not be set to 'None' for LoadBalancer services"},
          {"headless ClusterIP", R"({"spec":{"clusterIP":"None"}})", {}},
          {"LoadBalancer", R"({"spec":{"type":"LoadBalancer"}})", {}},
      });
}

TEST(ServiceValidation, ExternalName) {
  testing::runCreateRows(
      "Service", baseService(),
      {
          {"valid",
           R"({"spec":{"type":"ExternalName","externalName":"db.example.com","ports":null,"selector":null}})",
           {}},
          {"trailing dot",
           R"({"spec":{"type":"ExternalName","externalName":"db.example.com."}})",
           {}},
          {"externalName required",
           R"({"spec":{"type":"ExternalName"}})",
           {"FieldValueRequired spec.externalName"}},
          {"externalName syntax",
           R"({"spec":{"type":"ExternalName","externalName":"db_1.example.com"}})",
           {"FieldValueInvalid spec.externalName"}},
          {"no clusterIP",
           R"({"spec":{"type":"ExternalName","externalName":"a.b","clusterIP":"10.96.0.9"}})",
           {"FieldValueForbidden spec.clusterIPs"},
           "Forbidden: may not be set for ExternalName services"},
          {"no ipFamilies",
           R"({"spec":{"type":"ExternalName","externalName":"a.b","ipFamilies":["IPv4"]}})",
           {"FieldValueForbidden spec.ipFamilies"}},
          {"no ipFamilyPolicy",
           R"({"spec":{"type":"ExternalName","externalName":"a.b","ipFamilyPolicy":"SingleStack"}})",
           {"FieldValueForbidden spec.ipFamilyPolicy"}},
      });
}

TEST(ServiceValidation, SessionAffinity) {
  testing::runCreateRows(
      "Service", baseService(),
      {
          {"unknown",
           R"({"spec":{"sessionAffinity":"Sticky"}})",
           {"FieldValueNotSupported spec.sessionAffinity"},
           R"(Unsupported value: "Sticky": supported values: "ClientIP", "None")"},
          {"ClientIP defaults its timeout", R"({"spec":{"sessionAffinity":"ClientIP"}})", {}},
          {"timeout zero",
           R"({"spec":{"sessionAffinity":"ClientIP","sessionAffinityConfig":{"clientIP":{"timeoutSeconds":0}}}})",
           {"FieldValueInvalid spec.sessionAffinityConfig.clientIP.timeoutSeconds"},
           "Invalid value: 0: must be greater than 0 and less than 86400"},
          {"timeout max",
           R"({"spec":{"sessionAffinity":"ClientIP","sessionAffinityConfig":{"clientIP":{"timeoutSeconds":86400}}}})",
           {}},
          {"timeout too big",
           R"({"spec":{"sessionAffinity":"ClientIP","sessionAffinityConfig":{"clientIP":{"timeoutSeconds":86401}}}})",
           {"FieldValueInvalid spec.sessionAffinityConfig.clientIP.timeoutSeconds"}},
      });
}

TEST(ServiceValidation, ClusterIps) {
  testing::runCreateRows(
      "Service", baseService(),
      {
          {"empty clusterIP is allocated later", R"({"spec":{"clusterIP":""}})", {}},
          {"chosen clusterIP", R"({"spec":{"clusterIP":"10.96.0.10"}})", {}},
          {"bad clusterIP",
           R"({"spec":{"clusterIP":"10.96.0.300"}})",
           {"FieldValueInvalid spec.clusterIPs[0]"},
           "Invalid value: \"10.96.0.300\": must be a valid IP address, (e.g. 10.9.8.7 or "
           "2001:db8::ffff)"},
          {"clusterIPs[0] must match",
           R"({"spec":{"clusterIP":"10.96.0.10","clusterIPs":["10.96.0.11"]}})",
           {"FieldValueInvalid spec.clusterIPs"},
           "Invalid value: []string{\"10.96.0.11\"}: first value must match `clusterIP`"},
          {"clusterIPs without clusterIP",
           R"({"spec":{"clusterIPs":["10.96.0.11"]}})",
           {"FieldValueInvalid spec.clusterIPs"},
           "Invalid value: []string{\"10.96.0.11\"}: must be empty when `clusterIP` is not "
           "specified"},
          {"None first and only",
           R"({"spec":{"clusterIP":"None","clusterIPs":["None","10.96.0.1"]}})",
           {"FieldValueInvalid spec.clusterIPs"}},
          {"at most two",
           R"({"spec":{"clusterIP":"10.96.0.1","clusterIPs":["10.96.0.1","fd00::1","10.96.0.2"]}})",
           {"FieldValueInvalid spec.clusterIPs"}},
          {"one per family",
           R"({"spec":{"clusterIP":"10.96.0.1","clusterIPs":["10.96.0.1","10.96.0.2"]}})",
           {"FieldValueInvalid spec.clusterIPs"},
           "Invalid value: []string{\"10.96.0.1\", \"10.96.0.2\"}: may specify no more than one "
           "IP for each IP family"},
          {"dual stack",
           R"({"spec":{"clusterIP":"10.96.0.1","clusterIPs":["10.96.0.1","fd00::1"],
               "ipFamilies":["IPv4","IPv6"]}})",
           {}},
          {"unknown family",
           R"({"spec":{"ipFamilies":["IPv5"]}})",
           {"FieldValueNotSupported spec.ipFamilies[0]"}},
          {"duplicate family",
           R"({"spec":{"ipFamilies":["IPv4","IPv4"]}})",
           {"FieldValueDuplicate spec.ipFamilies[1]"}},
          {"unknown policy",
           R"({"spec":{"ipFamilyPolicy":"Whatever"}})",
           {"FieldValueNotSupported spec.ipFamilyPolicy"},
           "Unsupported value: \"Whatever\": supported values: \"PreferDualStack\", "
           "\"RequireDualStack\", \"SingleStack\""},
          {"family mismatch",
           R"({"spec":{"clusterIP":"fd00::10","ipFamilies":["IPv4"]}})",
           {"FieldValueInvalid spec.clusterIPs[0]"},
           "Invalid value: \"fd00::10\": expected an IPv4 value as indicated by `ipFamilies[0]`"},
          {"single stack with two families",
           R"({"spec":{"ipFamilyPolicy":"SingleStack","ipFamilies":["IPv4","IPv6"]}})",
           {"FieldValueInvalid spec.ipFamilyPolicy"}},
      });
}

TEST(ServiceValidation, ExternalAccess) {
  testing::runCreateRows(
      "Service", baseService(),
      {
          {"externalIPs", R"({"spec":{"externalIPs":["192.0.2.10"]}})", {}},
          {"externalIP syntax",
           R"({"spec":{"externalIPs":["192.0.2"]}})",
           {"FieldValueInvalid spec.externalIPs[0]"}},
          {"externalIP loopback",
           R"({"spec":{"externalIPs":["127.0.0.1"]}})",
           {"FieldValueInvalid spec.externalIPs[0]"},
           "Invalid value: \"127.0.0.1\": may not be in the loopback range (127.0.0.0/8, ::1/128)"},
          {"source ranges need a load balancer",
           R"({"spec":{"loadBalancerSourceRanges":["10.0.0.0/8"]}})",
           {"FieldValueForbidden spec.LoadBalancerSourceRanges"},
           "Forbidden: may only be used when `type` is 'LoadBalancer'"},
          {"source range syntax",
           R"({"spec":{"type":"LoadBalancer","loadBalancerSourceRanges":[" 10.0.0.0/8 ","10.0.0.0/33"]}})",
           {"FieldValueInvalid spec.LoadBalancerSourceRanges[1]"},
           "Invalid value: \"10.0.0.0/33\": must be a valid CIDR value, (e.g. 10.9.8.0/24 or "
           "2001:db8::/64)"},
          {"source range annotation",
           R"({"metadata":{"annotations":{"service.beta.kubernetes.io/load-balancer-source-ranges":"10.0.0.0/8"}}})",
           {"FieldValueForbidden "
            "metadata.annotations[service.beta.kubernetes.io/load-balancer-source-ranges]"}},
          {"source range annotation syntax",
           R"({"spec":{"type":"LoadBalancer"},"metadata":{"annotations":{
               "service.beta.kubernetes.io/load-balancer-source-ranges":"10.0.0.0/8, x"}}})",
           {"FieldValueInvalid "
            "metadata.annotations[service.beta.kubernetes.io/load-balancer-source-ranges]"}},
          {"allocateLoadBalancerNodePorts needs a load balancer",
           R"({"spec":{"allocateLoadBalancerNodePorts":false}})",
           {"FieldValueForbidden spec.allocateLoadBalancerNodePorts"}},
          {"load balancer without node ports",
           R"({"spec":{"type":"LoadBalancer","allocateLoadBalancerNodePorts":false}})",
           {}},
          {"loadBalancerClass needs a load balancer",
           R"({"spec":{"loadBalancerClass":"example.com/lb"}})",
           {"FieldValueForbidden spec.loadBalancerClass"},
           "Forbidden: may only be used when `type` is 'LoadBalancer'"},
          {"loadBalancerClass syntax",
           R"({"spec":{"type":"LoadBalancer","loadBalancerClass":"a b"}})",
           {"FieldValueInvalid spec.loadBalancerClass"}},
          {"externalTrafficPolicy on ClusterIP",
           R"({"spec":{"externalTrafficPolicy":"Local"}})",
           {"FieldValueInvalid spec.externalTrafficPolicy"},
           "Invalid value: \"Local\": may only be set for externally-accessible services"},
          {"externalTrafficPolicy value",
           R"({"spec":{"type":"NodePort","externalTrafficPolicy":"Nearest"}})",
           {"FieldValueNotSupported spec.externalTrafficPolicy"}},
          {"Local NodePort", R"({"spec":{"type":"NodePort","externalTrafficPolicy":"Local"}})", {}},
          {"healthCheckNodePort needs LoadBalancer+Local",
           R"({"spec":{"type":"NodePort","healthCheckNodePort":30999}})",
           {"FieldValueInvalid spec.healthCheckNodePort"},
           "Invalid value: 30999: may only be set when `type` is 'LoadBalancer' and "
           "`externalTrafficPolicy` is 'Local'"},
          {"healthCheckNodePort allocated later",
           R"({"spec":{"type":"LoadBalancer","externalTrafficPolicy":"Local"}})",
           {}},
          {"healthCheckNodePort range",
           R"({"spec":{"type":"LoadBalancer","externalTrafficPolicy":"Local","healthCheckNodePort":70000}})",
           {"FieldValueInvalid spec.healthCheckNodePort"}},
          {"internalTrafficPolicy value",
           R"({"spec":{"internalTrafficPolicy":"Node"}})",
           {"FieldValueNotSupported spec.internalTrafficPolicy"}},
          {"trafficDistribution value",
           R"({"spec":{"trafficDistribution":"Nearest"}})",
           {"FieldValueNotSupported spec.trafficDistribution"}},
          {"trafficDistribution PreferClose",
           R"({"spec":{"trafficDistribution":"PreferClose"}})",
           {}},
      });
}

// Rules that defaulting satisfies on every real request: checked on validate() alone.
TEST(ServiceValidation, RulesBehindDefaults) {
  const json full = json::parse(R"({"metadata":{"name":"web","namespace":"default"},
      "spec":{"type":"ClusterIP","sessionAffinity":"None","internalTrafficPolicy":"Cluster",
              "ports":[{"name":"http","port":80,"protocol":"TCP","targetPort":8080}]}})");
  testing::runValidateRows(
      "Service", full,
      {
          {"valid", "{}", {}},
          {"type required", R"({"spec":{"type":null}})", {"FieldValueRequired spec.type"}},
          {"sessionAffinity required",
           R"({"spec":{"sessionAffinity":null}})",
           {"FieldValueRequired spec.sessionAffinity"}},
          {"protocol required",
           R"({"spec":{"ports":[{"name":"http","port":80,"targetPort":1}]}})",
           {"FieldValueRequired spec.ports[0].protocol"}},
          {"targetPort unset is 0",
           R"({"spec":{"ports":[{"name":"http","port":80,"protocol":"TCP"}]}})",
           {"FieldValueInvalid spec.ports[0].targetPort"}},
          {"internalTrafficPolicy required",
           R"({"spec":{"internalTrafficPolicy":null}})",
           {"FieldValueRequired spec.internalTrafficPolicy"},
           "Required value"},
          {"externalTrafficPolicy required",
           R"({"spec":{"type":"NodePort"}})",
           {"FieldValueRequired spec.externalTrafficPolicy"}},
          {"ClientIP config required",
           R"({"spec":{"sessionAffinity":"ClientIP"}})",
           {"FieldValueRequired spec.sessionAffinityConfig"},
           "Required value: when session affinity type is ClientIP"},
          {"ClientIP clientIP required",
           R"({"spec":{"sessionAffinity":"ClientIP","sessionAffinityConfig":{}}})",
           {"FieldValueRequired spec.sessionAffinityConfig.clientIP"}},
          {"ClientIP timeout required",
           R"({"spec":{"sessionAffinity":"ClientIP","sessionAffinityConfig":{"clientIP":{}}}})",
           {"FieldValueRequired spec.sessionAffinityConfig.clientIP.timeoutSeconds"}},
          {"no config with None",
           R"({"spec":{"sessionAffinityConfig":{"clientIP":{"timeoutSeconds":5}}}})",
           {"FieldValueForbidden spec.sessionAffinityConfig"},
           "Forbidden: must not be set when session affinity is None"},
          // kube's path for this one has no "spec." prefix.
          {"allocateLoadBalancerNodePorts required",
           R"({"spec":{"type":"LoadBalancer","externalTrafficPolicy":"Cluster"}})",
           {"FieldValueRequired allocateLoadBalancerNodePorts"}},
          {"clusterIPs follow clusterIP",
           R"({"spec":{"clusterIP":"10.96.0.1"}})",
           {"FieldValueRequired spec.clusterIPs"}},
          {"not an object",
           R"({"spec":[]})",
           {"FieldValueTypeInvalid spec", "FieldValueRequired spec.ports",
            "FieldValueRequired spec.sessionAffinity", "FieldValueRequired spec.type"}},
      });
}

json baseStored() {
  return json::parse(R"({"spec":{"clusterIP":"10.96.0.50","clusterIPs":["10.96.0.50"],
    "ipFamilies":["IPv4"]}})");
}

TEST(ServiceValidation, Update) {
  testing::runUpdateRows(
      "Service", baseService(),
      {
          {"unchanged", "{}", {}},
          {"labels may change", R"({"metadata":{"labels":{"a":"b"}}})", {}},
          {"clusterIP is immutable",
           R"({"spec":{"clusterIP":"10.96.0.51"}})",
           {"FieldValueInvalid spec.clusterIPs[0]"},
           "Invalid value: []string{\"10.96.0.51\"}: may not change once set"},
          {"both changed",
           R"({"spec":{"clusterIP":"10.96.0.51","clusterIPs":["10.96.0.51"]}})",
           {"FieldValueInvalid spec.clusterIPs[0]"}},
          {"to headless",
           R"({"spec":{"clusterIP":"None"}})",
           {"FieldValueInvalid spec.clusterIPs[0]"}},
          {"resubmitted without allocated values",
           R"({"spec":{"clusterIP":null,"clusterIPs":null}})",
           {}},
          {"to ExternalName",
           R"({"spec":{"type":"ExternalName","externalName":"db.example.com"}})",
           {}},
          {"family change",
           R"({"spec":{"ipFamilies":["IPv6"]}})",
           {"FieldValueInvalid spec.ipFamilies[0]", "FieldValueInvalid spec.clusterIPs[0]"}},
          {"name is immutable",
           R"({"metadata":{"name":"api"}})",
           {"FieldValueInvalid metadata.name"}},
          {"to NodePort", R"({"spec":{"type":"NodePort"}})", {}},
      },
      baseStored());
}

TEST(ServiceValidation, UpdateDualStackDowngradeNeedsSingleStack) {
  const json stored = json::parse(R"({"spec":{"clusterIP":"10.96.0.50",
      "clusterIPs":["10.96.0.50","fd00::50"],"ipFamilies":["IPv4","IPv6"],
      "ipFamilyPolicy":"RequireDualStack"}})");
  testing::runUpdateRows(
      "Service", baseService(),
      {
          {"release the secondary IP with SingleStack",
           R"({"spec":{"clusterIPs":["10.96.0.50"],"ipFamilies":["IPv4"],"ipFamilyPolicy":"SingleStack"}})",
           {}},
          {"release the secondary IP without SingleStack",
           R"({"spec":{"clusterIPs":["10.96.0.50"],"ipFamilies":["IPv4"]}})",
           {"FieldValueInvalid spec.ipFamilyPolicy", "FieldValueInvalid spec.ipFamilyPolicy"},
           "Invalid value: \"RequireDualStack\": must be set to 'SingleStack' when releasing the "
           "secondary clusterIP"},

      },
      stored);
}

TEST(ServiceValidation, UpdateLoadBalancerClassIsImmutable) {
  const json stored = json::parse(R"({"spec":{"type":"LoadBalancer","clusterIP":"10.96.0.50",
      "clusterIPs":["10.96.0.50"],"loadBalancerClass":"example.com/a"}})");
  testing::runUpdateRows("Service", baseService(),
                         {
                             {"same", "{}", {}},
                             {"changed",
                              R"({"spec":{"loadBalancerClass":"example.com/b"}})",
                              {"FieldValueInvalid spec.loadBalancerClass"},
                              "Invalid value: \"example.com/b\": may not change once set"},
                             {"left LoadBalancer", R"({"spec":{"type":"ClusterIP"}})", {}},
                         },
                         stored);
}

}  // namespace
}  // namespace ferry::api
