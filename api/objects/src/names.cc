#include "ferry/api/names.h"

#include <algorithm>

namespace ferry::api {
namespace {

// The regexes of k8s.io/apimachinery/pkg/util/validation, quoted in the messages.
constexpr std::string_view kDns1123LabelFmt = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
constexpr std::string_view kDns1123LabelErrMsg =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
    "must start and end with an alphanumeric character";
constexpr std::string_view kDns1123SubdomainFmt =
    R"([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)";
constexpr std::string_view kDns1123SubdomainErrMsg =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character";
constexpr std::string_view kDns1035LabelFmt = "[a-z]([-a-z0-9]*[a-z0-9])?";
constexpr std::string_view kDns1035LabelErrMsg =
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
    "alphabetic character, and end with an alphanumeric character";
constexpr std::string_view kWildcardFmt =
    R"(\*\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)";
constexpr std::string_view kWildcardErrMsg =
    "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, "
    "which must consist of lower case alphanumeric characters, '-' or '.' and end with an "
    "alphanumeric character";
constexpr std::string_view kQualifiedNameFmt = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
constexpr std::string_view kQualifiedNameErrMsg =
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character";
constexpr std::string_view kLabelValueFmt = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?";
constexpr std::string_view kLabelValueErrMsg =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
    "'.', and must start and end with an alphanumeric character";
constexpr std::string_view kConfigMapKeyFmt = "[-._a-zA-Z0-9]+";
constexpr std::string_view kConfigMapKeyErrMsg =
    "a valid config key must consist of alphanumeric characters, '-', '_' or '.'";

bool isLowerAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}
bool isAlnum(char c) {
  return isLowerAlnum(c) || (c >= 'A' && c <= 'Z');
}

// [a-z0-9]([-a-z0-9]*[a-z0-9])?
bool matchesDns1123Label(std::string_view v) {
  if (v.empty() || !isLowerAlnum(v.front()) || !isLowerAlnum(v.back())) return false;
  return std::all_of(v.begin(), v.end(), [](char c) { return isLowerAlnum(c) || c == '-'; });
}

bool matchesDns1123Subdomain(std::string_view v) {
  if (v.empty()) return false;
  size_t start = 0;
  while (true) {
    size_t dot = v.find('.', start);
    if (!matchesDns1123Label(v.substr(start, dot == std::string_view::npos ? dot : dot - start))) {
      return false;
    }
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

// ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]
bool matchesQualifiedNamePart(std::string_view v) {
  if (v.empty() || !isAlnum(v.front()) || !isAlnum(v.back())) return false;
  return std::all_of(v.begin(), v.end(),
                     [](char c) { return isAlnum(c) || c == '-' || c == '_' || c == '.'; });
}

NameMessages prefixEach(NameMessages msgs, std::string_view prefix) {
  for (auto& m : msgs) m.insert(0, prefix);
  return msgs;
}

// maskTrailingDash, including its quirk of dropping the character before the dash too: a
// generateName such as "web-" validates as "wea".
std::string maskTrailingDash(std::string_view name) {
  if (name.size() > 1 && name.back() == '-') {
    return std::string(name.substr(0, name.size() - 2)) + "a";
  }
  return std::string(name);
}

}  // namespace

std::string maxLenError(size_t length) {
  return "must be no more than " + std::to_string(length) + " characters";
}

std::string regexError(std::string_view msg, std::string_view fmt,
                       const std::vector<std::string_view>& examples) {
  std::string out(msg);
  if (examples.empty()) return out + " (regex used for validation is '" + std::string(fmt) + "')";
  out += " (e.g. ";
  for (size_t i = 0; i < examples.size(); ++i) {
    if (i > 0) out += " or ";
    out += "'" + std::string(examples[i]) + "', ";
  }
  return out + "regex used for validation is '" + std::string(fmt) + "')";
}

NameMessages isDns1123Label(std::string_view value) {
  NameMessages errs;
  if (value.size() > kDns1123LabelMaxLength) errs.push_back(maxLenError(kDns1123LabelMaxLength));
  if (!matchesDns1123Label(value)) {
    if (matchesDns1123Subdomain(value)) {
      // A valid subdomain that is not a label: length was checked above, so it has dots.
      errs.emplace_back("must not contain dots");
    } else {
      errs.push_back(regexError(kDns1123LabelErrMsg, kDns1123LabelFmt, {"my-name", "123-abc"}));
    }
  }
  return errs;
}

NameMessages isDns1123Subdomain(std::string_view value) {
  NameMessages errs;
  if (value.size() > kDns1123SubdomainMaxLength) {
    errs.push_back(maxLenError(kDns1123SubdomainMaxLength));
  }
  if (!matchesDns1123Subdomain(value)) {
    errs.push_back(regexError(kDns1123SubdomainErrMsg, kDns1123SubdomainFmt, {"example.com"}));
  }
  return errs;
}

NameMessages isDns1035Label(std::string_view value) {
  NameMessages errs;
  if (value.size() > kDns1035LabelMaxLength) errs.push_back(maxLenError(kDns1035LabelMaxLength));
  bool ok = matchesDns1123Label(value) && value.front() >= 'a' && value.front() <= 'z';
  if (!ok)
    errs.push_back(regexError(kDns1035LabelErrMsg, kDns1035LabelFmt, {"my-name", "abc-123"}));
  return errs;
}

NameMessages isWildcardDns1123Subdomain(std::string_view value) {
  NameMessages errs;
  if (value.size() > kDns1123SubdomainMaxLength) {
    errs.push_back(maxLenError(kDns1123SubdomainMaxLength));
  }
  bool ok =
      value.size() > 2 && value.substr(0, 2) == "*." && matchesDns1123Subdomain(value.substr(2));
  if (!ok) errs.push_back(regexError(kWildcardErrMsg, kWildcardFmt, {"*.example.com"}));
  return errs;
}

NameMessages isQualifiedName(std::string_view value) {
  NameMessages errs;
  std::string_view name = value;
  size_t slashes = std::count(value.begin(), value.end(), '/');
  if (slashes > 1) {
    errs.push_back(
        "a qualified name " +
        regexError(kQualifiedNameErrMsg, kQualifiedNameFmt, {"MyName", "my.name", "123-abc"}) +
        " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
    return errs;
  }
  if (slashes == 1) {
    size_t slash = value.find('/');
    std::string_view prefix = value.substr(0, slash);
    name = value.substr(slash + 1);
    if (prefix.empty()) {
      errs.emplace_back("prefix part must be non-empty");
    } else {
      auto msgs = prefixEach(isDns1123Subdomain(prefix), "prefix part ");
      errs.insert(errs.end(), msgs.begin(), msgs.end());
    }
  }
  if (name.empty()) {
    errs.emplace_back("name part must be non-empty");
  } else if (name.size() > kQualifiedNameMaxLength) {
    errs.push_back("name part " + maxLenError(kQualifiedNameMaxLength));
  }
  if (!matchesQualifiedNamePart(name)) {
    errs.push_back("name part " + regexError(kQualifiedNameErrMsg, kQualifiedNameFmt,
                                             {"MyName", "my.name", "123-abc"}));
  }
  return errs;
}

NameMessages isValidLabelValue(std::string_view value) {
  NameMessages errs;
  if (value.size() > kLabelValueMaxLength) errs.push_back(maxLenError(kLabelValueMaxLength));
  if (!value.empty() && !matchesQualifiedNamePart(value)) {
    errs.push_back(regexError(kLabelValueErrMsg, kLabelValueFmt, {"MyValue", "my_value", "12345"}));
  }
  return errs;
}

NameMessages isValidPortName(std::string_view value) {
  NameMessages errs;
  if (value.size() > 15) errs.push_back(maxLenError(15));
  bool charset = !value.empty() && std::all_of(value.begin(), value.end(),
                                               [](char c) { return isLowerAlnum(c) || c == '-'; });
  if (!charset) {
    errs.emplace_back("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  }
  if (std::none_of(value.begin(), value.end(), [](char c) { return c >= 'a' && c <= 'z'; })) {
    errs.emplace_back("must contain at least one letter (a-z)");
  }
  if (value.find("--") != std::string_view::npos) {
    errs.emplace_back("must not contain consecutive hyphens");
  }
  if (!value.empty() && (value.front() == '-' || value.back() == '-')) {
    errs.emplace_back("must not begin or end with a hyphen");
  }
  return errs;
}

NameMessages isValidPortNum(int64_t port) {
  if (port >= 1 && port <= 65535) return {};
  return {"must be between 1 and 65535, inclusive"};
}

NameMessages isConfigMapKey(std::string_view value) {
  NameMessages errs;
  if (value.size() > kDns1123SubdomainMaxLength) {
    errs.push_back(maxLenError(kDns1123SubdomainMaxLength));
  }
  bool ok = !value.empty() && std::all_of(value.begin(), value.end(), [](char c) {
    return isAlnum(c) || c == '-' || c == '.' || c == '_';
  });
  if (!ok) {
    errs.push_back(
        regexError(kConfigMapKeyErrMsg, kConfigMapKeyFmt, {"key.name", "KEY_NAME", "key-name"}));
  }
  // hasChDirPrefix: the key becomes a file name when the object is mounted as a volume.
  if (value == ".") {
    errs.emplace_back("must not be '.'");
  } else if (value == "..") {
    errs.emplace_back("must not be '..'");
  } else if (value.substr(0, 2) == "..") {
    errs.emplace_back("must not start with '..'");
  }
  return errs;
}

NameMessages isValidPathSegmentName(std::string_view value) {
  if (value == "." || value == "..") return {"may not be '" + std::string(value) + "'"};
  NameMessages errs;
  if (value.find('/') != std::string_view::npos) errs.emplace_back("may not contain '/'");
  if (value.find('%') != std::string_view::npos) errs.emplace_back("may not contain '%'");
  return errs;
}

NameMessages nameIsDnsSubdomain(std::string_view name, bool prefix) {
  return isDns1123Subdomain(prefix ? maskTrailingDash(name) : std::string(name));
}

NameMessages nameIsDnsLabel(std::string_view name, bool prefix) {
  return isDns1123Label(prefix ? maskTrailingDash(name) : std::string(name));
}

NameMessages nameIsDns1035Label(std::string_view name, bool prefix) {
  return isDns1035Label(prefix ? maskTrailingDash(name) : std::string(name));
}

NameMessages nameIsPathSegment(std::string_view name, bool prefix) {
  if (!prefix) return isValidPathSegmentName(name);
  // IsValidPathSegmentPrefix: only the "may not contain" rules apply to a prefix.
  NameMessages errs;
  if (name.find('/') != std::string_view::npos) errs.emplace_back("may not contain '/'");
  if (name.find('%') != std::string_view::npos) errs.emplace_back("may not contain '%'");
  return errs;
}

}  // namespace ferry::api
