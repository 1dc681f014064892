#include "ferry/controllers/object_equality.h"

#include <array>
#include <string_view>

namespace ferry::controlplane {
namespace {

using Json = nlohmann::json;

constexpr std::array<std::string_view, 6> kServerOwnedMetadata = {
    "resourceVersion", "uid", "creationTimestamp", "generation", "managedFields", "selfLink"};

bool isEmptyValue(const Json& j) {
  return j.is_null() || ((j.is_array() || j.is_object()) && j.empty());
}

bool equalValues(const Json& a, const Json& b);

bool equalObjects(const Json& a, const Json& b, bool is_metadata) {
  auto ignored = [&](const std::string& key) {
    if (!is_metadata) {
      return false;
    }
    for (std::string_view k : kServerOwnedMetadata) {
      if (key == k) {
        return true;
      }
    }
    return false;
  };
  // Every non-empty member of one side must be equal on the other; empty ones may be missing.
  auto covered = [&](const Json& x, const Json& y) {
    for (auto it = x.begin(); it != x.end(); ++it) {
      if (ignored(it.key())) {
        continue;
      }
      auto other = y.find(it.key());
      if (other == y.end()) {
        if (!isEmptyValue(*it)) {
          return false;
        }
        continue;
      }
      bool metadata = it.key() == "metadata";
      if (metadata && it->is_object() && other->is_object()) {
        if (!equalObjects(*it, *other, true)) {
          return false;
        }
      } else if (!equalValues(*it, *other)) {
        return false;
      }
    }
    return true;
  };
  return covered(a, b) && covered(b, a);
}

bool equalValues(const Json& a, const Json& b) {
  if (isEmptyValue(a) && isEmptyValue(b)) {
    return true;
  }
  if (a.is_object() && b.is_object()) {
    return equalObjects(a, b, false);
  }
  if (a.is_array() && b.is_array()) {
    if (a.size() != b.size()) {
      return false;
    }
    for (size_t i = 0; i < a.size(); ++i) {
      if (!equalValues(a[i], b[i])) {
        return false;
      }
    }
    return true;
  }
  return a == b;  // nlohmann compares numbers by value across integer/float kinds
}

}  // namespace

bool semanticallyEqual(const Json& a, const Json& b) {
  if (a.is_object() && b.is_object()) {
    return equalObjects(a, b, false);
  }
  return equalValues(a, b);
}

}  // namespace ferry::controlplane
