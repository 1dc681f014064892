#include "validation_helpers.h"

#include "ferry/api/field_error_builders.h"
#include "ferry/api/ip_syntax.h"
#include "ferry/api/names.h"

namespace ferry::api::detail {

FieldErrors validateMeta(const json& obj, const json* old, const ObjectMetaRules& rules) {
  FieldErrors errs = validateObjectMeta(obj, rules);
  if (old != nullptr) {
    FieldErrors update = validateObjectMetaUpdate(obj, *old);
    // Both passes check labels, annotations, owner references and finalizers: keep one copy.
    for (auto& e : update) {
      bool seen = false;
      for (const auto& have : errs) {
        seen = seen || (have.type == e.type && have.field == e.field && have.message == e.message);
      }
      if (!seen) errs.push_back(std::move(e));
    }
  }
  return errs;
}

void invalidEach(FieldErrors& errs, const std::string& path, const std::string& value,
                 const std::vector<std::string>& msgs) {
  for (const auto& m : msgs) errs.push_back(field::invalid(path, value, m));
}

void validateDns1123Label(FieldErrors& errs, const std::string& path, const std::string& value) {
  invalidEach(errs, path, value, isDns1123Label(value));
}

void validateDns1123Subdomain(FieldErrors& errs, const std::string& path,
                              const std::string& value) {
  invalidEach(errs, path, value, isDns1123Subdomain(value));
}

void validateQualifiedName(FieldErrors& errs, const std::string& path, const std::string& value) {
  invalidEach(errs, path, value, isQualifiedName(value));
}

bool validateIp(FieldErrors& errs, const std::string& path, const std::string& value) {
  if (isValidIp(value)) return true;
  errs.push_back(
      field::invalid(path, value, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"));
  return false;
}

void validateNonSpecialIp(FieldErrors& errs, const std::string& path, const std::string& value) {
  auto ip = parseIp(value);
  if (!ip) {
    errs.push_back(field::invalid(path, value, "must be a valid IP address"));
    return;
  }
  if (ip->isUnspecified()) {
    errs.push_back(field::invalid(path, value, "may not be unspecified (" + value + ")"));
  }
  if (ip->isLoopback()) {
    errs.push_back(
        field::invalid(path, value, "may not be in the loopback range (127.0.0.0/8, ::1/128)"));
  }
  if (ip->isLinkLocalUnicast()) {
    errs.push_back(field::invalid(
        path, value, "may not be in the link-local range (169.254.0.0/16, fe80::/10)"));
  }
  if (ip->isLinkLocalMulticast()) {
    errs.push_back(field::invalid(
        path, value, "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)"));
  }
}

void validateEndpointIp(FieldErrors& errs, const std::string& path, const std::string& value) {
  if (validateIp(errs, path, value)) validateNonSpecialIp(errs, path, value);
}

void validateCidr(FieldErrors& errs, const std::string& path, const std::string& value) {
  if (!isValidCidr(value)) {
    errs.push_back(field::invalid(
        path, value, "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"));
  }
}

void validatePortNumOrName(FieldErrors& errs, const Fields& f, std::string_view key) {
  const json* v = f.raw(key);
  std::string path = f.at(key);
  if (v == nullptr || v->is_number_integer()) {
    // An absent IntOrString is the integer 0.
    // JSON parsed from text holds positive integers as unsigned: only values past INT64_MAX clamp.
    int64_t port =
        v == nullptr ? 0
        : (v->is_number_unsigned() && v->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX))
            ? INT64_MAX
            : v->get<int64_t>();
    for (const auto& m : isValidPortNum(port)) errs.push_back(field::invalid(path, port, m));
  } else if (v->is_string()) {
    std::string name = v->get<std::string>();
    invalidEach(errs, path, name, isValidPortName(name));
  } else {
    errs.push_back(field::typeInvalid(path, *v, "must be an integer or a string"));
  }
}

void validateProtocol(FieldErrors& errs, const Fields& f, std::string_view key) {
  std::string protocol = f.str(key);
  if (protocol.empty()) {
    errs.push_back(field::required(f.at(key)));
  } else if (protocol != "TCP" && protocol != "UDP" && protocol != "SCTP") {
    errs.push_back(field::notSupported(f.at(key), protocol, {"SCTP", "TCP", "UDP"}));
  }
}

void validateFqdn(FieldErrors& errs, const std::string& path, const std::string& value) {
  if (value.empty()) {
    errs.push_back(field::required(path));
    return;
  }
  std::string name = value;
  if (name.back() == '.') name.pop_back();
  auto join = [](const std::vector<std::string>& msgs) {
    std::string out;
    for (const auto& m : msgs) out += (out.empty() ? "" : ",") + m;
    return out;
  };
  if (auto msgs = isDns1123Subdomain(name); !msgs.empty()) {
    errs.push_back(field::invalid(path, name, join(msgs)));
    return;
  }
  if (name.find('.') == std::string::npos) {
    errs.push_back(field::invalid(
        path, name, "should be a domain with at least two segments separated by dots"));
    return;
  }
  size_t start = 0;
  while (true) {
    size_t dot = name.find('.', start);
    std::string label = name.substr(start, dot == std::string::npos ? dot : dot - start);
    if (auto msgs = isDns1123Label(label); !msgs.empty()) {
      errs.push_back(field::invalid(path, label, join(msgs)));
      return;
    }
    if (dot == std::string::npos) return;
    start = dot + 1;
  }
}

void validateImmutable(FieldErrors& errs, const Fields& now, const Fields& before,
                       std::string_view key) {
  const json* a = now.raw(key);
  const json* b = before.raw(key);
  auto zero = [](const json* v) {
    return v == nullptr || (v->is_string() && v->get_ref<const std::string&>().empty());
  };
  if (zero(a) && zero(b)) return;
  if (a != nullptr && b != nullptr && *a == *b) return;
  errs.push_back(field::invalid(now.at(key), a != nullptr ? *a : json(""), field::kImmutable));
}

}  // namespace ferry::api::detail
