#include "json_text.h"

#include "ferry/api/base64.h"

#include <array>
#include <cstdio>

namespace ferry::api::proto_json {
namespace {


// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z in Unix seconds.
constexpr int64_t kMinSeconds = -62135596800;
constexpr int64_t kMaxSeconds = 253402300799;

// Length of the valid UTF-8 sequence at text[i], or 0. Rejects overlong forms, surrogates
// and code points above U+10FFFF, as Go's utf8.DecodeRuneInString does (RFC 3629 §4).
size_t utf8SequenceLength(std::string_view text, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  auto continuation = [&](size_t k, unsigned char lo, unsigned char hi) {
    return k < text.size() && byte(k) >= lo && byte(k) <= hi;
  };
  const unsigned char b0 = byte(i);
  if (b0 < 0x80) {
    return 1;
  }
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    return continuation(i + 1, 0x80, 0xBF) ? 2 : 0;
  }
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    const unsigned char lo = b0 == 0xE0 ? 0xA0 : 0x80;
    const unsigned char hi = b0 == 0xED ? 0x9F : 0xBF;
    return continuation(i + 1, lo, hi) && continuation(i + 2, 0x80, 0xBF) ? 3 : 0;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    const unsigned char lo = b0 == 0xF0 ? 0x90 : 0x80;
    const unsigned char hi = b0 == 0xF4 ? 0x8F : 0xBF;
    return continuation(i + 1, lo, hi) && continuation(i + 2, 0x80, 0xBF) &&
                   continuation(i + 3, 0x80, 0xBF)
               ? 4
               : 0;
  }
  return 0;
}

struct CivilDate {
  int64_t year;
  unsigned month;
  unsigned day;
};

// Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant, "chrono-Compatible
// Low-Level Date Algorithms", civil_from_days).
CivilDate civilFromDays(int64_t days) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const int64_t doe = days - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const auto day = static_cast<unsigned>(doy - (153 * mp + 2) / 5 + 1);
  const auto month = static_cast<unsigned>(mp < 10 ? mp + 3 : mp - 9);
  return {yoe + era * 400 + (month <= 2 ? 1 : 0), month, day};
}

}  // namespace

std::string base64(std::string_view bytes) { return base64Encode(bytes); }

std::string validUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const size_t n = utf8SequenceLength(text, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(text.substr(i, n));
      i += n;
    }
  }
  return out;
}

std::optional<std::string> rfc3339(int64_t seconds, std::optional<int32_t> micros) {
  if (seconds < kMinSeconds || seconds > kMaxSeconds) {
    return std::nullopt;
  }
  constexpr int64_t kDay = 86400;
  const int64_t days = seconds >= 0 ? seconds / kDay : (seconds - (kDay - 1)) / kDay;
  const int64_t in_day = seconds - days * kDay;
  const CivilDate date = civilFromDays(days);
  std::array<char, 40> buf{};
  int n =
      std::snprintf(buf.data(), buf.size(), "%04lld-%02u-%02uT%02lld:%02lld:%02lld",
                    static_cast<long long>(date.year), date.month, date.day,
                    static_cast<long long>(in_day / 3600), static_cast<long long>(in_day / 60 % 60),
                    static_cast<long long>(in_day % 60));
  if (micros) {
    n += std::snprintf(buf.data() + n, buf.size() - static_cast<size_t>(n), ".%06d", *micros);
  }
  return std::string(buf.data(), static_cast<size_t>(n)) + "Z";
}

}  // namespace ferry::api::proto_json
