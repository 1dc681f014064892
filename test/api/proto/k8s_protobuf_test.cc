#include "ferry/api/k8s_protobuf.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "k8s/core_v1.pb.h"
#include "k8s/discovery_v1.pb.h"
#include "k8s/networking_v1.pb.h"
#include "k8s_protobuf_test_util.h"

namespace ferry::api {
namespace {

using testing::decoded;
using testing::decodeError;
using testing::envelope;
using testing::gogoMeta;
using testing::json;
namespace core = ::k8s::io::api::core::v1;
namespace discovery = ::k8s::io::api::discovery::v1;
namespace networking = ::k8s::io::api::networking::v1;
namespace meta = ::k8s::io::apimachinery::pkg::apis::meta::v1;

// 2026-01-02T03:04:05Z
constexpr int64_t kSeconds = 1767323045;

TEST(KubernetesProtobuf, ContentType) {
  EXPECT_TRUE(isKubernetesProtobuf("application/vnd.kubernetes.protobuf"));
  EXPECT_TRUE(isKubernetesProtobuf("Application/VND.Kubernetes.Protobuf"));
  EXPECT_TRUE(isKubernetesProtobuf(" application/vnd.kubernetes.protobuf ; charset=utf-8"));
  EXPECT_FALSE(isKubernetesProtobuf("application/json"));
  EXPECT_FALSE(isKubernetesProtobuf("application/vnd.kubernetes.protobuf-x"));
  EXPECT_FALSE(isKubernetesProtobuf(""));
}

TEST(KubernetesProtobuf, EnvelopeErrors) {
  core::Namespace ns;
  gogoMeta(ns.mutable_metadata(), "demo");
  const std::string body = envelope("v1", "Namespace", ns);

  EXPECT_NE(decodeError(body.substr(4)).find("magic"), std::string::npos);
  EXPECT_NE(decodeError("k8s").find("magic"), std::string::npos);
  EXPECT_NE(decodeError(std::string("k8s\0\xff", 5)).find("envelope"), std::string::npos);
  EXPECT_EQ(decodeError(envelope("apps/v1", "Deployment", ns)),
            "unsupported kind apps/v1 Deployment in protobuf body");
  // events.k8s.io/v1 Event is another message than core/v1 Event.
  EXPECT_NE(decodeError(envelope("events.k8s.io/v1", "Event", ns)).find("unsupported kind"),
            std::string::npos);
  EXPECT_NE(decodeError(envelope("networking.k8s.io/v1", "Namespace", ns)).find("unsupported"),
            std::string::npos);
  EXPECT_EQ(decodeError(envelope("", "", ns)), "protobuf body names no kind");
  EXPECT_EQ(decodeError(envelope("v1", "Namespace", std::string("\x0a\x05\x0a", 3))),
            "malformed protobuf Namespace message");

  ::k8s::io::apimachinery::pkg::runtime::Unknown gzipped;
  gzipped.mutable_typemeta()->set_apiversion("v1");
  gzipped.mutable_typemeta()->set_kind("Namespace");
  gzipped.set_raw(ns.SerializeAsString());
  gzipped.set_contentencoding("gzip");
  EXPECT_EQ(decodeError(std::string("k8s\0", 4) + gzipped.SerializeAsString()),
            "unsupported protobuf contentEncoding \"gzip\"");
}

TEST(KubernetesProtobuf, FallbackTypeFillsAnEmptyTypeMeta) {
  core::Namespace ns;
  gogoMeta(ns.mutable_metadata(), "demo");
  Result<json> result = decodeKubernetesProtobuf(envelope("", "", ns), {"v1", "Namespace"});
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_EQ((*result)["apiVersion"], "v1");
  EXPECT_EQ((*result)["kind"], "Namespace");
  // The body's own typeMeta wins over the fallback.
  result = decodeKubernetesProtobuf(envelope("apps/v1", "Deployment", ns), {"v1", "Namespace"});
  EXPECT_FALSE(result.ok());
}

// What `kubectl create namespace demo` sends, as gogo marshals it.
TEST(KubernetesProtobuf, NamespaceAsKubectlSendsIt) {
  core::Namespace ns;
  gogoMeta(ns.mutable_metadata(), "demo");
  ns.mutable_spec();
  ns.mutable_status()->set_phase("");
  EXPECT_EQ(decoded(envelope("v1", "Namespace", ns)), json::parse(R"({"apiVersion":"v1",
      "kind":"Namespace","metadata":{"name":"demo","creationTimestamp":null},"spec":{},
      "status":{}})"));
}

TEST(KubernetesProtobuf, ObjectMeta) {
  core::Namespace ns;
  meta::ObjectMeta* m = ns.mutable_metadata();
  gogoMeta(m, "team-a");
  m->set_uid("6c1b8a4e-0d4b-4c57-9d4f-1f0a9e1d2c3b");
  m->set_resourceversion("42");
  m->set_generation(3);
  m->mutable_creationtimestamp()->set_seconds(kSeconds);
  m->mutable_deletiontimestamp()->set_seconds(kSeconds + int64_t{86400} * 366 + 3600);
  m->set_deletiongraceperiodseconds(0);  // a pointer: zero is meaningful
  (*m->mutable_labels())["app"] = "web";
  (*m->mutable_labels())["tier"] = "";
  (*m->mutable_annotations())["note"] = "hello";
  m->add_finalizers("kubernetes");
  meta::OwnerReference* owner = m->add_ownerreferences();
  owner->set_apiversion("apps/v1");
  owner->set_kind("ReplicaSet");
  owner->set_name("web-1");
  owner->set_uid("");
  owner->set_controller(true);
  owner->set_blockownerdeletion(false);
  meta::ManagedFieldsEntry* managed = m->add_managedfields();
  managed->set_manager("kubectl-create");
  managed->set_operation("Update");
  managed->set_apiversion("v1");
  managed->mutable_time()->set_seconds(kSeconds);
  managed->set_fieldstype("FieldsV1");
  managed->mutable_fieldsv1()->set_raw(R"({"f:metadata":{"f:labels":{".":{},"f:app":{}}}})");
  managed->set_subresource("");

  EXPECT_EQ(decoded(envelope("v1", "Namespace", ns))["metadata"], json::parse(R"({
      "name":"team-a","uid":"6c1b8a4e-0d4b-4c57-9d4f-1f0a9e1d2c3b","resourceVersion":"42",
      "generation":3,"creationTimestamp":"2026-01-02T03:04:05Z",
      "deletionTimestamp":"2027-01-03T04:04:05Z","deletionGracePeriodSeconds":0,
      "labels":{"app":"web","tier":""},"annotations":{"note":"hello"},
      "finalizers":["kubernetes"],
      "ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"web-1","uid":"",
                          "controller":true,"blockOwnerDeletion":false}],
      "managedFields":[{"manager":"kubectl-create","operation":"Update","apiVersion":"v1",
                        "time":"2026-01-02T03:04:05Z","fieldsType":"FieldsV1",
                        "fieldsV1":{"f:metadata":{"f:labels":{".":{},"f:app":{}}}}}]})"));
}

TEST(KubernetesProtobuf, ServiceEveryField) {
  core::Service svc;
  gogoMeta(svc.mutable_metadata(), "web");
  svc.mutable_metadata()->set_namespace_("shop");
  core::ServiceSpec* spec = svc.mutable_spec();
  core::ServicePort* http = spec->add_ports();
  http->set_name("http");
  http->set_protocol("TCP");
  http->set_appprotocol("http");
  http->set_port(80);
  http->mutable_targetport()->set_type(1);
  http->mutable_targetport()->set_strval("web");
  http->set_nodeport(30080);
  core::ServicePort* dns = spec->add_ports();
  dns->set_name("");
  dns->set_protocol("UDP");
  dns->set_port(53);
  dns->mutable_targetport()->set_type(0);
  dns->mutable_targetport()->set_intval(5353);
  dns->set_nodeport(0);
  (*spec->mutable_selector())["app"] = "web";
  spec->set_clusterip("10.96.0.10");
  spec->add_clusterips("10.96.0.10");
  spec->add_clusterips("fd00::a");
  spec->set_type("NodePort");
  spec->add_externalips("192.0.2.1");
  spec->set_sessionaffinity("ClientIP");
  spec->mutable_sessionaffinityconfig()->mutable_clientip()->set_timeoutseconds(10800);
  spec->set_loadbalancerip("");
  spec->set_externalname("");
  spec->set_externaltrafficpolicy("Local");
  spec->set_healthchecknodeport(31000);
  spec->set_publishnotreadyaddresses(true);
  spec->add_ipfamilies("IPv4");
  spec->add_ipfamilies("IPv6");
  spec->set_ipfamilypolicy("PreferDualStack");
  spec->set_allocateloadbalancernodeports(false);
  spec->set_internaltrafficpolicy("Cluster");
  core::LoadBalancerIngress* ingress = svc.mutable_status()->mutable_loadbalancer()->add_ingress();
  ingress->set_ip("198.51.100.7");
  ingress->set_hostname("");
  ingress->set_ipmode("VIP");
  core::PortStatus* port_status = ingress->add_ports();
  port_status->set_port(80);
  port_status->set_protocol("TCP");
  meta::Condition* cond = svc.mutable_status()->add_conditions();
  cond->set_type("Ready");
  cond->set_status("True");
  cond->set_observedgeneration(0);
  cond->mutable_lasttransitiontime()->set_seconds(kSeconds);
  cond->set_reason("");
  cond->set_message("");

  EXPECT_EQ(decoded(envelope("v1", "Service", svc)), json::parse(R"({
      "apiVersion":"v1","kind":"Service",
      "metadata":{"name":"web","namespace":"shop","creationTimestamp":null},
      "spec":{"ports":[{"name":"http","protocol":"TCP","appProtocol":"http","port":80,
                        "targetPort":"web","nodePort":30080},
                       {"protocol":"UDP","port":53,"targetPort":5353}],
              "selector":{"app":"web"},"clusterIP":"10.96.0.10",
              "clusterIPs":["10.96.0.10","fd00::a"],"type":"NodePort",
              "externalIPs":["192.0.2.1"],"sessionAffinity":"ClientIP",
              "sessionAffinityConfig":{"clientIP":{"timeoutSeconds":10800}},
              "externalTrafficPolicy":"Local","healthCheckNodePort":31000,
              "publishNotReadyAddresses":true,"ipFamilies":["IPv4","IPv6"],
              "ipFamilyPolicy":"PreferDualStack","allocateLoadBalancerNodePorts":false,
              "internalTrafficPolicy":"Cluster"},
      "status":{"loadBalancer":{"ingress":[{"ip":"198.51.100.7","ipMode":"VIP",
                                            "ports":[{"port":80,"protocol":"TCP"}]}]},
                "conditions":[{"type":"Ready","status":"True",
                               "lastTransitionTime":"2026-01-02T03:04:05Z",
                               "reason":"","message":""}]}})"));
}

TEST(KubernetesProtobuf, IntOrStringOfUnknownTypeIsAnError) {
  core::Service svc;
  gogoMeta(svc.mutable_metadata(), "web");
  core::ServicePort* port = svc.mutable_spec()->add_ports();
  port->set_port(80);
  port->mutable_targetport()->set_type(2);
  EXPECT_EQ(decodeError(envelope("v1", "Service", svc)),
            "Service spec.ports[0].targetPort: IntOrString type 2 is neither 0 (int) nor 1 "
            "(string)");
}

TEST(KubernetesProtobuf, SecretBytesAreBase64) {
  core::Secret secret;
  gogoMeta(secret.mutable_metadata(), "creds");
  (*secret.mutable_data())["password"] = "s3cr3t";
  (*secret.mutable_data())["binary"] = std::string("\x00\xff\xfe", 3);
  (*secret.mutable_data())["empty"] = "";
  (*secret.mutable_stringdata())["extra"] = "plain";
  secret.set_type("Opaque");
  secret.set_immutable(false);
  EXPECT_EQ(decoded(envelope("v1", "Secret", secret)), json::parse(R"({
      "apiVersion":"v1","kind":"Secret",
      "metadata":{"name":"creds","creationTimestamp":null},
      "data":{"password":"czNjcjN0","binary":"AP/+","empty":""},
      "stringData":{"extra":"plain"},"type":"Opaque","immutable":false})"));
}

TEST(KubernetesProtobuf, ConfigMapDataAndBinaryData) {
  core::ConfigMap cm;
  gogoMeta(cm.mutable_metadata(), "web-config");
  (*cm.mutable_data())["nginx.conf"] = "server {}\n";
  (*cm.mutable_binarydata())["logo.png"] = "\x89PNG";
  cm.set_immutable(true);
  EXPECT_EQ(decoded(envelope("v1", "ConfigMap", cm)), json::parse(R"({
      "apiVersion":"v1","kind":"ConfigMap",
      "metadata":{"name":"web-config","creationTimestamp":null},
      "data":{"nginx.conf":"server {}\n"},"binaryData":{"logo.png":"iVBORw=="},
      "immutable":true})"));
}

TEST(KubernetesProtobuf, Endpoints) {
  core::Endpoints ep;
  gogoMeta(ep.mutable_metadata(), "web");
  core::EndpointSubset* subset = ep.add_subsets();
  core::EndpointAddress* ready = subset->add_addresses();
  ready->set_ip("10.244.1.5");
  ready->set_hostname("");
  ready->set_nodename("node-a");
  core::ObjectReference* ref = ready->mutable_targetref();
  ref->set_kind("Pod");
  ref->set_namespace_("shop");
  ref->set_name("web-0");
  ref->set_uid("");
  ref->set_apiversion("");
  ref->set_resourceversion("");
  ref->set_fieldpath("");
  subset->add_notreadyaddresses()->set_ip("10.244.2.9");
  core::EndpointPort* port = subset->add_ports();
  port->set_name("http");
  port->set_port(8080);
  port->set_protocol("TCP");
  port->set_appprotocol("");  // a pointer to "": kept
  EXPECT_EQ(decoded(envelope("v1", "Endpoints", ep)), json::parse(R"({
      "apiVersion":"v1","kind":"Endpoints",
      "metadata":{"name":"web","creationTimestamp":null},
      "subsets":[{"addresses":[{"ip":"10.244.1.5","nodeName":"node-a",
                                "targetRef":{"kind":"Pod","namespace":"shop","name":"web-0"}}],
                  "notReadyAddresses":[{"ip":"10.244.2.9"}],
                  "ports":[{"name":"http","port":8080,"protocol":"TCP","appProtocol":""}]}]})"));
}

TEST(KubernetesProtobuf, EndpointSliceKeepsFalseConditionsAndNullLists) {
  discovery::EndpointSlice slice;
  gogoMeta(slice.mutable_metadata(), "web-abc12");
  (*slice.mutable_metadata()->mutable_labels())["kubernetes.io/service-name"] = "web";
  slice.set_addresstype("IPv4");
  discovery::Endpoint* endpoint = slice.add_endpoints();
  endpoint->add_addresses("10.244.1.5");
  endpoint->mutable_conditions()->set_ready(false);
  endpoint->mutable_conditions()->set_serving(true);
  endpoint->set_nodename("node-a");
  endpoint->set_zone("zone-1");
  endpoint->mutable_hints()->add_forzones()->set_name("zone-1");
  discovery::EndpointPort* port = slice.add_ports();
  port->set_name("");
  port->set_port(8080);
  port->set_protocol("TCP");
  EXPECT_EQ(decoded(envelope("discovery.k8s.io/v1", "EndpointSlice", slice)), json::parse(R"({
      "apiVersion":"discovery.k8s.io/v1","kind":"EndpointSlice",
      "metadata":{"name":"web-abc12","creationTimestamp":null,
                  "labels":{"kubernetes.io/service-name":"web"}},
      "addressType":"IPv4",
      "endpoints":[{"addresses":["10.244.1.5"],"conditions":{"ready":false,"serving":true},
                    "nodeName":"node-a","zone":"zone-1",
                    "hints":{"forZones":[{"name":"zone-1"}]}}],
      "ports":[{"name":"","port":8080,"protocol":"TCP"}]})"));

  // Go's nil slices without omitempty: "endpoints": null, "ports": null.
  discovery::EndpointSlice empty;
  gogoMeta(empty.mutable_metadata(), "empty");
  empty.set_addresstype("IPv6");
  EXPECT_EQ(decoded(envelope("discovery.k8s.io/v1", "EndpointSlice", empty)), json::parse(R"({
      "apiVersion":"discovery.k8s.io/v1","kind":"EndpointSlice",
      "metadata":{"name":"empty","creationTimestamp":null},
      "addressType":"IPv6","endpoints":null,"ports":null})"));
}

TEST(KubernetesProtobuf, IngressInlineRuleValueAndNullPathType) {
  networking::Ingress ing;
  gogoMeta(ing.mutable_metadata(), "shop");
  networking::IngressSpec* spec = ing.mutable_spec();
  spec->set_ingressclassname("ferry");
  core::TypedLocalObjectReference* resource = spec->mutable_defaultbackend()->mutable_resource();
  resource->set_kind("StorageBucket");
  resource->set_name("static");
  networking::IngressTLS* tls = spec->add_tls();
  tls->add_hosts("shop.example");
  tls->set_secretname("shop-tls");
  networking::IngressRule* rule = spec->add_rules();
  rule->set_host("shop.example");
  networking::HTTPIngressPath* exact =
      rule->mutable_ingressrulevalue()->mutable_http()->add_paths();
  exact->set_path("/cart");
  exact->set_pathtype("Exact");
  networking::IngressServiceBackend* backend = exact->mutable_backend()->mutable_service();
  backend->set_name("cart");
  backend->mutable_port()->set_name("http");
  backend->mutable_port()->set_number(0);
  networking::HTTPIngressPath* untyped =
      rule->mutable_ingressrulevalue()->mutable_http()->add_paths();
  untyped->set_path("/");
  untyped->mutable_backend()->mutable_service()->set_name("web");
  untyped->mutable_backend()->mutable_service()->mutable_port()->set_number(80);
  ing.mutable_status()->mutable_loadbalancer();

  EXPECT_EQ(decoded(envelope("networking.k8s.io/v1", "Ingress", ing)), json::parse(R"({
      "apiVersion":"networking.k8s.io/v1","kind":"Ingress",
      "metadata":{"name":"shop","creationTimestamp":null},
      "spec":{"ingressClassName":"ferry",
              "defaultBackend":{"resource":{"apiGroup":null,"kind":"StorageBucket",
                                            "name":"static"}},
              "tls":[{"hosts":["shop.example"],"secretName":"shop-tls"}],
              "rules":[{"host":"shop.example","http":{"paths":[
                  {"path":"/cart","pathType":"Exact",
                   "backend":{"service":{"name":"cart","port":{"name":"http"}}}},
                  {"path":"/","pathType":null,
                   "backend":{"service":{"name":"web","port":{"number":80}}}}]}}]},
      "status":{"loadBalancer":{}}})"));
}

TEST(KubernetesProtobuf, IngressClassApiGroupJsonName) {
  networking::IngressClass cls;
  gogoMeta(cls.mutable_metadata(), "ferry");
  cls.mutable_spec()->set_controller("ferry.dev/ingress");
  networking::IngressClassParametersReference* params = cls.mutable_spec()->mutable_parameters();
  params->set_apigroup("ferry.dev");
  params->set_kind("IngressParameters");
  params->set_name("defaults");
  params->set_scope("Cluster");
  EXPECT_EQ(decoded(envelope("networking.k8s.io/v1", "IngressClass", cls)), json::parse(R"({
      "apiVersion":"networking.k8s.io/v1","kind":"IngressClass",
      "metadata":{"name":"ferry","creationTimestamp":null},
      "spec":{"controller":"ferry.dev/ingress",
              "parameters":{"apiGroup":"ferry.dev","kind":"IngressParameters",
                            "name":"defaults","scope":"Cluster"}}})"));
}

TEST(KubernetesProtobuf, PodSpecAndStatus) {
  core::Pod pod;
  gogoMeta(pod.mutable_metadata(), "web-0");
  core::PodSpec* spec = pod.mutable_spec();
  core::Volume* config = spec->add_volumes();
  config->set_name("config");
  config->mutable_volumesource()->mutable_configmap()->mutable_localobjectreference()->set_name(
      "web-config");
  config->mutable_volumesource()->mutable_configmap()->set_defaultmode(0644);
  core::Volume* scratch = spec->add_volumes();
  scratch->set_name("scratch");
  scratch->mutable_volumesource()->mutable_emptydir()->set_medium("Memory");
  scratch->mutable_volumesource()->mutable_emptydir()->mutable_sizelimit()->set_string("64Mi");
  core::Container* c = spec->add_containers();
  c->set_name("web");
  c->set_image("nginx:1.27");
  c->add_command("nginx");
  c->add_args("-g");
  c->add_args("daemon off;");
  core::ContainerPort* port = c->add_ports();
  port->set_name("http");
  port->set_containerport(80);
  port->set_protocol("TCP");
  core::EnvVar* literal = c->add_env();
  literal->set_name("MODE");
  literal->set_value("prod");
  core::EnvVar* from_config = c->add_env();
  from_config->set_name("LEVEL");
  core::ConfigMapKeySelector* key_ref = from_config->mutable_valuefrom()->mutable_configmapkeyref();
  key_ref->mutable_localobjectreference()->set_name("web-config");
  key_ref->set_key("LOG_LEVEL");
  key_ref->set_optional(false);
  (*c->mutable_resources()->mutable_limits())["memory"].set_string("128Mi");
  (*c->mutable_resources()->mutable_requests())["cpu"].set_string("100m");
  core::VolumeMount* mount = c->add_volumemounts();
  mount->set_name("config");
  mount->set_readonly(true);
  mount->set_mountpath("/etc/nginx");
  core::Probe* probe = c->mutable_readinessprobe();
  core::HTTPGetAction* get = probe->mutable_handler()->mutable_httpget();
  get->set_path("/healthz");
  get->mutable_port()->set_type(1);
  get->mutable_port()->set_strval("http");
  probe->set_periodseconds(5);
  c->mutable_securitycontext()->set_runasnonroot(false);
  c->set_imagepullpolicy("IfNotPresent");
  spec->set_restartpolicy("Always");
  spec->set_terminationgraceperiodseconds(0);
  (*spec->mutable_nodeselector())["kubernetes.io/os"] = "linux";
  spec->set_hostnetwork(false);
  core::Toleration* toleration = spec->add_tolerations();
  toleration->set_key("node.kubernetes.io/not-ready");
  toleration->set_operator_("Exists");
  toleration->set_effect("NoExecute");
  toleration->set_tolerationseconds(300);

  core::PodStatus* status = pod.mutable_status();
  status->set_phase("Running");
  status->set_podip("10.244.1.5");
  status->add_podips()->set_ip("10.244.1.5");
  status->mutable_starttime()->set_seconds(kSeconds);
  core::PodCondition* ready = status->add_conditions();
  ready->set_type("Ready");
  ready->set_status("False");
  ready->mutable_lastprobetime();
  ready->mutable_lasttransitiontime()->set_seconds(kSeconds);
  core::ContainerStatus* cs = status->add_containerstatuses();
  cs->set_name("web");
  cs->mutable_state()->mutable_running()->mutable_startedat()->set_seconds(kSeconds);
  cs->mutable_laststate();
  cs->set_ready(false);
  cs->set_restartcount(0);
  cs->set_image("nginx:1.27");
  cs->set_imageid("");
  cs->set_started(true);

  EXPECT_EQ(decoded(envelope("v1", "Pod", pod)), json::parse(R"({
      "apiVersion":"v1","kind":"Pod","metadata":{"name":"web-0","creationTimestamp":null},
      "spec":{
        "volumes":[{"name":"config","configMap":{"name":"web-config","defaultMode":420}},
                   {"name":"scratch","emptyDir":{"medium":"Memory","sizeLimit":"64Mi"}}],
        "containers":[{
          "name":"web","image":"nginx:1.27","command":["nginx"],"args":["-g","daemon off;"],
          "ports":[{"name":"http","containerPort":80,"protocol":"TCP"}],
          "env":[{"name":"MODE","value":"prod"},
                 {"name":"LEVEL","valueFrom":{"configMapKeyRef":{"name":"web-config",
                   "key":"LOG_LEVEL","optional":false}}}],
          "resources":{"limits":{"memory":"128Mi"},"requests":{"cpu":"100m"}},
          "volumeMounts":[{"name":"config","readOnly":true,"mountPath":"/etc/nginx"}],
          "readinessProbe":{"httpGet":{"path":"/healthz","port":"http"},"periodSeconds":5},
          "securityContext":{"runAsNonRoot":false},
          "imagePullPolicy":"IfNotPresent"}],
        "restartPolicy":"Always","terminationGracePeriodSeconds":0,
        "nodeSelector":{"kubernetes.io/os":"linux"},
        "tolerations":[{"key":"node.kubernetes.io/not-ready","operator":"Exists",
                        "effect":"NoExecute","tolerationSeconds":300}]},
      "status":{
        "phase":"Running","podIP":"10.244.1.5","podIPs":[{"ip":"10.244.1.5"}],
        "startTime":"2026-01-02T03:04:05Z",
        "conditions":[{"type":"Ready","status":"False","lastProbeTime":null,
                       "lastTransitionTime":"2026-01-02T03:04:05Z"}],
        "containerStatuses":[{"name":"web","state":{"running":{
                                "startedAt":"2026-01-02T03:04:05Z"}},
                              "lastState":{},"ready":false,"restartCount":0,
                              "image":"nginx:1.27","imageID":"","started":true}]}})"));
}

TEST(KubernetesProtobuf, PodWithoutContainersHasNullContainers) {
  core::Pod pod;
  gogoMeta(pod.mutable_metadata(), "bare");
  pod.mutable_spec();
  EXPECT_EQ(decoded(envelope("v1", "Pod", pod))["spec"], json::parse(R"({"containers":null})"));
}

TEST(KubernetesProtobuf, DroppedFieldsAreReported) {
  core::Pod pod;
  gogoMeta(pod.mutable_metadata(), "legacy");
  core::Volume* ebs = pod.mutable_spec()->add_volumes();
  ebs->set_name("data");
  // VolumeSource.awsElasticBlockStore (4): not modelled by ferry.
  core::VolumeSource* source = ebs->mutable_volumesource();
  source->GetReflection()->MutableUnknownFields(source)->AddLengthDelimited(4, "\x0a\x03vol");
  pod.GetReflection()->MutableUnknownFields(&pod)->AddVarint(99, 1);
  std::vector<std::string> dropped;
  Result<json> result = decodeKubernetesProtobuf(envelope("v1", "Pod", pod), {}, &dropped);
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_EQ((*result)["spec"]["volumes"], json::parse(R"([{"name":"data"}])"));
  EXPECT_EQ(dropped, (std::vector<std::string>{"spec.volumes[0]: field 4", "(object): field 99"}));
}

TEST(KubernetesProtobuf, Node) {
  core::Node node;
  gogoMeta(node.mutable_metadata(), "node-a");
  core::NodeSpec* spec = node.mutable_spec();
  spec->set_podcidr("10.244.1.0/24");
  spec->add_podcidrs("10.244.1.0/24");
  spec->set_providerid("");
  spec->set_unschedulable(true);
  core::Taint* taint = spec->add_taints();
  taint->set_key("node.kubernetes.io/unschedulable");
  taint->set_value("");
  taint->set_effect("NoSchedule");
  taint->mutable_timeadded()->set_seconds(kSeconds);
  spec->set_externalid("");
  core::NodeStatus* status = node.mutable_status();
  (*status->mutable_capacity())["cpu"].set_string("4");
  (*status->mutable_allocatable())["pods"].set_string("110");
  core::NodeCondition* ready = status->add_conditions();
  ready->set_type("Ready");
  ready->set_status("True");
  ready->mutable_lastheartbeattime()->set_seconds(kSeconds);
  ready->mutable_lasttransitiontime()->set_seconds(kSeconds);
  ready->set_reason("KubeletReady");
  ready->set_message("");
  core::NodeAddress* address = status->add_addresses();
  address->set_type("InternalIP");
  address->set_address("192.0.2.10");
  status->mutable_daemonendpoints()->mutable_kubeletendpoint()->set_port(10250);
  core::NodeSystemInfo* info = status->mutable_nodeinfo();
  info->set_kubeletversion("v1.32.0");
  info->set_operatingsystem("linux");
  info->set_architecture("amd64");
  EXPECT_EQ(decoded(envelope("v1", "Node", node)), json::parse(R"({
      "apiVersion":"v1","kind":"Node","metadata":{"name":"node-a","creationTimestamp":null},
      "spec":{"podCIDR":"10.244.1.0/24","podCIDRs":["10.244.1.0/24"],"unschedulable":true,
              "taints":[{"key":"node.kubernetes.io/unschedulable","effect":"NoSchedule",
                         "timeAdded":"2026-01-02T03:04:05Z"}]},
      "status":{"capacity":{"cpu":"4"},"allocatable":{"pods":"110"},
                "conditions":[{"type":"Ready","status":"True",
                               "lastHeartbeatTime":"2026-01-02T03:04:05Z",
                               "lastTransitionTime":"2026-01-02T03:04:05Z",
                               "reason":"KubeletReady"}],
                "addresses":[{"type":"InternalIP","address":"192.0.2.10"}],
                "daemonEndpoints":{"kubeletEndpoint":{"Port":10250}},
                "nodeInfo":{"machineID":"","systemUUID":"","bootID":"","kernelVersion":"",
                            "osImage":"","containerRuntimeVersion":"",
                            "kubeletVersion":"v1.32.0","kubeProxyVersion":"",
                            "operatingSystem":"linux","architecture":"amd64"}}})"));
}

TEST(KubernetesProtobuf, EventTimes) {
  core::Event event;
  gogoMeta(event.mutable_metadata(), "web-0.17a");
  core::ObjectReference* involved = event.mutable_involvedobject();
  involved->set_kind("Pod");
  involved->set_name("web-0");
  event.set_reason("Started");
  event.set_message("Started container web");
  event.mutable_source()->set_component("kubelet");
  event.mutable_source()->set_host("node-a");
  event.mutable_firsttimestamp()->set_seconds(kSeconds);
  event.mutable_lasttimestamp()->set_seconds(kSeconds);
  event.set_count(1);
  event.set_type("Normal");
  event.mutable_eventtime()->set_seconds(kSeconds);
  event.mutable_eventtime()->set_nanos(123456789);
  event.mutable_series()->set_count(2);
  // time.Unix folds negative nanos into the seconds.
  event.mutable_series()->mutable_lastobservedtime()->set_seconds(kSeconds + 1);
  event.mutable_series()->mutable_lastobservedtime()->set_nanos(-1000);
  event.set_action("");
  event.set_reportingcomponent("kubelet");
  event.set_reportinginstance("");
  EXPECT_EQ(decoded(envelope("v1", "Event", event)), json::parse(R"({
      "apiVersion":"v1","kind":"Event",
      "metadata":{"name":"web-0.17a","creationTimestamp":null},
      "involvedObject":{"kind":"Pod","name":"web-0"},"reason":"Started",
      "message":"Started container web","source":{"component":"kubelet","host":"node-a"},
      "firstTimestamp":"2026-01-02T03:04:05Z","lastTimestamp":"2026-01-02T03:04:05Z",
      "count":1,"type":"Normal","eventTime":"2026-01-02T03:04:05.123456Z",
      "series":{"count":2,"lastObservedTime":"2026-01-02T03:04:05.999999Z"},
      "reportingComponent":"kubelet","reportingInstance":""})"));
}

TEST(KubernetesProtobuf, TimeEdges) {
  core::Namespace ns;
  gogoMeta(ns.mutable_metadata(), "t");
  // The zero time written with explicit seconds (0001-01-01T00:00:00Z) is still null.
  ns.mutable_metadata()->mutable_creationtimestamp()->set_seconds(-62135596800);
  // Time drops nanoseconds (time_proto.go); the epoch itself is a real time.
  ns.mutable_metadata()->mutable_deletiontimestamp()->set_nanos(999999999);
  json meta = decoded(envelope("v1", "Namespace", ns))["metadata"];
  EXPECT_TRUE(meta["creationTimestamp"].is_null());
  EXPECT_EQ(meta["deletionTimestamp"], "1970-01-01T00:00:00Z");

  ns.mutable_metadata()->mutable_creationtimestamp()->set_seconds(253402300799);
  EXPECT_EQ(decoded(envelope("v1", "Namespace", ns))["metadata"]["creationTimestamp"],
            "9999-12-31T23:59:59Z");
  ns.mutable_metadata()->mutable_creationtimestamp()->set_seconds(-62135596801);
  EXPECT_EQ(decodeError(envelope("v1", "Namespace", ns)),
            "Namespace metadata.creationTimestamp: time -62135596801s is outside years 1-9999");
  ns.mutable_metadata()->mutable_creationtimestamp()->set_seconds(INT64_MIN);
  EXPECT_NE(decodeError(envelope("v1", "Namespace", ns)).find("outside years"), std::string::npos);
}

TEST(KubernetesProtobuf, FieldsV1MustBeJson) {
  core::Namespace ns;
  gogoMeta(ns.mutable_metadata(), "f");
  meta::ManagedFieldsEntry* managed = ns.mutable_metadata()->add_managedfields();
  managed->mutable_fieldsv1()->set_raw("{not json");
  EXPECT_EQ(decodeError(envelope("v1", "Namespace", ns)),
            "Namespace metadata.managedFields[0].fieldsV1: FieldsV1 is not JSON");
  managed->mutable_fieldsv1()->set_raw(std::string(100, '[') + std::string(100, ']'));
  EXPECT_NE(decodeError(envelope("v1", "Namespace", ns)).find("deeper than"), std::string::npos);
}

TEST(KubernetesProtobuf, InvalidUtf8BecomesReplacementCharacters) {
  core::ConfigMap cm;
  gogoMeta(cm.mutable_metadata(), "u");
  (*cm.mutable_metadata()->mutable_labels())["k\xff"] = "a\xc3(b\xed\xa0\x80";
  (*cm.mutable_data())["ok"] = "\xc3\xa9\xf0\x9f\x98\x80";
  json object = decoded(envelope("v1", "ConfigMap", cm));
  EXPECT_EQ(object["metadata"]["labels"],
            json::parse(R"({"k\ufffd":"a\ufffd(b\ufffd\ufffd\ufffd"})"));
  EXPECT_EQ(object["data"]["ok"], "\xc3\xa9\xf0\x9f\x98\x80");
  EXPECT_NO_THROW((void)object.dump());
}

TEST(KubernetesProtobuf, DeleteOptionsInAnyGroupVersion) {
  meta::DeleteOptions options;
  options.set_graceperiodseconds(0);
  options.mutable_preconditions()->set_uid("6c1b8a4e");
  options.set_propagationpolicy("Foreground");
  options.add_dryrun("All");
  for (const char* api_version : {"v1", "meta.k8s.io/v1", "discovery.k8s.io/v1"}) {
    json expected = json::parse(R"({"kind":"DeleteOptions","gracePeriodSeconds":0,
        "preconditions":{"uid":"6c1b8a4e"},"propagationPolicy":"Foreground",
        "dryRun":["All"]})");
    expected["apiVersion"] = api_version;
    EXPECT_EQ(decoded(envelope(api_version, "DeleteOptions", options)), expected);
  }
  meta::DeleteOptions orphan;
  orphan.set_orphandependents(false);
  EXPECT_EQ(decoded(envelope("v1", "DeleteOptions", orphan)),
            json::parse(R"({"apiVersion":"v1","kind":"DeleteOptions","orphanDependents":false})"));
}

}  // namespace
}  // namespace ferry::api
