// ferry-ingress: the Kubernetes Ingress data path (HTTP/1.1 reverse proxy routing by host and
// path), configured from Ingresses, IngressClasses, Secrets, Services and EndpointSlices that
// arrive from an objects file or the control plane's feed, without reloads.
#include <CLI/CLI.hpp>
#include <optional>
#include <thread>

#include "config_publisher.h"
#include "ferry/agent/service_compiler.h"
#include "ferry/ingress/config_builder.h"
#include "ferry/l7/object_source_flags.h"
#include "ferry/runtime/daemon_flags.h"
#include "ferry/runtime/log.h"
#include "ferry/runtime/status_server.h"
#include "ingress_server.h"
#include "proxy_metrics.h"

namespace asio = boost::asio;
using namespace ferry;
using namespace ferry::ingress;

namespace {

struct Flags {
  std::string config;
  std::string http_listen = "0.0.0.0:80";
  std::string https_listen = "0.0.0.0:443";
  std::string metrics_listen = "0.0.0.0:10254";  // ingress-nginx's metrics port
  unsigned workers = 0;
  std::string objects;
  std::string kubeconfig;
  std::string feed_address;
  uint16_t feed_port = 6444;
  std::string controller_name{kDefaultControllerName};
  std::string class_name{kDefaultClassName};
  std::vector<std::string> publish_addresses;
  std::string log_level = "info";
  size_t max_connections = 16384;
  unsigned header_timeout_s = 10;
  unsigned keepalive_timeout_s = 60;
  unsigned connect_timeout_ms = 2000;
  unsigned upstream_idle_timeout_s = 30;
};

// "127.0.0.1:80", "[::1]:80", ":80" (all IPv4 addresses).
std::optional<asio::ip::tcp::endpoint> parseListen(const std::string& text) {
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos) return std::nullopt;
  std::string host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host.empty()) host = "0.0.0.0";
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(host, ec);
  if (ec) return std::nullopt;
  try {
    const int port = std::stoi(text.substr(colon + 1));
    if (port < 0 || port > 65535) return std::nullopt;
    return asio::ip::tcp::endpoint{address, static_cast<uint16_t>(port)};
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

int fail(const std::string& what) {
  FERRY_LOG(kError, "startup failed", {{"error", what}});
  return 1;
}

int run(int argc, char** argv) {
  Flags f;
  CLI::App app{
      "ferry-ingress: Kubernetes Ingress routing by host and path (HTTP/1.1 proxy).\n"
      "Every flag may also be set in a YAML file given with --config (same names)."};
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.add_option("--config", f.config, "YAML file of flag values (command-line flags win)");
  app.add_option("--http-listen", f.http_listen, "address:port for plain HTTP")
      ->capture_default_str();
  app.add_option("--https-listen", f.https_listen,
                 "address:port for HTTPS: TLS 1.2/1.3, the certificate picked by SNI from the "
                 "Ingresses' TLS Secrets (\"\" disables)")
      ->capture_default_str();
  app.add_option("--metrics-listen", f.metrics_listen,
                 "address:port for /metrics, /healthz and /readyz")
      ->capture_default_str();
  app.add_option("--workers", f.workers, "serving threads (default: number of CPUs)");
  app.add_option("--objects", f.objects,
                 "JSON or YAML file of Ingresses, IngressClasses, Secrets, Services and "
                 "EndpointSlices (read once at start)");
  app.add_option("--kubeconfig", f.kubeconfig,
                 "follow the control plane's feed (its URL, CA and a node token)");
  app.add_option("--feed-address", f.feed_address,
                 "host:port of the feed (default: the kubeconfig's host)");
  app.add_option("--feed-port", f.feed_port, "feed port on the kubeconfig's host")
      ->capture_default_str();
  app.add_option("--controller-name", f.controller_name,
                 "IngressClass spec.controller that selects us")
      ->capture_default_str();
  app.add_option("--class-name", f.class_name,
                 "class named by the legacy kubernetes.io/ingress.class annotation")
      ->capture_default_str();
  app.add_option("--publish-address", f.publish_addresses,
                 "IP written to the Ingresses' status.loadBalancer.ingress, repeatable")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_option("--max-connections", f.max_connections, "client connections per worker")
      ->capture_default_str();
  app.add_option("--header-timeout-s", f.header_timeout_s,
                 "a request's header must be complete this long after its first byte (408)")
      ->capture_default_str();
  app.add_option("--keepalive-timeout-s", f.keepalive_timeout_s,
                 "idle client keep-alive connections are closed after this")
      ->capture_default_str();
  app.add_option("--connect-timeout-ms", f.connect_timeout_ms, "connecting to an endpoint")
      ->capture_default_str();
  app.add_option("--upstream-idle-timeout-s", f.upstream_idle_timeout_s,
                 "pooled upstream connections idle this long are closed")
      ->capture_default_str();
  app.add_option("--log-level", f.log_level, "debug, info, warn or error")->capture_default_str();

  if (auto exit_code = runtime::parseDaemonFlags(app, argc, argv)) return *exit_code;
  if (auto exit_code = runtime::startDaemonLogging("ingress", f.log_level)) return *exit_code;

  const auto http = parseListen(f.http_listen);
  if (!http) return fail("--http-listen must look like 0.0.0.0:80 or [::]:80");
  if (!parseListen(f.metrics_listen)) return fail("--metrics-listen must look like 0.0.0.0:10254");
  std::optional<asio::ip::tcp::endpoint> https;
  std::optional<PemPair> tls_fallback;
  if (!f.https_listen.empty()) {
    https = parseListen(f.https_listen);
    if (!https) return fail("--https-listen must look like 0.0.0.0:443");
    tls_fallback = generateSelfSigned("ferry-ingress-default");
  }
  std::vector<LoadBalancerIngress> publish;
  for (const auto& a : f.publish_addresses) {
    boost::system::error_code ec;
    asio::ip::make_address(a, ec);
    if (ec) return fail("--publish-address must be an IP address: " + a);
    publish.push_back({a, ""});
  }
  runtime::Registry& registry = runtime::Registry::global();
  ProxyMetrics metrics(registry);
  agent::ServiceCompiler compiler;
  ServiceCompilerModel<agent::ServiceCompiler> model(compiler);
  BuilderOptions builder_options;
  builder_options.classes.controller = f.controller_name;
  builder_options.classes.class_name = f.class_name;
  IngressConfigBuilder builder(builder_options, model);
  ConfigPublisher publisher(builder, metrics, publish);

  ProxyOptions options;
  options.max_connections = f.max_connections;
  options.header_timeout = std::chrono::seconds(f.header_timeout_s);
  options.keepalive_timeout = std::chrono::seconds(f.keepalive_timeout_s);
  options.connect_timeout = std::chrono::milliseconds(f.connect_timeout_ms);
  options.upstream_idle_timeout = std::chrono::seconds(f.upstream_idle_timeout_s);
  const unsigned workers =
      f.workers ? f.workers : std::max(1u, std::thread::hardware_concurrency());
  IngressServer server(options, workers, publisher, metrics, std::move(tls_fallback));
  if (auto bound = server.bind(*http, https); !bound.ok()) return fail(bound.error());

  runtime::StatusServer status;
  status.serveMetrics(registry);
  status.handle("/healthz", [] {
    return runtime::StatusReply{200, "text/plain; charset=utf-8", "ok\n"};
  });
  status.handle("/readyz", [&] {
    const bool ready = publisher.ready();
    return runtime::StatusReply{ready ? 200 : 503, "text/plain; charset=utf-8",
                                ready ? "ok\n" : "no configuration yet\n"};
  });
  if (auto bound = status.listen(f.metrics_listen); !bound.ok()) return fail(bound.error());

  auto made =
      l7::makeObjectSource({f.objects, f.kubeconfig, f.feed_address, f.feed_port}, "ferry-ingress",
                           {"Ingress", "IngressClass", "Secret", "Service", "EndpointSlice"});
  if (!made.ok()) return fail(made.error());
  std::unique_ptr<l7::ObjectSource> source = std::move(made.value());
  if (source) {
    if (auto started = source->start(publisher); !started.ok()) return fail(started.error());
  } else {
    FERRY_LOG(kWarn, "no object source: answering 503 until configured", {});
  }

  server.start();
  status.start();
  FERRY_LOG(kInfo, "serving",
            {{"http", http->address().to_string()},
             {"port", server.httpPort()},
             {"https_port", server.httpsPort()},
             {"metrics_port", status.port()},
             {"workers", workers},
             {"ready", publisher.ready()}});

  runtime::waitForTerminationSignal();
  if (source) source->stop();
  status.stop();
  server.stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // Startup and shutdown are the process edge: anything thrown there ends up logged.
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    return fail(e.what());
  }
}
