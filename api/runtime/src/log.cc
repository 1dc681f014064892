#include "ferry/runtime/log.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <string>

namespace ferry::runtime {
namespace {

std::atomic<int> g_level{static_cast<int>(LogLevel::kInfo)};
std::mutex g_mu;  // one line at a time; logging is off the data paths
std::string g_component = "ferry";

const char* levelName(LogLevel l) {
  switch (l) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

std::string rfc3339Now() {
  auto now = std::chrono::system_clock::now();
  auto secs = std::chrono::system_clock::to_time_t(now);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];  // ample for any int fields, which keeps -Wformat-truncation quiet
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms.count()));
  return buf;
}

}  // namespace

void setLogLevel(LogLevel level) {
  g_level = static_cast<int>(level);
}
LogLevel logLevel() {
  return static_cast<LogLevel>(g_level.load(std::memory_order_relaxed));
}

bool parseLogLevel(std::string_view text, LogLevel& out) {
  for (auto l : {LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarn, LogLevel::kError}) {
    if (text == levelName(l)) {
      out = l;
      return true;
    }
  }
  return false;
}

void setLogComponent(std::string_view component) {
  std::lock_guard lock(g_mu);
  g_component = component;
}

void logLine(LogLevel level, std::string_view message, const nlohmann::json& fields) {
  nlohmann::json line = {{"ts", rfc3339Now()}, {"level", levelName(level)}};
  {
    std::lock_guard lock(g_mu);
    line["component"] = g_component;
  }
  line["msg"] = message;
  if (fields.is_object())
    for (const auto& [k, v] : fields.items()) line[k] = v;
  std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  text.push_back('\n');
  std::lock_guard lock(g_mu);
  std::fwrite(text.data(), 1, text.size(), stderr);
}

}  // namespace ferry::runtime
