// ferry-dns: cluster DNS for Kubernetes service discovery (schema 1.0.1) over UDP and TCP.
#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <thread>

#include "dns_server.h"
#include "ferry/dns/address_set.h"
#include "ferry/dns/domain_name.h"
#include "ferry/dns/query_metrics.h"
#include "ferry/dns/zone_index.h"
#include "ferry/feed/grpc_runtime.h"
#include "ferry/l7/object_source_flags.h"
#include "ferry/runtime/daemon_flags.h"
#include "ferry/runtime/log.h"
#include "ferry/runtime/status_server.h"

namespace asio = boost::asio;
using namespace ferry;
using namespace ferry::dns;

namespace {

struct Flags {
  std::string config;
  std::string listen = "0.0.0.0:53";
  std::string metrics_listen = "0.0.0.0:9153";
  std::string zone = "cluster.local";
  uint32_t ttl = 5;
  uint32_t negative_ttl = 5;
  std::string pods = "insecure";
  std::vector<std::string> reverse_zones = {"in-addr.arpa", "ip6.arpa"};
  unsigned workers = 0;
  unsigned tcp_idle_timeout_ms = 10000;
  size_t max_tcp_connections = 1024;
  uint16_t max_udp_size = 4096;
  std::string objects;
  std::string kubeconfig;
  std::string feed_address;
  uint16_t feed_port = 6444;
  std::string log_level = "info";
  std::vector<std::string> upstreams;
  unsigned upstream_timeout_ms = 2000;
  size_t cache_size = 10000;
  uint32_t cache_max_ttl = 300;
  uint32_t serve_stale = 3600;
  std::vector<std::string> recursion_allow = defaultRecursionRanges();
  double rrl_responses_per_second = 100;
  unsigned rrl_slip = 2;
  std::vector<std::string> rrl_exempt = {"127.0.0.0/8", "::1/128"};
};

// "127.0.0.1:53", "[::1]:53", ":53" (all IPv4 addresses).
std::optional<std::pair<asio::ip::address, uint16_t>> parseListen(const std::string& text) {
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
    return std::pair{address, static_cast<uint16_t>(port)};
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// --upstream "10.0.0.2", "10.0.0.2:5353", "[fd00::2]:53".
std::optional<UpstreamEndpoint> parseUpstream(const std::string& text) {
  boost::system::error_code ec;
  const auto bare = asio::ip::make_address(text, ec);
  if (!ec) return UpstreamEndpoint{bare, 53};
  const auto hostport = parseListen(text);
  if (!hostport || hostport->second == 0 || text.starts_with(":")) return std::nullopt;
  return UpstreamEndpoint{hostport->first, hostport->second};
}

// The node's resolvers: "nameserver" lines of resolv.conf(5), minus ourselves (a loopback
// resolver on our port when we listen on every address, or our exact address).
std::vector<UpstreamEndpoint> resolvConfUpstreams(const std::string& path,
                                                  const asio::ip::address& listen,
                                                  uint16_t listen_port) {
  std::vector<UpstreamEndpoint> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string keyword;
    std::string address;
    if (!(words >> keyword >> address) || keyword != "nameserver") continue;
    boost::system::error_code ec;
    const auto a = asio::ip::make_address(address, ec);
    if (ec) continue;
    const bool ourselves =
        listen_port == 53 && (a == listen || (listen.is_unspecified() && a.is_loopback()));
    if (ourselves) {
      FERRY_LOG(kWarn, "skipping ourselves as an upstream", {{"nameserver", address}});
      continue;
    }
    out.push_back({a, 53});
  }
  return out;
}

std::optional<PodMode> parsePodMode(const std::string& text) {
  if (text == "insecure") return PodMode::kInsecure;
  if (text == "verified") return PodMode::kVerified;
  if (text == "disabled") return PodMode::kDisabled;
  return std::nullopt;
}

int fail(const std::string& what) {
  FERRY_LOG(kError, "startup failed", {{"error", what}});
  return 1;
}

int run(int argc, char** argv) {
  feed::tuneGrpcRuntime();
  Flags f;
  CLI::App app{
      "ferry-dns: cluster DNS (Kubernetes DNS-Based Service Discovery, schema 1.0.1).\n"
      "Every flag may also be set in a YAML file given with --config (same names)."};
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.add_option("--config", f.config, "YAML file of flag values (command-line flags win)");
  app.add_option("--listen", f.listen, "address:port for DNS over UDP and TCP")
      ->capture_default_str();
  app.add_option("--metrics-listen", f.metrics_listen,
                 "address:port for /metrics, /healthz and /readyz")
      ->capture_default_str();
  app.add_option("--zone", f.zone, "cluster domain")->capture_default_str();
  app.add_option("--ttl", f.ttl, "TTL of answers, seconds")->capture_default_str();
  app.add_option("--negative-ttl", f.negative_ttl, "SOA MINIMUM: caching of misses, seconds")
      ->capture_default_str();
  app.add_option("--pods", f.pods, "pod records: insecure, verified or disabled")
      ->capture_default_str();
  app.add_option("--reverse-zone", f.reverse_zones, "reverse zones answered with PTRs")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->capture_default_str();
  app.add_option("--workers", f.workers, "serving threads (default: number of CPUs)");
  app.add_option("--tcp-idle-timeout-ms", f.tcp_idle_timeout_ms,
                 "close TCP connections idle this long")
      ->capture_default_str();
  app.add_option("--max-tcp-connections", f.max_tcp_connections, "per worker")
      ->capture_default_str();
  app.add_option("--max-udp-size", f.max_udp_size,
                 "largest UDP response, whatever EDNS0 size the client offers")
      ->capture_default_str();
  app.add_option("--objects", f.objects,
                 "JSON or YAML file of Services, EndpointSlices and Pods to serve (then synced)");
  app.add_option(
      "--kubeconfig", f.kubeconfig,
      "follow the control plane's feed (its URL, CA and a node token); the usual source");
  app.add_option("--feed-address", f.feed_address,
                 "host:port of the feed (default: the kubeconfig's host)");
  app.add_option("--feed-port", f.feed_port, "feed port on the kubeconfig's host")
      ->capture_default_str();
  app.add_option("--upstream", f.upstreams,
                 "resolver for names outside our zones, host[:port], repeatable; default: the "
                 "nameservers of /etc/resolv.conf; 'none': answer REFUSED")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_option("--upstream-timeout-ms", f.upstream_timeout_ms,
                 "per exchange with one upstream, then the next is tried")
      ->capture_default_str();
  app.add_option("--cache-size", f.cache_size, "forwarded answers cached (split over workers)")
      ->capture_default_str();
  app.add_option("--cache-max-ttl", f.cache_max_ttl, "cap on cached TTLs, seconds")
      ->capture_default_str();
  app.add_option("--serve-stale", f.serve_stale,
                 "serve expired answers this long when every upstream fails, seconds (0: off)")
      ->capture_default_str();
  app.add_option("--recursion-allow", f.recursion_allow,
                 "CIDRs whose clients get names outside our zones forwarded ('none': nobody)")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->capture_default_str();
  app.add_option("--rrl-responses-per-second", f.rrl_responses_per_second,
                 "UDP responses per client /24 (IPv6 /56) per second and worker (0: off)")
      ->capture_default_str();
  app.add_option("--rrl-slip", f.rrl_slip,
                 "every n-th response over the limit goes out truncated instead of dropped")
      ->capture_default_str();
  app.add_option("--rrl-exempt", f.rrl_exempt, "CIDRs never rate-limited ('none': nobody)")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->capture_default_str();
  app.add_option("--log-level", f.log_level, "debug, info, warn or error")->capture_default_str();

  if (auto exit_code = runtime::parseDaemonFlags(app, argc, argv)) return *exit_code;
  if (auto exit_code = runtime::startDaemonLogging("dns", f.log_level)) return *exit_code;

  ZoneConfig zone;
  zone.origin = f.zone;
  zone.ttl = f.ttl;
  zone.negative_ttl = f.negative_ttl;
  zone.reverse_zones = f.reverse_zones;
  const auto pods = parsePodMode(f.pods);
  if (!pods) return fail("--pods must be insecure, verified or disabled");
  zone.pods = *pods;
  if (!nameFromText(f.zone)) return fail("--zone is not a domain name: " + f.zone);

  const auto dns_address = parseListen(f.listen);
  if (!dns_address) return fail("--listen must look like 127.0.0.1:53 or [::1]:53");
  const auto metrics_address = parseListen(f.metrics_listen);
  if (!metrics_address) return fail("--metrics-listen must look like 127.0.0.1:9153");

  std::vector<UpstreamEndpoint> upstreams;
  if (f.upstreams.empty()) {
    upstreams = resolvConfUpstreams("/etc/resolv.conf", dns_address->first, dns_address->second);
  } else if (!(f.upstreams.size() == 1 && f.upstreams[0] == "none")) {
    for (const auto& u : f.upstreams) {
      const auto parsed = parseUpstream(u);
      if (!parsed) return fail("--upstream must look like 10.0.0.2 or 10.0.0.2:53: " + u);
      upstreams.push_back(*parsed);
    }
  }
  auto recursion_allow = AddressSet::parse(f.recursion_allow);
  if (!recursion_allow.ok()) return fail("--recursion-allow: " + recursion_allow.error());
  auto rrl_exempt = AddressSet::parse(f.rrl_exempt);
  if (!rrl_exempt.ok()) return fail("--rrl-exempt: " + rrl_exempt.error());
  if (f.rrl_responses_per_second < 0) return fail("--rrl-responses-per-second must be >= 0");

  ZoneIndex index(zone);
  runtime::Registry& registry = runtime::Registry::global();
  index.setProgrammingLatency(&registry.histogram(
      "ferry_dns_programming_latency_seconds",
      "From an EndpointSlice's last-change-trigger-time to the zone answering from it."));
  QueryMetrics query_metrics(registry);
  std::vector<std::string> upstream_names;
  upstream_names.reserve(upstreams.size());
  for (const auto& u : upstreams) upstream_names.push_back(u.name());
  ForwardMetrics forward_metrics(registry, upstream_names);

  DnsServerOptions options;
  options.address = dns_address->first;
  options.port = dns_address->second;
  options.workers = f.workers ? f.workers : std::max(1u, std::thread::hardware_concurrency());
  options.tcp_idle_timeout = std::chrono::milliseconds(f.tcp_idle_timeout_ms);
  options.max_tcp_connections = f.max_tcp_connections;
  options.responder.max_udp_payload = f.max_udp_size;
  options.forwarder.upstreams = upstreams;
  options.forwarder.timeout = std::chrono::milliseconds(f.upstream_timeout_ms);
  options.forwarder.cache.max_entries = std::max<size_t>(1, f.cache_size / options.workers);
  options.forwarder.cache.max_ttl = std::chrono::seconds(f.cache_max_ttl);
  options.forwarder.cache.serve_stale = std::chrono::seconds(f.serve_stale);
  options.forwarder.recursion_allow = *recursion_allow;
  options.forwarder.max_udp_payload = f.max_udp_size;
  options.rrl.responses_per_second = f.rrl_responses_per_second;
  options.rrl.slip = f.rrl_slip;
  options.rrl_exempt = *rrl_exempt;
  DnsServer server(options, index, query_metrics, forward_metrics);
  if (auto bound = server.bind(); !bound.ok()) return fail(bound.error());

  runtime::StatusServer metrics_http;
  metrics_http.serveMetrics(registry, [&] {
    const auto snapshot = index.snapshot();
    registry.gauge("ferry_dns_zone_synced", "1 once the first complete sync arrived.")
        .set(snapshot->synced() ? 1 : 0);
    registry.gauge("ferry_dns_zone_names", "Names in the published zone snapshot.")
        .set(static_cast<double>(snapshot->nameCount()));
    registry.gauge("ferry_dns_zone_serial", "SOA serial of the published snapshot.")
        .set(static_cast<double>(snapshot->serial()));
  });
  metrics_http.handle("/healthz", [] {
    return runtime::StatusReply{200, "text/plain; charset=utf-8", "ok\n"};
  });
  metrics_http.handle("/readyz", [&] {
    const bool ready = index.snapshot()->synced();
    return runtime::StatusReply{ready ? 200 : 503, "text/plain; charset=utf-8",
                                ready ? "ok\n" : "zone not synced\n"};
  });
  if (auto bound = metrics_http.listen(f.metrics_listen); !bound.ok()) {
    return fail(bound.error());
  }

  auto made = l7::makeObjectSource({f.objects, f.kubeconfig, f.feed_address, f.feed_port},
                                   "ferry-dns", {"Service", "EndpointSlice"});
  if (!made.ok()) return fail(made.error());
  std::unique_ptr<l7::ObjectSource> source = std::move(made.value());
  if (source) {
    if (auto started = source->start(index); !started.ok()) return fail(started.error());
  } else {
    FERRY_LOG(kWarn, "no object source: answering SERVFAIL for the zone until synced", {});
  }

  server.start();
  metrics_http.start();
  FERRY_LOG(kInfo, "serving",
            {{"address", options.address.to_string()},
             {"port", server.port()},
             {"metrics_port", metrics_http.port()},
             {"workers", options.workers},
             {"zone", f.zone},
             {"upstreams", upstream_names.size()},
             {"synced", index.snapshot()->synced()}});

  runtime::waitForTerminationSignal();
  if (source) source->stop();
  metrics_http.stop();
  server.stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // Startup and shutdown are the process edge: anything thrown there ends up logged, not as
  // std::terminate.
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    return fail(e.what());
  }
}
