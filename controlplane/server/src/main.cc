// ferry-controlplane: the Kubernetes-compatible API server with the embedded durable store.
#include <grpcpp/grpcpp.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <thread>

#include "ferry/controllers/endpoint_controller.h"
#include "ferry/controlplane/admission.h"
#include "ferry/controlplane/allocators.h"
#include "ferry/controlplane/api_server.h"
#include "ferry/controlplane/auth.h"
#include "ferry/controlplane/bootstrap.h"
#include "ferry/controlplane/compactor.h"
#include "ferry/controlplane/feed_service.h"
#include "ferry/controlplane/http_server.h"
#include "ferry/controlplane/mirror.h"
#include "ferry/controlplane/pki.h"
#include "ferry/feed/grpc_runtime.h"
#include "ferry/feed/kubeconfig.h"
#include "ferry/runtime/daemon_flags.h"
#include "ferry/runtime/log.h"
#include "ferry/store/embedded_store.h"

namespace fs = std::filesystem;
namespace asio = boost::asio;
using namespace ferry;
using namespace ferry::controlplane;

namespace {

struct Flags {
  std::string config;
  std::string data_dir = "/var/lib/ferry/controlplane";
  std::string bind_address = "0.0.0.0";
  uint16_t secure_port = 6443;
  uint16_t feed_port = 6444;
  std::string advertise_address = "127.0.0.1";
  std::string service_cidr = "10.96.0.0/12";
  std::string service_cidr_v6;
  std::string node_port_range = "30000-32767";
  std::vector<std::string> lb_ip_pool;  // at most one CIDR per family
  std::string cluster_dns_ip = "auto";
  std::string tls_cert_file, tls_key_file;
  std::string token_auth_file;
  std::string kubeconfig_out;
  std::vector<std::string> tls_san;
  std::string log_level = "info";
  unsigned threads = 0;
  unsigned compaction_interval_s = 300;
  bool controllers = true;
  std::string mirror_kubeconfig;
};

bool parsePortRange(const std::string& s, uint16_t& lo, uint16_t& hi) {
  auto dash = s.find('-');
  if (dash == std::string::npos) return false;
  int a = std::atoi(s.substr(0, dash).c_str()), b = std::atoi(s.substr(dash + 1).c_str());
  if (a < 1 || b > 65535 || a > b) return false;
  lo = static_cast<uint16_t>(a);
  hi = static_cast<uint16_t>(b);
  return true;
}

int fail(const std::string& what) {
  FERRY_LOG(kError, "startup failed", {{"error", what}});
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  ferry::feed::tuneGrpcRuntime();
  Flags f;
  CLI::App app{
      "ferry-controlplane: a Kubernetes-compatible API server with an embedded durable store.\n"
      "Every flag may also be set in a YAML file given with --config (same names)."};
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.add_option("--config", f.config, "YAML file of flag values (command-line flags win)");
  app.add_option("--data-dir", f.data_dir, "where the store, PKI, tokens and kubeconfig live")
      ->capture_default_str();
  app.add_option("--bind-address", f.bind_address, "address to serve HTTPS on")
      ->capture_default_str();
  app.add_option("--secure-port", f.secure_port, "HTTPS port")->capture_default_str();
  app.add_option("--feed-port", f.feed_port,
                 "gRPC port of the agents' feed (TLS, bearer tokens; 0 = off)")
      ->capture_default_str();
  app.add_option("--advertise-address", f.advertise_address,
                 "address agents and the default/kubernetes Endpoints use to reach this server")
      ->capture_default_str();
  app.add_option("--service-cluster-ip-range", f.service_cidr, "ClusterIP range")
      ->capture_default_str();
  app.add_option("--service-cluster-ip-range-v6", f.service_cidr_v6,
                 "optional IPv6 ClusterIP range");
  app.add_option(
         "--loadbalancer-ip-pool", f.lb_ip_pool,
         "CIDRs (one IPv4, one IPv6) LoadBalancer Services get status.loadBalancer.ingress from; "
         "unset: LoadBalancer IPs are left to another controller")
      ->delimiter(',');
  app.add_option("--cluster-dns-ip", f.cluster_dns_ip,
                 "ClusterIP of kube-system/kube-dns: \"auto\" = the tenth IP of the service range, "
                 "\"\" = none")
      ->capture_default_str();
  app.add_option("--service-node-port-range", f.node_port_range, "NodePort range")
      ->capture_default_str();
  app.add_option("--tls-cert-file", f.tls_cert_file,
                 "serving certificate (generated under data-dir when unset)");
  app.add_option("--tls-private-key-file", f.tls_key_file, "serving key");
  app.add_option("--tls-san", f.tls_san,
                 "extra DNS names or IPs for the generated serving certificate")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_option("--token-auth-file", f.token_auth_file,
                 "static token file (default: <data-dir>/tokens.csv)");
  app.add_option("--kubeconfig-out", f.kubeconfig_out,
                 "admin kubeconfig to write (default: <data-dir>/admin.kubeconfig)");
  app.add_option("--log-level", f.log_level, "debug, info, warn or error")->capture_default_str();
  app.add_option("--threads", f.threads, "I/O threads (default: number of CPUs, at least 2)");
  app.add_option("--compaction-interval", f.compaction_interval_s,
                 "seconds between store compactions; history older than one interval is dropped")
      ->capture_default_str();
  app.add_option("--controllers", f.controllers,
                 "run the EndpointSlice, Endpoints and mirroring controllers")
      ->capture_default_str();

  app.add_option("--mirror-kubeconfig", f.mirror_kubeconfig,
                 "mirror mode: take Services, EndpointSlices, Nodes, Ingresses, IngressClasses and "
                 "TLS Secrets from the API server this kubeconfig names (list + watch) instead of "
                 "serving writes; the local store becomes a replica, the REST API read-only, the "
                 "controllers off, and the agents' feed serves the upstream's objects");

  if (auto exit_code = runtime::parseDaemonFlags(app, argc, argv)) return *exit_code;
  if (auto exit_code = runtime::startDaemonLogging("controlplane", f.log_level)) return *exit_code;

  auto v4 = model::Cidr::parse(f.service_cidr);
  if (!v4 || v4->base().family() != model::Family::kIpv4)
    return fail("--service-cluster-ip-range must be an IPv4 CIDR");
  std::optional<model::Cidr> v6;
  if (!f.service_cidr_v6.empty()) {
    v6 = model::Cidr::parse(f.service_cidr_v6);
    if (!v6 || v6->base().family() != model::Family::kIpv6)
      return fail("--service-cluster-ip-range-v6 must be an IPv6 CIDR");
  }
  std::optional<model::Cidr> lb4, lb6;
  for (const auto& text : f.lb_ip_pool) {
    auto cidr = model::Cidr::parse(text);
    if (!cidr) return fail("--loadbalancer-ip-pool: not a CIDR: " + text);
    auto& slot = cidr->base().family() == model::Family::kIpv4 ? lb4 : lb6;
    if (slot) return fail("--loadbalancer-ip-pool takes at most one CIDR per address family");
    slot = cidr;
  }
  uint16_t np_lo, np_hi;
  if (!parsePortRange(f.node_port_range, np_lo, np_hi))
    return fail("--service-node-port-range must look like 30000-32767");

  const bool mirror_mode = !f.mirror_kubeconfig.empty();
  std::optional<UpstreamEndpoint> upstream;
  std::shared_ptr<asio::ssl::context> upstream_tls;
  if (mirror_mode) {
    auto creds = feed::readKubeconfig(f.mirror_kubeconfig);
    if (!creds.ok()) return fail("--mirror-kubeconfig: " + creds.error());
    auto endpoint = upstreamEndpoint(*creds);
    if (!endpoint.ok()) return fail("--mirror-kubeconfig: " + endpoint.error());
    auto tls = upstreamTls(*creds);
    if (!tls.ok()) return fail("--mirror-kubeconfig: " + tls.error());
    upstream = *endpoint;
    upstream_tls = *tls;
    // The upstream's controllers write the EndpointSlices; local ones would fight the mirror.
    f.controllers = false;
  }

  const fs::path data(f.data_dir);
  std::error_code ec;
  fs::create_directories(data, ec);
  if (ec) return fail("create " + data.string() + ": " + ec.message());

  store::EmbeddedStoreOptions so;
  so.dir = data / "store";
  auto opened = store::EmbeddedStore::open(so);
  if (!opened.ok()) return fail("open store: " + opened.status().toString());
  std::unique_ptr<store::EmbeddedStore> st = std::move(*opened);

  IpAllocator ips4(*v4, "v4");
  std::unique_ptr<IpAllocator> ips6;
  if (v6) ips6 = std::make_unique<IpAllocator>(*v6, "v6");
  PortAllocator node_ports(np_lo, np_hi, "nodeports");
  if (auto s = ips4.load(*st); !s.ok()) return fail("load allocations: " + s.toString());
  if (ips6) (void)ips6->load(*st);
  if (auto s = node_ports.load(*st); !s.ok()) return fail("load allocations: " + s.toString());
  std::unique_ptr<IpAllocator> lb_ips4, lb_ips6;
  if (lb4) lb_ips4 = std::make_unique<IpAllocator>(*lb4, "lb-v4");
  if (lb6) lb_ips6 = std::make_unique<IpAllocator>(*lb6, "lb-v6");
  for (auto* pool : {lb_ips4.get(), lb_ips6.get()})
    if (pool)
      if (auto s = pool->load(*st); !s.ok()) return fail("load allocations: " + s.toString());

  ObjectStorage storage(*st);
  ServiceAllocation service_alloc(*st, ips4, ips6.get(), node_ports);
  service_alloc.setLoadBalancerPools(lb_ips4.get(), lb_ips6.get());
  Admission admission(service_alloc);
  std::string dns_ip = f.cluster_dns_ip;
  if (dns_ip == "auto") dns_ip = model::IpAddress::v4(v4->base().v4HostOrder() + 10).toString();
  // A mirror's objects all come from the upstream, which bootstrapped its own cluster.
  if (!mirror_mode)
    if (auto b = bootstrapCluster(storage, admission, {f.advertise_address, f.secure_port, dns_ip});
        !b.ok())
      return fail(b.error());
  std::unique_ptr<Mirror> mirror;  // declared after the store: stops first
  if (mirror_mode) {
    mirror = std::make_unique<Mirror>(*st, *upstream, upstream_tls, runtime::Registry::global());
    mirror->start();
    FERRY_LOG(kInfo, "mirror mode", {{"upstream", upstream->server}});
  }
  std::unique_ptr<EndpointController> endpoint_controller;  // declared after the store: stops first
  if (f.controllers)
    endpoint_controller =
        std::make_unique<EndpointController>(storage, admission, runtime::Registry::global());
  if (endpoint_controller) endpoint_controller->start();

  auto pki = ensurePki({data / "pki", {}, f.tls_san, 3650});
  if (!pki.ok()) return fail(pki.error());
  std::string cert = f.tls_cert_file.empty() ? pki->serving_cert.string() : f.tls_cert_file;
  std::string key = f.tls_key_file.empty() ? pki->serving_key.string() : f.tls_key_file;

  fs::path token_file =
      f.token_auth_file.empty() ? data / "tokens.csv" : fs::path(f.token_auth_file);
  auto auth = Authenticator::loadOrCreate(token_file);
  if (!auth.ok()) return fail(auth.error());

  const std::string server_url =
      "https://" +
      (f.advertise_address.find(':') != std::string::npos ? "[" + f.advertise_address + "]"
                                                          : f.advertise_address) +
      ":" + std::to_string(f.secure_port);
  fs::path kubeconfig =
      f.kubeconfig_out.empty() ? data / "admin.kubeconfig" : fs::path(f.kubeconfig_out);
  if (auto token = auth->tokenForGroup("system:masters")) {
    std::ofstream out(kubeconfig);
    fs::permissions(kubeconfig, fs::perms::owner_read | fs::perms::owner_write, ec);
    out << makeKubeconfig(server_url, readFile(pki->ca_cert), "admin", *token);
  }
  if (auto token = auth->tokenForGroup("system:nodes")) {
    std::ofstream out(data / "agent.kubeconfig");
    fs::permissions(data / "agent.kubeconfig", fs::perms::owner_read | fs::perms::owner_write, ec);
    out << makeKubeconfig(server_url, readFile(pki->ca_cert), "agent", *token);
  }

  asio::ssl::context tls(asio::ssl::context::tls_server);
  tls.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                  asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                  asio::ssl::context::no_tlsv1_1);
  try {
    tls.use_certificate_chain_file(cert);
    tls.use_private_key_file(key, asio::ssl::context::pem);
  } catch (const std::exception& e) {
    return fail(std::string("load TLS certificate: ") + e.what());
  }

  runtime::Registry& metrics = runtime::Registry::global();
  ApiServerOptions api_options;
  api_options.on_scrape = [&metrics, store_ptr = st.get(), &ips4, &node_ports] {
    const auto s = store_ptr->stats();
    metrics.gauge("ferry_store_revision", "Current store revision.")
        .set(static_cast<double>(store_ptr->currentRevision()));
    metrics.gauge("ferry_store_wal_records", "WAL records appended since start.")
        .set(static_cast<double>(s.wal_records));
    metrics
        .gauge("ferry_store_wal_syncs", "WAL fdatasync calls since start (one per group commit).")
        .set(static_cast<double>(s.wal_syncs));
    metrics.gauge("ferry_store_snapshots", "Snapshots written since start.")
        .set(static_cast<double>(s.snapshots_written));
    metrics.gauge("ferry_store_watchers", "Open store watches.")
        .set(static_cast<double>(s.watchers));
    metrics.gauge("ferry_store_watchers_cut_off", "Watchers cut off for falling behind.")
        .set(static_cast<double>(s.watchers_cut_off));
    metrics.gauge("ferry_service_ips_allocated", "ClusterIPs in use.")
        .set(static_cast<double>(ips4.usedCount()));
    (void)node_ports;
  };
  if (mirror) {
    api_options.ready = [m = mirror.get()] { return m->synced(); };
    api_options.read_only_message =
        "ferry-controlplane is mirroring " + upstream->server +
        " (--mirror-kubeconfig): its API is read-only; write to the upstream API server";
  }
  ApiServer api_server(storage, *auth, admission, metrics, api_options);
  unsigned threads = f.threads ? f.threads : std::max(2u, std::thread::hardware_concurrency());
  asio::io_context io(static_cast<int>(threads));
  HttpsServer https(
      io, tls, [&](HttpRequest& req, ResponseWriter& out) { return api_server.handle(req, out); });
  try {
    https.listen({asio::ip::make_address(f.bind_address), f.secure_port});
  } catch (const std::exception& e) {
    return fail("listen on " + f.bind_address + ":" + std::to_string(f.secure_port) + ": " +
                e.what());
  }
  FERRY_LOG(kInfo, "serving",
            {{"address", f.bind_address},
             {"port", https.port()},
             {"data_dir", f.data_dir},
             {"kubeconfig", kubeconfig.string()},
             {"revision", st->currentRevision()}});

  // The agents' feed: gRPC over TLS with the serving certificate; HTTP/2 keepalive pings find
  // dead agents, and agents may ping idle streams that often.
  NodeRegistrar node_registrar(storage, admission);
  std::unique_ptr<FeedService> feed;
  std::unique_ptr<grpc::Server> feed_server;
  if (f.feed_port != 0) {
    // A mirror registers no Nodes: the upstream's kubelets do (agents run --register-node=false).
    feed = std::make_unique<FeedService>(*st, *auth, metrics, FeedServiceOptions{},
                                         mirror_mode ? nullptr : &node_registrar);
    grpc::SslServerCredentialsOptions ssl;
    ssl.pem_key_cert_pairs.push_back({readFile(key), readFile(cert)});
    grpc::ServerBuilder builder;
    int bound_port = 0;
    const std::string feed_addr =
        (f.bind_address.find(':') != std::string::npos ? "[" + f.bind_address + "]"
                                                       : f.bind_address) +
        ":" + std::to_string(f.feed_port);
    builder.AddListeningPort(feed_addr, grpc::SslServerCredentials(ssl), &bound_port);
    builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 20000);
    builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10000);
    builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 5000);
    builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
    builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, 0);
    builder.RegisterService(feed.get());
    feed_server = builder.BuildAndStart();
    if (!feed_server || bound_port == 0) return fail("listen on " + feed_addr + " for the feed");
    FERRY_LOG(kInfo, "serving the agents' feed",
              {{"address", f.bind_address}, {"port", bound_port}});
  }

  Compactor compactor(io, *st, std::chrono::seconds(std::max(1u, f.compaction_interval_s)));
  compactor.start();

  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int sig) {
    FERRY_LOG(kInfo, "shutting down", {{"signal", sig}});
    https.stop();
    compactor.stop();
    if (mirror) mirror->stop();
    if (feed_server)
      feed_server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
    io.stop();
  });
  std::vector<std::thread> pool;
  for (unsigned i = 1; i < threads; ++i) pool.emplace_back([&] { io.run(); });
  io.run();
  for (auto& t : pool) t.join();
  return 0;
}
