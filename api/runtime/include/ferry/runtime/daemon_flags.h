// What every ferry daemon's main() does before its own work, written once: flags from the
// command line and from a --config YAML file (the command line wins), then structured logs for
// the daemon's component at --log-level, and SIGPIPE ignored (peers that vanish mid-write are
// an error to handle, not a reason to die).
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace ferry::runtime {

// nullopt: go on. Otherwise the exit code to return (--help printed: 0; a bad flag or config
// file: non-zero, with the message printed).
std::optional<int> parseDaemonFlags(CLI::App& app, int argc, char** argv);

// nullopt: logging is set up. Otherwise the exit code (unknown level, message printed).
std::optional<int> startDaemonLogging(std::string_view component, const std::string& level);

// Blocks until SIGINT or SIGTERM arrives, logs which, and returns: the daemon then stops.
void waitForTerminationSignal();

}  // namespace ferry::runtime
