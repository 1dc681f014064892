// The real kubectl against a real ferry-controlplane, doing what the Kubernetes docs tell
// users to do. Each assertion is on kubectl's own output.
#include <gtest/gtest.h>

#include <regex>

#include "controlplane_fixture.h"

namespace ferry::testing {
namespace {

// A Service as the Kubernetes documentation writes it ("Defining a Service").
constexpr const char* kDocsService = R"(apiVersion: v1
kind: Service
metadata:
  name: my-service
spec:
  selector:
    app.kubernetes.io/name: MyApp
  ports:
    - protocol: TCP
      port: 80
      targetPort: 9376
)";

constexpr const char* kWebService = R"(apiVersion: v1
kind: Service
metadata:
  name: web
  labels:
    app: web
spec:
  type: NodePort
  selector:
    app: web
  ports:
    - name: http
      port: 80
      targetPort: http
)";

class KubectlTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { cp_ = new ControlPlane({"--loadbalancer-ip-pool=192.0.2.0/28"}); }
  static void TearDownTestSuite() {
    delete cp_;
    cp_ = nullptr;
  }
  static CommandResult k(std::vector<std::string> args, const std::string& in = {}) { return cp_->kubectl(std::move(args), in); }
  static ControlPlane* cp_;
};
ControlPlane* KubectlTest::cp_ = nullptr;

#define EXPECT_OK(res) EXPECT_TRUE((res).ok()) << "stdout:\n" << (res).out << "\nstderr:\n" << (res).err

TEST_F(KubectlTest, BuiltInsExist) {
  auto ns = k({"get", "namespaces"});
  EXPECT_OK(ns);
  for (const char* n : {"default", "kube-system", "kube-public", "kube-node-lease"}) EXPECT_NE(ns.out.find(n), std::string::npos) << n;
  auto svc = k({"get", "svc", "kubernetes", "-o", "jsonpath={.spec.clusterIP} {.spec.ports[0].port}"});
  EXPECT_OK(svc);
  EXPECT_EQ(svc.out, "10.96.0.1 443");
  // The cluster DNS Service on the tenth IP, as kubeadm sets it up (pods' resolv.conf).
  auto dns = k({"get", "svc", "-n", "kube-system", "kube-dns", "-o",
                "jsonpath={.spec.clusterIP} {.spec.ports[*].name} {.spec.selector.k8s-app}"});
  EXPECT_OK(dns);
  EXPECT_EQ(dns.out, "10.96.0.10 dns dns-tcp metrics kube-dns");
  EXPECT_OK(k({"version"}));
}

TEST_F(KubectlTest, ApplyCreatesThenUpdatesTheSameFile) {
  auto created = k({"apply", "-f", "-"}, kDocsService);
  EXPECT_OK(created);
  EXPECT_NE(created.out.find("service/my-service created"), std::string::npos) << created.out;
  auto again = k({"apply", "-f", "-"}, kDocsService);
  EXPECT_OK(again);
  EXPECT_NE(again.out.find("service/my-service unchanged"), std::string::npos) << again.out;
  std::string changed = std::regex_replace(kDocsService, std::regex("targetPort: 9376"), "targetPort: 9377");
  auto updated = k({"apply", "-f", "-"}, changed);
  EXPECT_OK(updated);
  EXPECT_NE(updated.out.find("service/my-service configured"), std::string::npos) << updated.out;
  auto port = k({"get", "svc", "my-service", "-o", "jsonpath={.spec.ports[0].targetPort}"});
  EXPECT_EQ(port.out, "9377");
  auto ip = k({"get", "svc", "my-service", "-o", "jsonpath={.spec.clusterIP}"});
  EXPECT_TRUE(std::regex_match(ip.out, std::regex(R"(10\.(9[6-9]|10[0-9]|11[01])\.\d+\.\d+)"))) << ip.out;
}

TEST_F(KubectlTest, GetPrintsKubeColumns) {
  EXPECT_OK(k({"apply", "-f", "-"}, kWebService));
  auto table = k({"get", "svc", "web"});
  EXPECT_OK(table);
  EXPECT_TRUE(std::regex_search(table.out, std::regex(R"(^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE\n)")))
      << table.out;
  EXPECT_TRUE(std::regex_search(table.out, std::regex(R"(\nweb\s+NodePort\s+10\.\S+\s+<none>\s+80:3\d{4}/TCP\s+\d+s\n)")))
      << table.out;
  auto json_out = k({"get", "svc", "web", "-o", "json"});
  EXPECT_OK(json_out);
  EXPECT_NE(json_out.out.find("\"kind\": \"Service\""), std::string::npos);
  auto yaml_out = k({"get", "svc", "web", "-o", "yaml"});
  EXPECT_OK(yaml_out);
  EXPECT_NE(yaml_out.out.find("kind: Service"), std::string::npos);
  EXPECT_NE(yaml_out.out.find("nodePort: 3"), std::string::npos);
}

TEST_F(KubectlTest, UnknownFieldsAreRejectedUnderStrictAndWarnedOtherwise) {
  const std::string typo = R"(apiVersion: v1
kind: Service
metadata:
  name: typo
spec:
  selector:
    app: typo
  prots:
  - port: 80
  ports:
  - port: 80
    targetPrt: 8080
)";
  // kubectl's default (--validate=strict) asks the server for fieldValidation=Strict.
  auto strict = k({"apply", "-f", "-"}, typo);
  EXPECT_FALSE(strict.ok());
  EXPECT_NE(strict.err.find(R"(strict decoding error: unknown field "spec.ports[0].targetPrt", unknown field "spec.prots")"),
            std::string::npos)
      << strict.err;
  EXPECT_FALSE(k({"get", "svc", "typo"}).ok()) << "nothing may be written";
  // --validate=warn: written, with the unknown fields named as warnings.
  auto warned = k({"apply", "--validate=warn", "-f", "-"}, typo);
  EXPECT_TRUE(warned.ok()) << warned.err;
  EXPECT_NE(warned.err.find(R"(Warning: unknown field "spec.prots")"), std::string::npos)
      << "stderr:\n" << warned.err << "\nstdout:\n" << warned.out;
  // Later applies of a corrected manifest (a strategic merge patch) pass strict validation.
  std::string fixed = typo;
  fixed.replace(fixed.find("  prots:\n  - port: 80\n"), std::string("  prots:\n  - port: 80\n").size(), "");
  fixed.replace(fixed.find("targetPrt"), 9, "targetPort");
  auto again = k({"apply", "-f", "-"}, fixed);
  EXPECT_TRUE(again.ok()) << again.err;
  EXPECT_OK(k({"delete", "svc", "typo"}));
}

TEST_F(KubectlTest, LoadBalancerGetsAnExternalIpFromThePool) {
  EXPECT_OK(k({"create", "service", "loadbalancer", "lb-web", "--tcp=80:8080"}));
  auto table = k({"get", "svc", "lb-web"});
  EXPECT_OK(table);
  EXPECT_TRUE(std::regex_search(table.out, std::regex(R"(\nlb-web\s+LoadBalancer\s+10\.\S+\s+192\.0\.2\.\d+\s+80:3\d{4}/TCP\s)")))
      << table.out;
  EXPECT_OK(k({"delete", "svc", "lb-web"}));
}

TEST_F(KubectlTest, LabelAnnotatePatchAndSelectAcrossNamespaces) {
  EXPECT_OK(k({"apply", "-f", "-"}, kWebService));
  EXPECT_OK(k({"apply", "-f", "-"}, "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-a\n"));
  std::string other = std::regex_replace(kWebService, std::regex("name: web\n"), "name: web\n  namespace: team-a\n");
  EXPECT_OK(k({"apply", "-f", "-"}, other));
  EXPECT_OK(k({"label", "svc", "web", "tier=frontend"}));
  EXPECT_OK(k({"annotate", "svc", "web", "owner=ferry"}));
  EXPECT_EQ(k({"get", "svc", "web", "-o", "jsonpath={.metadata.labels.tier}/{.metadata.annotations.owner}"}).out,
            "frontend/ferry");
  EXPECT_OK(k({"patch", "svc", "web", "--type", "merge", "-p", R"({"spec":{"sessionAffinity":"ClientIP"}})"}));
  EXPECT_OK(k({"patch", "svc", "web", "--type", "json", "-p",
               R"([{"op":"replace","path":"/metadata/labels/tier","value":"edge"}])"}));
  EXPECT_OK(k({"patch", "svc", "web", "--type", "strategic", "-p", R"({"spec":{"ports":[{"port":81,"name":"alt"}]}})"}));
  auto ports = k({"get", "svc", "web", "-o", "jsonpath={.spec.ports[*].port}"});
  // Merge key "port" keeps 80 and adds 81; without $setElementOrder kube's mergeSortedSlice puts
  // patch items not in the live list first.
  EXPECT_EQ(ports.out, "81 80");
  EXPECT_EQ(k({"get", "svc", "web", "-o", "jsonpath={.spec.sessionAffinity} {.metadata.labels.tier}"}).out, "ClientIP edge");
  auto all = k({"get", "svc", "-A", "-l", "app=web"});
  EXPECT_OK(all);
  EXPECT_TRUE(std::regex_search(all.out, std::regex(R"(\ndefault\s+web\s)"))) << all.out;
  EXPECT_TRUE(std::regex_search(all.out, std::regex(R"(\nteam-a\s+web\s)"))) << all.out;
  EXPECT_EQ(all.out.find("kubernetes"), std::string::npos) << "the selector filters";
}

TEST_F(KubectlTest, DescribeAndExplain) {
  EXPECT_OK(k({"apply", "-f", "-"}, kWebService));
  auto d = k({"describe", "service", "web"});
  EXPECT_OK(d);
  EXPECT_TRUE(std::regex_search(d.out, std::regex(R"(Name:\s+web)"))) << d.out;
  EXPECT_TRUE(std::regex_search(d.out, std::regex(R"(Type:\s+NodePort)"))) << d.out;
  auto e = k({"explain", "service.spec"});
  EXPECT_OK(e);
  EXPECT_NE(e.out.find("KIND:"), std::string::npos) << e.out;
  EXPECT_NE(e.out.find("clusterIP"), std::string::npos) << e.out;
}

TEST_F(KubectlTest, WatchSeesAddedModifiedDeleted) {
  Subprocess watch({"kubectl", "--kubeconfig", cp_->kubeconfig(), "--cache-dir", cp_->dir() + "/kubectl-cache", "get",
                    "svc", "-w", "--output-watch-events", "-l", "watched=yes"});
  auto waitFor = [&](const std::string& needle) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      if (watch.currentOutput().find(needle) != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  };
  // Make changes only once kubectl's watch is open: the server's watcher gauge says so.
  const auto open_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  bool open = false;
  while (!open && std::chrono::steady_clock::now() < open_deadline) {
    auto m = k({"get", "--raw", "/metrics"});
    open = std::regex_search(m.out, std::regex(R"(ferry_apiserver_watchers\{resource="services"\} [1-9])"));
    if (!open) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(open) << "kubectl's watch never reached the server";
  std::string svc = std::regex_replace(kDocsService, std::regex("name: my-service\n"), "name: watched\n  labels:\n    watched: \"yes\"\n");
  EXPECT_OK(k({"apply", "-f", "-"}, svc));
  EXPECT_TRUE(waitFor("ADDED")) << watch.currentOutput();
  EXPECT_OK(k({"annotate", "svc", "watched", "x=y"}));
  EXPECT_TRUE(waitFor("MODIFIED")) << watch.currentOutput();
  EXPECT_OK(k({"delete", "svc", "watched"}));
  EXPECT_TRUE(waitFor("DELETED")) << watch.currentOutput();
}

TEST_F(KubectlTest, DeleteRemovesAndReleases) {
  std::string svc = std::regex_replace(kDocsService, std::regex("my-service"), "doomed");
  EXPECT_OK(k({"apply", "-f", "-"}, svc));
  auto del = k({"delete", "svc", "doomed"});
  EXPECT_OK(del);
  EXPECT_NE(del.out.find("service \"doomed\" deleted"), std::string::npos) << del.out;
  auto gone = k({"get", "svc", "doomed"});
  EXPECT_FALSE(gone.ok());
  EXPECT_NE(gone.err.find("NotFound"), std::string::npos) << gone.err;
}

TEST_F(KubectlTest, InvalidObjectsAreRejectedWithFieldErrors) {
  std::string bad = std::regex_replace(kDocsService, std::regex("port: 80"), "port: 70000");
  auto res = k({"apply", "-f", "-"}, bad);
  EXPECT_FALSE(res.ok());
  EXPECT_NE(res.err.find("spec.ports[0].port"), std::string::npos) << res.err;
  EXPECT_NE(res.err.find("is invalid"), std::string::npos) << res.err;
}

// kubectl's create subcommands send Kubernetes protobuf bodies.
TEST_F(KubectlTest, CreateSubcommandsSendingProtobuf) {
  EXPECT_OK(k({"create", "namespace", "team-b"}));
  EXPECT_OK(k({"create", "configmap", "settings", "-n", "team-b", "--from-literal=mode=fast"}));
  EXPECT_OK(k({"create", "secret", "generic", "token", "-n", "team-b", "--from-literal=key=s3cr3t"}));
  EXPECT_OK(k({"create", "service", "clusterip", "api", "-n", "team-b", "--tcp=80:8080"}));
  EXPECT_EQ(k({"get", "configmap", "settings", "-n", "team-b", "-o", "jsonpath={.data.mode}"}).out, "fast");
  EXPECT_EQ(k({"get", "secret", "token", "-n", "team-b", "-o", "jsonpath={.data.key}"}).out, "czNjcjN0");
  auto svc = k({"get", "svc", "api", "-n", "team-b"});
  EXPECT_TRUE(std::regex_search(svc.out, std::regex(R"(\napi\s+ClusterIP\s+10\.\S+\s+<none>\s+80/TCP)"))) << svc.out;
  // Deleting the namespace takes its contents with it.
  EXPECT_OK(k({"delete", "namespace", "team-b"}));
  EXPECT_FALSE(k({"get", "namespace", "team-b"}).ok());
  auto left = k({"get", "configmaps,secrets,services", "-n", "team-b", "-o", "name"});
  EXPECT_EQ(left.out, "") << left.out;
}

TEST_F(KubectlTest, WrongTokenIsUnauthorized) {
  auto res = runCommand({"kubectl", "--kubeconfig", cp_->kubeconfig(), "--token", "not-a-token", "get", "svc"});
  EXPECT_FALSE(res.ok());
  EXPECT_NE(res.err.find("You must be logged in to the server"), std::string::npos) << res.err;
}

}  // namespace
}  // namespace ferry::testing
