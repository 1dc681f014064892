#include "ferry/api/table.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ferry::api {
namespace {

using nlohmann::json;

// The printers' clock in every test.
TimePoint now() {
  return *parseTimestamp("2024-05-01T10:00:00Z");
}
constexpr std::string_view kCreated = "2024-05-01T09:55:00Z";  // AGE 5m

const ResourceType& type(std::string_view group, std::string_view plural) {
  const ResourceType* r = findResource(group, "v1", plural);
  if (r == nullptr) throw std::runtime_error("no resource " + std::string(plural));
  return *r;
}

json object(std::string_view name, json body) {
  body["metadata"] = {{"name", name}, {"namespace", "default"}, {"creationTimestamp", kCreated}};
  return body;
}

std::vector<std::string> columnNames(const ResourceType& t) {
  std::vector<std::string> out;
  for (const auto& c : tableColumns(t)) out.emplace_back(c.name);
  return out;
}

// ---- Table shape ----

TEST(Table, ShapeMatchesMetaV1Table) {
  const auto& svc = type("", "services");
  json s = object("web", {{"spec", {{"type", "ClusterIP"}, {"clusterIP", "10.96.0.10"}}}});
  s["metadata"]["uid"] = "u-1";
  s["metadata"]["labels"] = {{"app", "web"}};
  TableOptions options;
  options.resource_version = "42";
  options.continue_token = "next";
  options.remaining_item_count = 7;
  json table = toTable(svc, {s}, now(), options);

  EXPECT_EQ(table["kind"], "Table");
  EXPECT_EQ(table["apiVersion"], "meta.k8s.io/v1");
  EXPECT_EQ(table["metadata"],
            (json{{"resourceVersion", "42"}, {"continue", "next"}, {"remainingItemCount", 7}}));
  ASSERT_EQ(table["columnDefinitions"].size(), 7u);
  for (const auto& c : table["columnDefinitions"]) {
    // TableColumnDefinition has no omitempty fields: all five are always present.
    for (const char* key : {"name", "type", "format", "description", "priority"})
      EXPECT_TRUE(c.contains(key)) << c.dump();
    EXPECT_FALSE(c["description"].get<std::string>().empty());
  }
  EXPECT_EQ(table["columnDefinitions"][0],
            (json{{"name", "Name"},
                  {"type", "string"},
                  {"format", "name"},
                  {"description", table["columnDefinitions"][0]["description"]},
                  {"priority", 0}}));
  EXPECT_EQ(table["columnDefinitions"][6]["name"], "Selector");
  EXPECT_EQ(table["columnDefinitions"][6]["priority"], 1);

  ASSERT_EQ(table["rows"].size(), 1u);
  const json& row = table["rows"][0];
  EXPECT_FALSE(row.contains("conditions"));
  EXPECT_EQ(row["object"]["kind"], "PartialObjectMetadata");
  EXPECT_EQ(row["object"]["apiVersion"], "meta.k8s.io/v1");
  EXPECT_EQ(row["object"]["metadata"], s["metadata"]);
  EXPECT_FALSE(row["object"].contains("spec"));
}

TEST(Table, EmptyListHasColumnsAndNoRows) {
  json table = toTable(type("", "pods"), {}, now());
  EXPECT_EQ(table["rows"], json::array());
  EXPECT_EQ(table["metadata"], json::object());
  EXPECT_EQ(table["columnDefinitions"].size(), 9u);
}

TEST(Table, IncludeObjectVariants) {
  const auto& cm = type("", "configmaps");
  json c = object("cfg", {{"data", {{"a", "1"}}}});

  TableOptions none;
  none.include_object = IncludeObject::kNone;
  EXPECT_TRUE(toTable(cm, {c}, now(), none)["rows"][0]["object"].is_null());

  TableOptions full;
  full.include_object = IncludeObject::kObject;
  json row_object = toTable(cm, {c}, now(), full)["rows"][0]["object"];
  EXPECT_EQ(row_object["kind"], "ConfigMap");  // filled in when the stored object lacks it
  EXPECT_EQ(row_object["apiVersion"], "v1");
  EXPECT_EQ(row_object["data"], c["data"]);

  TableOptions beta;
  beta.api_version = "meta.k8s.io/v1beta1";
  json table = toTable(cm, {c}, now(), beta);
  EXPECT_EQ(table["apiVersion"], "meta.k8s.io/v1beta1");
  EXPECT_EQ(table["rows"][0]["object"]["apiVersion"], "meta.k8s.io/v1beta1");
}

TEST(Table, ParseIncludeObject) {
  EXPECT_EQ(*parseIncludeObject(""), IncludeObject::kMetadata);
  EXPECT_EQ(*parseIncludeObject("Metadata"), IncludeObject::kMetadata);
  EXPECT_EQ(*parseIncludeObject("Object"), IncludeObject::kObject);
  EXPECT_EQ(*parseIncludeObject("None"), IncludeObject::kNone);
  auto bad = parseIncludeObject("object");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error(), "unrecognized includeObject value: \"object\"");
}

TEST(Table, ColumnsMatchKubeApiserver) {
  struct Case {
    std::string group, plural;
    std::vector<std::string> columns;
  };
  const std::vector<Case> cases = {
      {"", "services", {"Name", "Type", "Cluster-IP", "External-IP", "Port(s)", "Age", "Selector"}},
      {"",
       "pods",
       {"Name", "Ready", "Status", "Restarts", "Age", "IP", "Node", "Nominated Node",
        "Readiness Gates"}},
      {"", "endpoints", {"Name", "Endpoints", "Age"}},
      {"discovery.k8s.io", "endpointslices", {"Name", "AddressType", "Ports", "Endpoints", "Age"}},
      {"", "namespaces", {"Name", "Status", "Age"}},
      {"",
       "nodes",
       {"Name", "Status", "Roles", "Age", "Version", "Internal-IP", "External-IP", "OS-Image",
        "Kernel-Version", "Container-Runtime"}},
      {"", "secrets", {"Name", "Type", "Data", "Age"}},
      {"", "configmaps", {"Name", "Data", "Age"}},
      {"",
       "events",
       {"Last Seen", "Type", "Reason", "Object", "Subobject", "Source", "Message", "First Seen",
        "Count", "Name"}},
      {"networking.k8s.io", "ingresses", {"Name", "Class", "Hosts", "Address", "Ports", "Age"}},
      {"networking.k8s.io", "ingressclasses", {"Name", "Controller", "Parameters", "Age"}},
  };
  for (const auto& c : cases) {
    const auto& t = type(c.group, c.plural);
    EXPECT_EQ(columnNames(t), c.columns) << c.plural;
    // What `kubectl get` shows without -o wide.
    std::vector<std::string> wide;
    for (const auto& col : tableColumns(t))
      if (col.priority > 0) wide.emplace_back(col.name);
    std::vector<std::string> want_wide;
    if (c.plural == "services") want_wide = {"Selector"};
    if (c.plural == "pods") want_wide = {"IP", "Node", "Nominated Node", "Readiness Gates"};
    if (c.plural == "nodes") {
      want_wide = {"Internal-IP", "External-IP", "OS-Image", "Kernel-Version", "Container-Runtime"};
    }
    if (c.plural == "events") want_wide = {"Subobject", "Source", "First Seen", "Count", "Name"};
    EXPECT_EQ(wide, want_wide) << c.plural;
  }
}

// ---- services ----

TEST(ServicePrinter, Rows) {
  struct Case {
    std::string name;
    json spec;
    json status;
    std::vector<std::string> want;  // TYPE CLUSTER-IP EXTERNAL-IP PORT(S) SELECTOR
  };
  const std::vector<Case> cases = {
      {"cluster-ip",
       {{"type", "ClusterIP"},
        {"clusterIP", "10.96.0.10"},
        {"clusterIPs", {"10.96.0.10"}},
        {"selector", {{"k8s-app", "kube-dns"}}},
        {"ports",
         {{{"name", "dns"}, {"port", 53}, {"protocol", "UDP"}},
          {{"name", "dns-tcp"}, {"port", 53}, {"protocol", "TCP"}}}}},
       nullptr,
       {"ClusterIP", "10.96.0.10", "<none>", "53/UDP,53/TCP", "k8s-app=kube-dns"}},
      {"node-port",
       {{"type", "NodePort"},
        {"clusterIPs", {"10.96.5.5", "fd00::5"}},
        {"ports", {{{"port", 80}, {"nodePort", 30001}, {"protocol", "TCP"}}}},
        {"selector", {{"b", "2"}, {"a", "1"}}}},
       nullptr,
       {"NodePort", "10.96.5.5", "<none>", "80:30001/TCP", "a=1,b=2"}},
      {"node-port-external",
       {{"type", "NodePort"},
        {"clusterIP", "10.96.5.6"},
        {"externalIPs", {"192.0.2.1", "192.0.2.2"}},
        {"ports", {{{"port", 80}, {"nodePort", 30002}}}}},
       nullptr,
       {"NodePort", "10.96.5.6", "192.0.2.1,192.0.2.2", "80:30002/TCP", "<none>"}},
      {"lb-pending",
       {{"type", "LoadBalancer"},
        {"clusterIP", "10.96.1.1"},
        {"ports", {{{"port", 443}, {"nodePort", 31443}, {"protocol", "TCP"}}}}},
       {{"loadBalancer", json::object()}},
       {"LoadBalancer", "10.96.1.1", "<pending>", "443:31443/TCP", "<none>"}},
      {"lb-ready",
       {{"type", "LoadBalancer"}, {"clusterIP", "10.96.1.2"}, {"ports", {{{"port", 80}}}}},
       {{"loadBalancer",
         {{"ingress",
           {{{"ip", "203.0.113.9"}},
            {{"hostname", "lb.example.com"}},
            {{"ip", "203.0.113.2"}, {"hostname", "ignored.example.com"}},
            {{"ip", "203.0.113.9"}}}}}}},
       // A sorted set: duplicates collapse, an IP wins over its hostname. Never truncated.
       {"LoadBalancer", "10.96.1.2", "203.0.113.2,203.0.113.9,lb.example.com", "80/TCP", "<none>"}},
      {"lb-external",
       {{"type", "LoadBalancer"},
        {"clusterIP", "10.96.1.3"},
        {"externalIPs", {"192.0.2.7"}},
        {"ports", {{{"port", 80}}}}},
       {{"loadBalancer", {{"ingress", {{{"ip", "203.0.113.4"}}, {{"ip", "203.0.113.3"}}}}}}},
       {"LoadBalancer", "10.96.1.3", "203.0.113.3,203.0.113.4,192.0.2.7", "80/TCP", "<none>"}},
      {"lb-external-no-ingress",
       {{"type", "LoadBalancer"}, {"clusterIP", "10.96.1.4"}, {"externalIPs", {"192.0.2.8"}}},
       nullptr,
       {"LoadBalancer", "10.96.1.4", "192.0.2.8", "<none>", "<none>"}},
      {"external-name",
       {{"type", "ExternalName"}, {"externalName", "db.example.com"}},
       nullptr,
       {"ExternalName", "<none>", "db.example.com", "<none>", "<none>"}},
      {"headless",
       {{"clusterIP", "None"},
        {"clusterIPs", {"None"}},
        {"selector", {{"app", "db"}}},
        {"ports", {{{"port", 5432}}}}},
       nullptr,
       {"ClusterIP", "None", "<none>", "5432/TCP", "app=db"}},
      {"sctp",
       {{"type", "ClusterIP"}, {"ports", {{{"port", 9}, {"protocol", "SCTP"}}}}},
       nullptr,
       {"ClusterIP", "<none>", "<none>", "9/SCTP", "<none>"}},
      {"odd-type",
       {{"type", "Weird"}},
       nullptr,
       {"Weird", "<none>", "<unknown>", "<none>", "<none>"}},
  };
  const auto& svc = type("", "services");
  for (const auto& c : cases) {
    json obj = object(c.name, {{"spec", c.spec}});
    if (!c.status.is_null()) obj["status"] = c.status;
    json cells = tableCells(svc, obj, now());
    ASSERT_EQ(cells.size(), 7u) << c.name;
    EXPECT_EQ(cells[0], c.name);
    EXPECT_EQ(cells[1], c.want[0]) << c.name;
    EXPECT_EQ(cells[2], c.want[1]) << c.name;
    EXPECT_EQ(cells[3], c.want[2]) << c.name;
    EXPECT_EQ(cells[4], c.want[3]) << c.name;
    EXPECT_EQ(cells[5], "5m") << c.name;
    EXPECT_EQ(cells[6], c.want[4]) << c.name;
  }
}

TEST(ServicePrinter, AgeEdgeCases) {
  const auto& svc = type("", "services");
  json s = {{"metadata", {{"name", "x"}}}, {"spec", {{"type", "ClusterIP"}}}};
  EXPECT_EQ(tableCells(svc, s, now())[5], "<unknown>");
  s["metadata"]["creationTimestamp"] = "2024-05-01T09:56:50Z";
  EXPECT_EQ(tableCells(svc, s, now())[5], "3m10s");
  s["metadata"]["creationTimestamp"] = "2024-04-29T07:00:00Z";
  EXPECT_EQ(tableCells(svc, s, now())[5], "2d3h");
}

// ---- endpoints, endpointslices ----

json subset(const std::vector<std::string>& ips, const std::vector<int>& ports) {
  json s = {{"addresses", json::array()}};
  for (const auto& ip : ips) s["addresses"].push_back({{"ip", ip}});
  if (!ports.empty()) {
    s["ports"] = json::array();
    for (int p : ports) s["ports"].push_back({{"port", p}});
  }
  return s;
}

TEST(EndpointsPrinter, Rows) {
  struct Case {
    std::string name;
    json subsets;
    std::string want;
  };
  const std::vector<Case> cases = {
      {"none", nullptr, "<none>"},
      {"empty-subsets", json::array(), "<none>"},
      {"one", json::array({subset({"10.0.0.1"}, {80})}), "10.0.0.1:80"},
      {"three", json::array({subset({"10.0.0.1", "10.0.0.2", "10.0.0.3"}, {80})}),
       "10.0.0.1:80,10.0.0.2:80,10.0.0.3:80"},
      {"four", json::array({subset({"10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"}, {80})}),
       "10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 1 more..."},
      // Every address x port pair counts: 3 addresses x 2 ports = 6.
      {"ports", json::array({subset({"10.0.0.1", "10.0.0.2", "10.0.0.3"}, {80, 443})}),
       "10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 3 more..."},
      {"subsets",
       json::array({subset({"10.0.0.1"}, {80}), subset({"10.0.1.1", "10.0.1.2"}, {8080})}),
       "10.0.0.1:80,10.0.1.1:8080,10.0.1.2:8080"},
      {"headless-no-ports",
       json::array({subset({"10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5"}, {})}),
       "10.0.0.1,10.0.0.2,10.0.0.3 + 2 more..."},
      {"ipv6", json::array({subset({"fd00::1"}, {53})}), "[fd00::1]:53"},
      {"not-ready-only",
       json::array({{{"notReadyAddresses", {{{"ip", "10.0.0.9"}}}}, {"ports", {{{"port", 80}}}}}}),
       ""},
  };
  const auto& ep = type("", "endpoints");
  for (const auto& c : cases) {
    json obj = object(c.name, json::object());
    if (!c.subsets.is_null()) obj["subsets"] = c.subsets;
    EXPECT_EQ(tableCells(ep, obj, now()), (json{c.name, c.want, "5m"})) << c.name;
  }
}

TEST(EndpointSlicePrinter, Rows) {
  auto endpoint = [](std::vector<std::string> addresses) {
    return json{{"addresses", addresses}, {"conditions", {{"ready", true}}}};
  };
  struct Case {
    std::string name;
    json body;
    std::string ports, endpoints;
  };
  const std::vector<Case> cases = {
      {"empty", {{"addressType", "IPv4"}}, "<unset>", "<unset>"},
      {"basic",
       {{"addressType", "IPv4"},
        {"ports", {{{"name", "http"}, {"port", 80}, {"protocol", "TCP"}}}},
        {"endpoints", {endpoint({"10.0.0.1"}), endpoint({"10.0.0.2"})}}},
       "80",
       "10.0.0.1,10.0.0.2"},
      {"named-and-wildcard",
       {{"addressType", "IPv6"},
        {"ports", {{{"name", "http"}}, json::object(), {{"port", 443}}, {{"port", 8443}}}},
        {"endpoints", {endpoint({"fd00::1", "fd00::2"}), endpoint({"fd00::3", "fd00::4"})}}},
       "http,*,443 + 1 more...",
       "fd00::1,fd00::2,fd00::3 + 1 more..."},
  };
  const auto& eps = type("discovery.k8s.io", "endpointslices");
  for (const auto& c : cases) {
    json cells = tableCells(eps, object(c.name, c.body), now());
    EXPECT_EQ(cells, (json{c.name, c.body["addressType"], c.ports, c.endpoints, "5m"})) << c.name;
  }
}

// ---- pods ----

json running(const std::string& name, bool ready, int restarts = 0) {
  return {{"name", name},
          {"ready", ready},
          {"restartCount", restarts},
          {"state", {{"running", {{"startedAt", "2024-05-01T09:56:00Z"}}}}}};
}

json podWith(const std::string& name, const json& spec, const json& status) {
  json p = object(name, {{"spec", spec}, {"status", status}});
  return p;
}

json containers(std::vector<std::string> names) {
  json out = json::array();
  for (auto& n : names) out.push_back({{"name", n}, {"image", "busybox"}});
  return out;
}

TEST(PodPrinter, Rows) {
  struct Case {
    std::string name;
    json pod;
    std::string ready, status, restarts;
  };
  const json two = {{"containers", containers({"a", "b"})}};
  const json one = {{"containers", containers({"app"})}};
  const json init2 = {{"initContainers", containers({"i0", "i1"})},
                      {"containers", containers({"app"})}};
  json sidecar_spec = {{"initContainers", containers({"proxy"})},
                       {"containers", containers({"app"})}};
  sidecar_spec["initContainers"][0]["restartPolicy"] = "Always";

  const std::vector<Case> cases = {
      {"pending", podWith("pending", one, {{"phase", "Pending"}}), "0/1", "Pending", "0"},
      {"running",
       podWith(
           "running", two,
           {{"phase", "Running"}, {"containerStatuses", {running("a", true), running("b", true)}}}),
       "2/2", "Running", "0"},
      {"half-ready",
       podWith("half", two,
               {{"phase", "Running"},
                {"containerStatuses", {running("a", true), running("b", false)}}}),
       "1/2", "Running", "0"},
      {"restarted",
       podWith(
           "restarted", one,
           {{"phase", "Running"},
            {"containerStatuses",
             {{{"name", "app"},
               {"ready", true},
               {"restartCount", 3},
               {"state", {{"running", json::object()}}},
               {"lastState",
                {{"terminated", {{"exitCode", 1}, {"finishedAt", "2024-05-01T09:58:00Z"}}}}}}}}}),
       "1/1", "Running", "3 (2m ago)"},
      {"crashloop",
       podWith(
           "crash", one,
           {{"phase", "Running"},
            {"containerStatuses",
             {{{"name", "app"},
               {"ready", false},
               {"restartCount", 5},
               {"state", {{"waiting", {{"reason", "CrashLoopBackOff"}}}}},
               {"lastState",
                {{"terminated", {{"exitCode", 2}, {"finishedAt", "2024-05-01T09:59:30Z"}}}}}}}}}),
       "0/1", "CrashLoopBackOff", "5 (30s ago)"},
      {"exit-code",
       podWith("exit", one,
               {{"phase", "Failed"},
                {"containerStatuses",
                 {{{"name", "app"},
                   {"restartCount", 0},
                   {"state", {{"terminated", {{"exitCode", 137}}}}}}}}}),
       "0/1", "ExitCode:137", "0"},
      {"signal",
       podWith(
           "signal", one,
           {{"phase", "Failed"},
            {"containerStatuses",
             {{{"name", "app"}, {"state", {{"terminated", {{"exitCode", 0}, {"signal", 9}}}}}}}}}),
       "0/1", "Signal:9", "0"},
      {"completed",
       podWith("done", one,
               {{"phase", "Succeeded"},
                {"containerStatuses",
                 {{{"name", "app"},
                   {"state", {{"terminated", {{"exitCode", 0}, {"reason", "Completed"}}}}}}}}}),
       "0/1", "Completed", "0"},
      // One container completed while another still runs: shown as Running (Ready) or NotReady.
      {"completed-with-running",
       podWith("mixed", two,
               {{"phase", "Running"},
                {"conditions", {{{"type", "Ready"}, {"status", "False"}}}},
                {"containerStatuses",
                 {{{"name", "a"},
                   {"state", {{"terminated", {{"exitCode", 0}, {"reason", "Completed"}}}}}},
                  running("b", true)}}}),
       "1/2", "NotReady", "0"},
      {"init-waiting",
       podWith("init", init2,
               {{"phase", "Pending"},
                {"initContainerStatuses",
                 {{{"name", "i0"}, {"state", {{"terminated", {{"exitCode", 0}}}}}},
                  {{"name", "i1"}, {"state", {{"running", json::object()}}}}}}}),
       "0/1", "Init:1/2", "0"},
      {"init-crashloop",
       podWith("initcrash", init2,
               {{"phase", "Pending"},
                {"initContainerStatuses",
                 {{{"name", "i0"},
                   {"restartCount", 4},
                   {"state", {{"waiting", {{"reason", "CrashLoopBackOff"}}}}},
                   {"lastState",
                    {{"terminated", {{"exitCode", 1}, {"finishedAt", "2024-05-01T09:59:00Z"}}}}}}}},
                {"containerStatuses",
                 {{{"name", "app"},
                   {"restartCount", 0},
                   {"state", {{"waiting", {{"reason", "PodInitializing"}}}}}}}}}),
       "0/1", "Init:CrashLoopBackOff", "4 (60s ago)"},
      {"init-error",
       podWith("initerr", init2,
               {{"phase", "Pending"},
                {"initContainerStatuses",
                 {{{"name", "i0"},
                   {"state", {{"terminated", {{"exitCode", 1}, {"reason", "Error"}}}}}}}}}),
       "0/1", "Init:Error", "0"},
      {"init-exit-code",
       podWith("initexit", init2,
               {{"phase", "Pending"},
                {"initContainerStatuses",
                 {{{"name", "i0"}, {"state", {{"terminated", {{"exitCode", 3}}}}}}}}}),
       "0/1", "Init:ExitCode:3", "0"},
      {"init-pod-initializing-waits",
       podWith("initpi", init2,
               {{"phase", "Pending"},
                {"initContainerStatuses",
                 {{{"name", "i0"}, {"state", {{"waiting", {{"reason", "PodInitializing"}}}}}}}}}),
       "0/1", "Init:0/2", "0"},
      // Sidecars (restartPolicy Always) count as containers and do not block initialization.
      {"sidecar",
       podWith("sidecar", sidecar_spec,
               {{"phase", "Running"},
                {"conditions", {{{"type", "Initialized"}, {"status", "True"}}}},
                {"initContainerStatuses",
                 {{{"name", "proxy"},
                   {"ready", true},
                   {"started", true},
                   {"restartCount", 1},
                   {"state", {{"running", json::object()}}}}}},
                {"containerStatuses", {running("app", true, 2)}}}),
       "2/2", "Running", "3"},
      {"scheduling-gated",
       podWith(
           "gated", one,
           {{"phase", "Pending"},
            {"conditions",
             {{{"type", "PodScheduled"}, {"status", "False"}, {"reason", "SchedulingGated"}}}}}),
       "0/1", "SchedulingGated", "0"},
      {"evicted", podWith("evicted", one, {{"phase", "Failed"}, {"reason", "Evicted"}}), "0/1",
       "Evicted", "0"},
  };
  const auto& pods = type("", "pods");
  for (const auto& c : cases) {
    json cells = tableCells(pods, c.pod, now());
    ASSERT_EQ(cells.size(), 9u) << c.name;
    EXPECT_EQ(cells[1], c.ready) << c.name;
    EXPECT_EQ(cells[2], c.status) << c.name;
    EXPECT_EQ(cells[3], c.restarts) << c.name;
    EXPECT_EQ(cells[4], "5m") << c.name;
  }
}

TEST(PodPrinter, DeletionAndNodeLost) {
  const auto& pods = type("", "pods");
  json p = podWith("p", {{"containers", containers({"app"})}},
                   {{"phase", "Running"}, {"containerStatuses", {running("app", true)}}});
  p["metadata"]["deletionTimestamp"] = "2024-05-01T10:00:00Z";
  EXPECT_EQ(tableCells(pods, p, now())[2], "Terminating");
  p["status"]["reason"] = "NodeLost";
  EXPECT_EQ(tableCells(pods, p, now())[2], "Unknown");
  // A terminal pod keeps its phase while being deleted.
  p["status"] = {{"phase", "Succeeded"}};
  EXPECT_EQ(tableCells(pods, p, now())[2], "Succeeded");
}

TEST(PodPrinter, CompletedPodsCarryRowConditions) {
  const auto& pods = type("", "pods");
  json ok = podWith("ok", {{"containers", containers({"app"})}}, {{"phase", "Succeeded"}});
  json bad = podWith("bad", {{"containers", containers({"app"})}}, {{"phase", "Failed"}});
  json live = podWith("live", {{"containers", containers({"app"})}}, {{"phase", "Running"}});
  json table = toTable(pods, {ok, bad, live}, now());
  EXPECT_EQ(table["rows"][0]["conditions"],
            json::parse(R"([{"type":"Completed","status":"True","reason":"Succeeded",
                             "message":"The pod has completed successfully."}])"));
  EXPECT_EQ(table["rows"][1]["conditions"],
            json::parse(R"([{"type":"Completed","status":"True","reason":"Failed",
                             "message":"The pod failed."}])"));
  EXPECT_FALSE(table["rows"][2].contains("conditions"));
}

TEST(PodPrinter, WideColumns) {
  const auto& pods = type("", "pods");
  json p = podWith(
      "p",
      {{"containers", containers({"app"})},
       {"nodeName", "node-1"},
       {"readinessGates", {{{"conditionType", "lb/ready"}}, {{"conditionType", "x/ok"}}}}},
      {{"phase", "Running"},
       {"podIP", "10.244.1.5"},
       {"podIPs", {{{"ip", "10.244.1.5"}}, {{"ip", "fd00::5"}}}},
       {"nominatedNodeName", "node-2"},
       {"conditions",
        {{{"type", "lb/ready"}, {"status", "True"}}, {{"type", "x/ok"}, {"status", "False"}}}}});
  json cells = tableCells(pods, p, now());
  EXPECT_EQ(cells[5], "10.244.1.5");
  EXPECT_EQ(cells[6], "node-1");
  EXPECT_EQ(cells[7], "node-2");
  EXPECT_EQ(cells[8], "1/2");

  json bare = podWith("bare", {{"containers", containers({"app"})}}, json::object());
  cells = tableCells(pods, bare, now());
  EXPECT_EQ(cells[2], "");  // no phase yet: kube prints the empty phase
  EXPECT_EQ(cells[5], "<none>");
  EXPECT_EQ(cells[6], "<none>");
  EXPECT_EQ(cells[7], "<none>");
  EXPECT_EQ(cells[8], "<none>");

  // Without podIPs (not yet converted), the singular podIP is used.
  bare["status"] = {{"podIP", "10.244.1.6"}};
  EXPECT_EQ(tableCells(pods, bare, now())[5], "10.244.1.6");
}

// ---- namespaces, nodes ----

TEST(NamespacePrinter, Rows) {
  const auto& ns = type("", "namespaces");
  json a = object("default", {{"status", {{"phase", "Active"}}}});
  json t = object("old", {{"status", {{"phase", "Terminating"}}}});
  json fresh = object("fresh", json::object());
  EXPECT_EQ(tableCells(ns, a, now()), (json{"default", "Active", "5m"}));
  EXPECT_EQ(tableCells(ns, t, now()), (json{"old", "Terminating", "5m"}));
  EXPECT_EQ(tableCells(ns, fresh, now()), (json{"fresh", "Active", "5m"}));
}

TEST(NodePrinter, Rows) {
  const auto& nodes = type("", "nodes");
  auto node = [](const std::string& name, const json& labels, const json& status,
                 bool unschedulable) {
    json n = object(name, {{"status", status}});
    n["metadata"].erase("namespace");
    n["metadata"]["labels"] = labels;
    if (unschedulable) n["spec"] = {{"unschedulable", true}};
    return n;
  };
  json info = {{"kubeletVersion", "v1.32.0"},
               {"osImage", "Debian GNU/Linux 12 (bookworm)"},
               {"kernelVersion", "6.1.0-18-amd64"},
               {"containerRuntimeVersion", "containerd://1.7.13"}};
  json ready = node("cp",
                    {{"node-role.kubernetes.io/control-plane", ""},
                     {"node-role.kubernetes.io/worker", ""},
                     {"node-role.kubernetes.io/", ""},
                     {"kubernetes.io/role", "infra"}},
                    {{"conditions",
                      {{{"type", "MemoryPressure"}, {"status", "False"}},
                       {{"type", "Ready"}, {"status", "True"}}}},
                     {"nodeInfo", info},
                     {"addresses",
                      {{{"type", "Hostname"}, {"address", "cp"}},
                       {{"type", "InternalIP"}, {"address", "192.168.1.10"}},
                       {{"type", "InternalIP"}, {"address", "192.168.1.11"}},
                       {{"type", "ExternalIP"}, {"address", "203.0.113.10"}}}}},
                    false);
  EXPECT_EQ(tableCells(nodes, ready, now()),
            (json{"cp", "Ready", "control-plane,infra,worker", "5m", "v1.32.0", "192.168.1.10",
                  "203.0.113.10", "Debian GNU/Linux 12 (bookworm)", "6.1.0-18-amd64",
                  "containerd://1.7.13"}));

  json cordoned = node("w1", json::object(),
                       {{"conditions", {{{"type", "Ready"}, {"status", "Unknown"}}}}}, true);
  EXPECT_EQ(tableCells(nodes, cordoned, now()),
            (json{"w1", "NotReady,SchedulingDisabled", "<none>", "5m", "", "<none>", "<none>",
                  "<unknown>", "<unknown>", "<unknown>"}));

  json fresh = node("w2", json::object(), json::object(), false);
  EXPECT_EQ(tableCells(nodes, fresh, now())[1], "Unknown");
}

// ---- secrets, configmaps ----

TEST(SecretAndConfigMapPrinters, Rows) {
  const auto& secrets = type("", "secrets");
  json tls = object(
      "tls", {{"type", "kubernetes.io/tls"}, {"data", {{"tls.crt", "Y3J0"}, {"tls.key", "a2V5"}}}});
  EXPECT_EQ(tableCells(secrets, tls, now()), (json{"tls", "kubernetes.io/tls", 2, "5m"}));
  json opaque = object("plain", json::object());
  EXPECT_EQ(tableCells(secrets, opaque, now()), (json{"plain", "Opaque", 0, "5m"}));
  json merged = object("m", {{"data", {{"a", "MQ=="}}}, {"stringData", {{"a", "1"}, {"b", "2"}}}});
  EXPECT_EQ(tableCells(secrets, merged, now())[2], 2);

  const auto& cms = type("", "configmaps");
  json cm = object("cfg", {{"data", {{"a", "1"}, {"b", "2"}}}, {"binaryData", {{"c", "AAE="}}}});
  EXPECT_EQ(tableCells(cms, cm, now()), (json{"cfg", 3, "5m"}));
  EXPECT_EQ(tableCells(cms, object("empty", json::object()), now()), (json{"empty", 0, "5m"}));
}

// ---- events ----

TEST(EventPrinter, Rows) {
  const auto& events = type("", "events");
  json ev = object("web-1.17c",
                   {{"type", "Warning"},
                    {"reason", "BackOff"},
                    {"message", "  Back-off restarting failed container\n"},
                    {"involvedObject",
                     {{"kind", "Pod"}, {"name", "web-1"}, {"fieldPath", "spec.containers{app}"}}},
                    {"source", {{"component", "kubelet"}, {"host", "node-1"}}},
                    {"firstTimestamp", "2024-05-01T09:00:00Z"},
                    {"lastTimestamp", "2024-05-01T09:59:00Z"},
                    {"count", 7}});
  EXPECT_EQ(
      tableCells(events, ev, now()),
      (json{"60s", "Warning", "BackOff", "pod/web-1", "spec.containers{app}", "kubelet, node-1",
            "Back-off restarting failed container", "60m", 7, "web-1.17c"}));

  // events.k8s.io-style event: eventTime, reportingComponent/Instance, no count.
  json modern = object("n.1", {{"type", "Normal"},
                               {"reason", "Scheduled"},
                               {"involvedObject", {{"kind", "Node"}}},
                               {"eventTime", "2024-05-01T09:58:00.000000Z"},
                               {"reportingComponent", "default-scheduler"},
                               {"reportingInstance", ""}});
  EXPECT_EQ(tableCells(events, modern, now()), (json{"2m", "Normal", "Scheduled", "node", "",
                                                     "default-scheduler", "", "2m", 1, "n.1"}));

  json series = modern;
  series["series"] = {{"count", 12}, {"lastObservedTime", "2024-05-01T09:59:50.000000Z"}};
  series["reportingInstance"] = "sched-1";
  json cells = tableCells(events, series, now());
  EXPECT_EQ(cells[0], "10s");
  EXPECT_EQ(cells[5], "default-scheduler, sched-1");
  EXPECT_EQ(cells[8], 12);

  json unknown = object("u", {{"involvedObject", {{"kind", "Service"}, {"name", "web"}}}});
  cells = tableCells(events, unknown, now());
  EXPECT_EQ(cells[0], "<unknown>");
  EXPECT_EQ(cells[3], "service/web");
  EXPECT_EQ(cells[7], "<unknown>");
}

// ---- ingresses, ingressclasses ----

TEST(IngressPrinter, Rows) {
  const auto& ing = type("networking.k8s.io", "ingresses");
  auto rule = [](std::string host) { return host.empty() ? json::object() : json{{"host", host}}; };
  struct Case {
    std::string name;
    json spec, status;
    std::string cls, hosts, address, ports;
  };
  const std::vector<Case> cases = {
      {"bare", json::object(), nullptr, "<none>", "*", "", "80"},
      {"one",
       {{"ingressClassName", "ferry"}, {"rules", {rule("a.example.com")}}},
       {{"loadBalancer", {{"ingress", {{{"ip", "192.0.2.9"}}, {{"hostname", "lb.example.com"}}}}}}},
       "ferry",
       "a.example.com",
       "192.0.2.9,lb.example.com",
       "80"},
      {"tls",
       {{"tls", {{{"hosts", {"a.example.com"}}, {"secretName", "a-tls"}}}},
        {"rules", {rule(""), rule("a.example.com")}}},
       nullptr,
       "<none>",
       "a.example.com",
       "",
       "80, 443"},
      // kube's formatHosts: the first three hosts, and "+ N more" counting every rule past the
      // third, host-less ones included.
      {"many",
       {{"rules", {rule("a"), rule(""), rule("b"), rule("c"), rule(""), rule("d")}}},
       nullptr,
       "<none>",
       "a,b,c + 3 more...",
       "",
       "80"},
      {"exactly-three",
       {{"rules", {rule("a"), rule("b"), rule("c")}}},
       nullptr,
       "<none>",
       "a,b,c",
       "",
       "80"},
      {"empty-class", {{"ingressClassName", ""}}, nullptr, "", "*", "", "80"},
  };
  for (const auto& c : cases) {
    json obj = object(c.name, {{"spec", c.spec}});
    if (!c.status.is_null()) obj["status"] = c.status;
    EXPECT_EQ(tableCells(ing, obj, now()), (json{c.name, c.cls, c.hosts, c.address, c.ports, "5m"}))
        << c.name;
  }
}

TEST(IngressClassPrinter, Rows) {
  const auto& ic = type("networking.k8s.io", "ingressclasses");
  json plain = object("ferry", {{"spec", {{"controller", "ferry.dev/ingress"}}}});
  EXPECT_EQ(tableCells(ic, plain, now()), (json{"ferry", "ferry.dev/ingress", "<none>", "5m"}));
  json params = object("ext", {{"spec",
                                {{"controller", "example.com/lb"},
                                 {"parameters",
                                  {{"apiGroup", "k8s.example.com"},
                                   {"kind", "IngressParameters"},
                                   {"name", "external-lb"}}}}}});
  EXPECT_EQ(tableCells(ic, params, now())[2], "IngressParameters.k8s.example.com/external-lb");
  params["spec"]["parameters"].erase("apiGroup");
  EXPECT_EQ(tableCells(ic, params, now())[2], "IngressParameters/external-lb");
}

}  // namespace
}  // namespace ferry::api
