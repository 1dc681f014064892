#include "ferry/api/timestamp.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace ferry::api {
namespace {

using namespace std::chrono_literals;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

TimePoint at(std::string_view text) {
  auto t = parseTimestamp(text);
  EXPECT_TRUE(t) << text;
  return t.value_or(TimePoint{});
}

TEST(Timestamp, ParsesRfc3339) {
  EXPECT_EQ(at("1970-01-01T00:00:00Z").time_since_epoch(), TimePoint::duration::zero());
  EXPECT_EQ(at("2024-05-01T10:00:00Z") - at("2024-05-01T09:59:00Z"), minutes(1));
  EXPECT_EQ(at("2024-05-01T10:00:00.5Z") - at("2024-05-01T10:00:00Z"), 500ms);
  EXPECT_EQ(at("2024-05-01T10:00:00.000123Z") - at("2024-05-01T10:00:00Z"), 123us);
  EXPECT_EQ(at("2024-05-01T12:00:00+02:00"), at("2024-05-01T10:00:00Z"));
  EXPECT_EQ(at("2024-05-01T08:30:00-01:30"), at("2024-05-01T10:00:00Z"));
  EXPECT_EQ(at("2024-02-29T00:00:00Z") + hours(24), at("2024-03-01T00:00:00z"));
  EXPECT_EQ(at("2024-05-01t10:00:00Z"), at("2024-05-01T10:00:00Z"));
}

TEST(Timestamp, RejectsMalformedAndUnrepresentable) {
  for (std::string_view bad :
       {"", "2024-05-01", "2024-05-01T10:00:00", "2024-05-01 10:00:00Z", "2024-13-01T00:00:00Z",
        "2023-02-29T00:00:00Z", "2024-05-01T24:00:00Z", "2024-05-01T10:00:00.Z",
        "2024-05-01T10:00:00.1234567890Z", "2024-05-01T10:00:00+0200", "2024-05-01T10:00:00Zx",
        "abcd-05-01T10:00:00Z",
        // Go's zero time: metav1.Time treats it as unset.
        "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"})
    EXPECT_FALSE(parseTimestamp(bad)) << bad;
}

TEST(Timestamp, FormatsLikeMetav1) {
  auto t = at("2024-05-01T10:00:00.123456789Z");
  EXPECT_EQ(formatTimestamp(t), "2024-05-01T10:00:00Z");
  EXPECT_EQ(formatMicroTimestamp(t), "2024-05-01T10:00:00.123456Z");
  EXPECT_EQ(formatTimestamp(at("1969-12-31T23:59:59Z")), "1969-12-31T23:59:59Z");
}

// Cases from k8s.io/apimachinery/pkg/util/duration (HumanDuration), plus every boundary.
TEST(Timestamp, HumanDurationMatchesKube) {
  struct Case {
    std::chrono::nanoseconds d;
    std::string_view want;
  };
  const Case cases[] = {
      {-2s, "<invalid>"},
      {-1999ms, "0s"},  // truncates to -1: tolerated clock skew
      {-1s, "0s"},
      {-1ns, "0s"},
      {0s, "0s"},
      {1s, "1s"},
      {70s, "70s"},
      {119s, "119s"},
      {120s, "2m"},
      {190s, "3m10s"},
      {599s, "9m59s"},
      {600s, "10m"},
      {601s, "10m"},
      {70min, "70m"},
      {179min + 59s, "179m"},
      {180min, "3h"},
      {3h + 30min, "3h30m"},
      {7h + 59min + 59s, "7h59m"},
      {8h, "8h"},
      {47h, "47h"},
      {48h, "2d"},
      {49h, "2d1h"},
      {hours(8 * 24 - 1), "7d23h"},
      {hours(8 * 24 + 2), "8d"},
      {hours(367 * 24), "367d"},
      {hours(365 * 2 * 24 - 1), "729d"},
      {hours(365 * 2 * 24), "2y"},
      {hours(365 * 2 * 24 + 25), "2y1d"},
      {hours(365 * 8 * 24 - 1), "7y364d"},
      {hours(365 * 8 * 24 + 2), "8y"},
      {std::chrono::nanoseconds::max(), "292y"},
  };
  for (const auto& c : cases) EXPECT_EQ(humanDuration(c.d), c.want) << c.d.count() << "ns";
}

TEST(Timestamp, TranslateTimestampSince) {
  auto now = at("2024-05-01T10:00:00Z");
  nlohmann::json j = "2024-05-01T09:57:00Z";
  EXPECT_EQ(translateTimestampSince(&j, now), "3m");
  j = "2024-05-01T10:00:05Z";
  EXPECT_EQ(translateTimestampSince(&j, now), "<invalid>");
  j = nullptr;
  EXPECT_EQ(translateTimestampSince(&j, now), "<unknown>");
  EXPECT_EQ(translateTimestampSince(nullptr, now), "<unknown>");
  j = 12;
  EXPECT_EQ(translateTimestampSince(&j, now), "<unknown>");
  j = "yesterday";
  EXPECT_EQ(translateTimestampSince(&j, now), "<unknown>");
  // Go's Time.Sub saturates; so does the difference here.
  j = "1700-01-01T00:00:00Z";
  EXPECT_EQ(translateTimestampSince(&j, at("2260-01-01T00:00:00Z")), "292y");
}

}  // namespace
}  // namespace ferry::api
