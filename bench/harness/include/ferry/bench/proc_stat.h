// CPU time of a process from /proc/<pid>/stat (utime + stime, all threads), for "operations
// per CPU-second of the system under test", and of the benchmark client itself.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string_view>

namespace ferry::bench {

struct CpuTimes {
  double user_s = 0;
  double system_s = 0;
  double total() const { return user_s + system_s; }
};

// Parses one /proc/<pid>/stat line. The command name (field 2) is in parentheses and may hold
// spaces and parentheses itself, so fields are counted from the last ')'. nullopt when the
// line is malformed or clock_ticks <= 0.
std::optional<CpuTimes> parseProcStat(std::string_view line, long clock_ticks);

// Reads /proc/<pid>/stat; nullopt when the process is gone or unreadable. Resolution is one
// clock tick (10 ms on Linux): measure windows of seconds, not milliseconds.
std::optional<CpuTimes> readProcessCpu(pid_t pid);

// Time on CPU of the process's live threads: the sum of the first field of
// /proc/<pid>/task/*/schedstat (nanoseconds). Precise where readProcessCpu ticks at 10 ms, but
// blind to threads that exited (their time stays in /proc/<pid>/stat only): callers compare
// the two over a window and fall back to the tick count when they disagree. nullopt when the
// process is gone or the kernel has no schedstat.
std::optional<double> readLiveThreadsCpuSeconds(pid_t pid);

// The first field of a schedstat line ("<ns on cpu> <ns waiting> <timeslices>") in seconds.
std::optional<double> parseSchedstat(std::string_view line);

// This process (getrusage RUSAGE_SELF: every thread, microsecond resolution).
CpuTimes selfCpu();

}  // namespace ferry::bench
