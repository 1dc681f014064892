// ferry-echo: the demo and test workload. Answers HTTP/1.1, h2c and WebSocket on one port and
// UDP on another, always naming the pod it plays, so traffic through ferry shows where it went.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <cstdlib>
#include <iostream>

#include "ferry/echo/echo_server.h"
#include "ferry/runtime/daemon_flags.h"
#include "ferry/runtime/log.h"

namespace asio = boost::asio;
using namespace ferry;

namespace {

std::string envOr(const char* name, std::string fallback) {
  const char* value = std::getenv(name);  // NOLINT(concurrency-mt-unsafe): before any thread
  return value && *value ? std::string(value) : std::move(fallback);
}

std::string hostName() {
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) != 0) return "unknown";
  return name;
}

int fail(const std::string& what) {
  FERRY_LOG(kError, "startup failed", {{"error", what}});
  return 1;
}

int run(int argc, char** argv) {
  echo::EchoOptions options;
  options.pod_name = envOr("POD_NAME", hostName());
  options.namespace_name = envOr("POD_NAMESPACE", "default");
  std::string config;
  std::string log_level = "info";
  unsigned udp_port = options.udp_port;

  CLI::App app{
      "ferry-echo: demo workload and test backend. One TCP port answers HTTP/1.1, h2c (prior\n"
      "knowledge) and WebSocket (/ws) with a report naming the pod; POST/PUT echo the body;\n"
      "/healthz, /readyz, /metrics, /status/<code>, /delay/<ms>. UDP datagrams come back\n"
      "prefixed with 'pod=<name> '. Every flag may also be set in a YAML file (--config)."};
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.add_option("--config", config, "YAML file of flag values (command-line flags win)");
  app.add_option("--pod-name", options.pod_name,
                 "pod name reported (default: $POD_NAME, else the hostname)")
      ->capture_default_str();
  app.add_option("--namespace", options.namespace_name,
                 "namespace reported (default: $POD_NAMESPACE, else default)")
      ->capture_default_str();
  app.add_option("--http-port", options.http_port, "TCP port for HTTP/1.1, h2c and WebSocket")
      ->capture_default_str();
  app.add_option("--udp-port", udp_port, "UDP echo port (0: no UDP)")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  app.add_option("--bind", options.bind, "address to listen on (:: is dual-stack)")
      ->capture_default_str();
  app.add_option("--threads", options.threads, "serving threads")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  app.add_option("--ready-file", options.ready_file,
                 "when set, /readyz answers 503 while this file does not exist");
  app.add_option("--log-level", log_level, "debug, info, warn or error")->capture_default_str();

  if (auto exit_code = runtime::parseDaemonFlags(app, argc, argv)) return *exit_code;
  if (auto exit_code = runtime::startDaemonLogging("echo", log_level)) return *exit_code;
  options.udp_port = static_cast<uint16_t>(udp_port);
  options.udp_enabled = udp_port != 0;

  // Installed before the serving threads exist: SIGINT/SIGTERM from here on only wake it.
  asio::io_context signals_io;
  asio::signal_set signals(signals_io, SIGINT, SIGTERM);

  echo::EchoServer server(options);
  if (auto bound = server.bind(); !bound.ok()) return fail(bound.error());
  server.start();
  FERRY_LOG(kInfo, "serving",
            {{"pod", options.pod_name},
             {"namespace", options.namespace_name},
             {"bind", options.bind},
             {"http_port", server.httpPort()},
             {"udp_port", server.udpPort()},
             {"threads", options.threads},
             {"ready_file", options.ready_file}});

  signals.async_wait([&](const boost::system::error_code&, int sig) {
    FERRY_LOG(kInfo, "shutting down", {{"signal", sig}});
  });
  signals_io.run();
  const bool drained = server.shutdown();
  FERRY_LOG(kInfo, "stopped", {{"drained", drained}});
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    return fail(e.what());
  }
}
