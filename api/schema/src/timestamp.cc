#include "ferry/api/timestamp.h"

#include <cstdint>
#include <cstdio>
#include <limits>
#include <nlohmann/json.hpp>

namespace ferry::api {
namespace {

using std::chrono::duration_cast;
using std::chrono::nanoseconds;

bool digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    char c = s[i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

// Seconds and nanoseconds since the epoch; the limits keep the sum inside int64 nanoseconds.
constexpr int64_t kMaxEpochSeconds = std::numeric_limits<int64_t>::max() / 1'000'000'000 - 1;

std::string format(TimePoint t, int fraction_digits) {
  auto ns = t.time_since_epoch();
  auto day = std::chrono::floor<std::chrono::days>(ns);
  std::chrono::year_month_day ymd{std::chrono::sys_days{day}};
  auto rest = ns - day;
  auto h = duration_cast<std::chrono::hours>(rest);
  auto m = duration_cast<std::chrono::minutes>(rest - h);
  auto s = duration_cast<std::chrono::seconds>(rest - h - m);
  auto frac = duration_cast<nanoseconds>(rest - h - m - s).count();
  char buf[48];
  int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d", int(ymd.year()),
                        unsigned(ymd.month()), unsigned(ymd.day()), int(h.count()), int(m.count()),
                        int(s.count()));
  std::string out(buf, static_cast<size_t>(n));
  if (fraction_digits == 6) {
    std::snprintf(buf, sizeof buf, ".%06lld", static_cast<long long>(frac / 1000));
    out += buf;
  }
  out += 'Z';
  return out;
}

}  // namespace

std::optional<TimePoint> parseTimestamp(std::string_view s) {
  int year, month, day, hour, minute, second;
  if (!digits(s, 0, 4, year) || s.size() < 19 || s[4] != '-' || !digits(s, 5, 2, month) ||
      s[7] != '-' || !digits(s, 8, 2, day) || (s[10] != 'T' && s[10] != 't') ||
      !digits(s, 11, 2, hour) || s[13] != ':' || !digits(s, 14, 2, minute) || s[16] != ':' ||
      !digits(s, 17, 2, second))
    return std::nullopt;
  if (hour > 23 || minute > 59 || second > 60) return std::nullopt;
  std::chrono::year_month_day ymd{std::chrono::year{year},
                                  std::chrono::month{static_cast<unsigned>(month)},
                                  std::chrono::day{static_cast<unsigned>(day)}};
  if (!ymd.ok()) return std::nullopt;

  size_t pos = 19;
  int64_t frac_ns = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    size_t start = pos;
    int64_t scale = 100'000'000;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      frac_ns += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start || pos - start > 9) return std::nullopt;
  }
  if (pos >= s.size()) return std::nullopt;
  int64_t offset_seconds = 0;
  if (s[pos] == 'Z' || s[pos] == 'z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    int oh, om;
    if (!digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !digits(s, pos + 4, 2, om) || oh > 23 || om > 59)
      return std::nullopt;
    offset_seconds = (int64_t{oh} * 3600 + int64_t{om} * 60) * (s[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;

  int64_t days = std::chrono::sys_days{ymd}.time_since_epoch().count();
  int64_t seconds =
      days * 86400 + int64_t{hour} * 3600 + int64_t{minute} * 60 + second - offset_seconds;
  if (seconds > kMaxEpochSeconds || seconds < -kMaxEpochSeconds) return std::nullopt;
  auto since_epoch = nanoseconds{seconds * 1'000'000'000 + frac_ns};
  return TimePoint{duration_cast<TimePoint::duration>(since_epoch)};
}

std::string formatTimestamp(TimePoint t) {
  return format(t, 0);
}

std::string formatMicroTimestamp(TimePoint t) {
  return format(t, 6);
}

std::string humanDuration(nanoseconds d) {
  using std::to_string;
  constexpr int64_t kSecondsPerMinute = 60;
  constexpr int64_t kMinutesPerHour = 60;
  constexpr int64_t kHoursPerDay = 24;
  constexpr int64_t kHoursPerYear = kHoursPerDay * 365;  // HumanDuration ignores leap years
  // Go's int(d.Seconds()) and integer Duration division both truncate toward zero, as does
  // duration_cast.
  int64_t seconds = duration_cast<std::chrono::seconds>(d).count();
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < kSecondsPerMinute * 2) return to_string(seconds) + "s";
  int64_t minutes = duration_cast<std::chrono::minutes>(d).count();
  if (minutes < 10) {
    int64_t s = seconds % 60;
    if (s == 0) return to_string(minutes) + "m";
    return to_string(minutes) + "m" + to_string(s) + "s";
  }
  if (minutes < kMinutesPerHour * 3) return to_string(minutes) + "m";
  int64_t hours = duration_cast<std::chrono::hours>(d).count();
  if (hours < 8) {
    int64_t m = minutes % 60;
    if (m == 0) return to_string(hours) + "h";
    return to_string(hours) + "h" + to_string(m) + "m";
  }
  if (hours < 48) return to_string(hours) + "h";
  if (hours < kHoursPerDay * 8) {
    int64_t h = hours % 24;
    if (h == 0) return to_string(hours / 24) + "d";
    return to_string(hours / 24) + "d" + to_string(h) + "h";
  }
  if (hours < kHoursPerYear * 2) return to_string(hours / 24) + "d";
  if (hours < kHoursPerYear * 8) {
    int64_t dy = (hours / 24) % 365;
    if (dy == 0) return to_string(hours / 24 / 365) + "y";
    return to_string(hours / 24 / 365) + "y" + to_string(dy) + "d";
  }
  return to_string(hours / 24 / 365) + "y";
}

std::string translateTimestampSince(const nlohmann::json* timestamp, TimePoint now) {
  if (timestamp == nullptr || !timestamp->is_string()) return "<unknown>";
  auto t = parseTimestamp(timestamp->get_ref<const std::string&>());
  if (!t) return "<unknown>";
  // Go's Time.Sub saturates instead of overflowing; so does this.
  int64_t a = duration_cast<nanoseconds>(now.time_since_epoch()).count();
  int64_t b = duration_cast<nanoseconds>(t->time_since_epoch()).count();
  int64_t diff;
  if (__builtin_sub_overflow(a, b, &diff))
    diff = a > b ? std::numeric_limits<int64_t>::max() : std::numeric_limits<int64_t>::min();
  return humanDuration(nanoseconds{diff});
}

}  // namespace ferry::api
