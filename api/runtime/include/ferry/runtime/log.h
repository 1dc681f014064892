// Structured logs for every ferry daemon: one JSON object per line on stderr, so `jq`, Loki
// and kubectl logs users can filter by field. Cheap when a level is off.
//
//   FERRY_LOG(kInfo, "listening", {{"addr", addr}, {"port", port}});
#pragma once

#include <atomic>
#include <nlohmann/json.hpp>
#include <string_view>

namespace ferry::runtime {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

void setLogLevel(LogLevel level);
LogLevel logLevel();
bool parseLogLevel(std::string_view text, LogLevel& out);
// Name of the component stamped on every line ("controlplane", "agent", ...).
void setLogComponent(std::string_view component);

void logLine(LogLevel level, std::string_view message, const nlohmann::json& fields);

}  // namespace ferry::runtime

#define FERRY_LOG(level, message, ...)                                      \
  do {                                                                      \
    if (::ferry::runtime::LogLevel::level >= ::ferry::runtime::logLevel())  \
      ::ferry::runtime::logLine(::ferry::runtime::LogLevel::level, message, \
                                nlohmann::json::object(__VA_ARGS__));       \
  } while (0)
