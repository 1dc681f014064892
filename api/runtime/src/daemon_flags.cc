#include "ferry/runtime/daemon_flags.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <filesystem>
#include <iostream>
#include <vector>

#include "ferry/runtime/config_file.h"
#include "ferry/runtime/log.h"

namespace ferry::runtime {

std::optional<int> parseDaemonFlags(CLI::App& app, int argc, char** argv) {
  // Parsing a vector leaves the program name unset; --help's usage line wants it.
  if (app.get_name().empty() && argc > 0)
    app.name(std::filesystem::path(argv[0]).filename().string());
  auto args = argsWithConfigFile(argc, argv);
  if (!args.ok()) {
    std::cerr << args.error() << "\n";
    return 2;
  }
  try {
    std::vector<std::string> rev(args->rbegin(),
                                 args->rend() - 1);  // CLI11 wants them reversed, sans argv[0]
    app.parse(rev);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return std::nullopt;
}

std::optional<int> startDaemonLogging(std::string_view component, const std::string& level) {
  setLogComponent(component);
  LogLevel parsed;
  if (!parseLogLevel(level, parsed)) {
    std::cerr << "unknown --log-level " << level << " (debug, info, warn or error)\n";
    return 2;
  }
  setLogLevel(parsed);
  std::signal(SIGPIPE, SIG_IGN);
  return std::nullopt;
}

void waitForTerminationSignal() {
  boost::asio::io_context io;
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([](const boost::system::error_code&, int sig) {
    FERRY_LOG(kInfo, "shutting down", {{"signal", sig}});
  });
  io.run();
}

}  // namespace ferry::runtime
