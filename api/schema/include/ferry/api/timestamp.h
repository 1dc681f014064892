// Kubernetes timestamps (metav1.Time, metav1.MicroTime: RFC 3339 in UTC) and the way
// kube-apiserver's printers turn them into ages ("5s", "3m10s", "2d4h").
#pragma once

#include <chrono>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace ferry::api {

using TimePoint = std::chrono::system_clock::time_point;

// Parses RFC 3339 ("2024-05-01T10:00:00Z", fractional seconds and numeric offsets allowed).
// nullopt for malformed input and for instants a TimePoint cannot hold (before 1678 or after
// 2262), which covers Go's zero time (0001-01-01T00:00:00Z) that metav1.Time treats as unset.
std::optional<TimePoint> parseTimestamp(std::string_view text);

// Formats like metav1.Time: "2024-05-01T10:00:00Z" (seconds precision, UTC).
std::string formatTimestamp(TimePoint t);
// Formats like metav1.MicroTime: "2024-05-01T10:00:00.123456Z".
std::string formatMicroTimestamp(TimePoint t);

// k8s.io/apimachinery/pkg/util/duration.HumanDuration: about two significant figures.
//   d < -1s                 "<invalid>"   (clock skew of up to 2s is tolerated as "0s")
//   < 2m                    "<s>s"
//   < 10m                   "<m>m" or "<m>m<s>s"
//   < 3h                    "<m>m"
//   < 8h                    "<h>h" or "<h>h<m>m"
//   < 48h                   "<h>h"
//   < 8d                    "<d>d" or "<d>d<h>h"
//   < 2y (365-day years)    "<d>d"
//   < 8y                    "<y>y" or "<y>y<d>d"
//   otherwise               "<y>y"
std::string humanDuration(std::chrono::nanoseconds d);

// Printers' translateTimestampSince: "<unknown>" when `timestamp` is absent, null, not a
// string or unparseable (kube: the zero time), else humanDuration(now - timestamp).
std::string translateTimestampSince(const nlohmann::json* timestamp, TimePoint now);

}  // namespace ferry::api
