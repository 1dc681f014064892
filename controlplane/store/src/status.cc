#include "ferry/store/status.h"

namespace ferry::controlplane::store {

std::string_view statusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "Ok";
    case StatusCode::kNotFound:
      return "NotFound";
    case StatusCode::kAlreadyExists:
      return "AlreadyExists";
    case StatusCode::kConflict:
      return "Conflict";
    case StatusCode::kCompacted:
      return "Compacted";
    case StatusCode::kFutureRevision:
      return "FutureRevision";
    case StatusCode::kInvalidArgument:
      return "InvalidArgument";
    case StatusCode::kOverflow:
      return "Overflow";
    case StatusCode::kCancelled:
      return "Cancelled";
    case StatusCode::kUnavailable:
      return "Unavailable";
  }
  return "Unknown";
}

std::string Status::toString() const {
  std::string out(statusCodeName(code_));
  if (!message_.empty()) {
    out += ": ";
    out += message_;
  }
  return out;
}

}  // namespace ferry::controlplane::store
