#include "ferry/bench/proc_stat.h"

#include <sys/resource.h>
#include <unistd.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <string>

namespace ferry::bench {

std::optional<CpuTimes> parseProcStat(std::string_view line, long clock_ticks) {
  if (clock_ticks <= 0) return std::nullopt;
  std::size_t close = line.rfind(')');
  if (close == std::string_view::npos) return std::nullopt;
  std::string_view rest = line.substr(close + 1);
  // After the command: field 3 (state) is the first; utime and stime are fields 14 and 15.
  constexpr int kFirst = 3, kUtime = 14, kStime = 15;
  int field = kFirst - 1;
  unsigned long long utime = 0, stime = 0;
  bool have_u = false, have_s = false;
  std::size_t pos = 0;
  while (pos < rest.size() && field < kStime) {
    while (pos < rest.size() && rest[pos] == ' ') ++pos;
    if (pos >= rest.size()) break;
    std::size_t end = rest.find(' ', pos);
    if (end == std::string_view::npos) end = rest.size();
    ++field;
    std::string_view token = rest.substr(pos, end - pos);
    if (field == kUtime || field == kStime) {
      unsigned long long v = 0;
      auto [ptr, ec] = std::from_chars(token.data(), token.data() + token.size(), v);
      if (ec != std::errc() || ptr != token.data() + token.size()) return std::nullopt;
      (field == kUtime ? utime : stime) = v;
      (field == kUtime ? have_u : have_s) = true;
    }
    pos = end;
  }
  if (!have_u || !have_s) return std::nullopt;
  return CpuTimes{static_cast<double>(utime) / static_cast<double>(clock_ticks),
                  static_cast<double>(stime) / static_cast<double>(clock_ticks)};
}

std::optional<CpuTimes> readProcessCpu(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  if (!in) return std::nullopt;
  std::string line;
  std::getline(in, line);
  return parseProcStat(line, sysconf(_SC_CLK_TCK));
}

std::optional<double> parseSchedstat(std::string_view line) {
  std::size_t end = line.find(' ');
  if (end == std::string_view::npos || end == 0) return std::nullopt;
  unsigned long long ns = 0;
  auto [ptr, ec] = std::from_chars(line.data(), line.data() + end, ns);
  if (ec != std::errc() || ptr != line.data() + end) return std::nullopt;
  return static_cast<double>(ns) / 1e9;
}

std::optional<double> readLiveThreadsCpuSeconds(pid_t pid) {
  std::error_code ec;
  std::filesystem::directory_iterator it("/proc/" + std::to_string(pid) + "/task", ec);
  if (ec) return std::nullopt;
  double total = 0;
  bool any = false;
  for (const auto& entry : it) {
    std::ifstream in(entry.path() / "schedstat");
    std::string line;
    if (!in || !std::getline(in, line)) continue;  // the thread exited meanwhile
    if (auto s = parseSchedstat(line)) {
      total += *s;
      any = true;
    }
  }
  if (!any) return std::nullopt;
  return total;
}

CpuTimes selfCpu() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  auto seconds = [](const timeval& tv) {
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
  };
  return CpuTimes{seconds(ru.ru_utime), seconds(ru.ru_stime)};
}

}  // namespace ferry::bench
