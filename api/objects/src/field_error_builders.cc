#include "ferry/api/field_error_builders.h"

#include <cstdio>
#include <set>

namespace ferry::api::field {
namespace {

FieldError make(std::string_view type, std::string path, std::string message) {
  return FieldError{std::string(type), std::move(path), std::move(message)};
}

std::string withDetail(std::string head, std::string_view detail) {
  if (!detail.empty()) {
    head += ": ";
    head += detail;
  }
  return head;
}

}  // namespace

std::string goQuote(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\a':
        out += "\\a";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\v':
        out += "\\v";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\x%02x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);  // printable ASCII and UTF-8 sequences as Go keeps them
        }
    }
  }
  out += '"';
  return out;
}

std::string formatValue(const nlohmann::json& value) {
  if (value.is_string()) return goQuote(value.get_ref<const std::string&>());
  if (value.is_null()) return "null";
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

FieldError required(std::string path, std::string_view detail) {
  return make(kRequired, std::move(path), withDetail("Required value", detail));
}

FieldError invalid(std::string path, const nlohmann::json& value, std::string_view detail) {
  return make(kInvalid, std::move(path),
              withDetail("Invalid value: " + formatValue(value), detail));
}

FieldError notSupported(std::string path, const nlohmann::json& value,
                        const std::vector<std::string_view>& supported) {
  std::string detail;
  if (!supported.empty()) {
    detail = "supported values: ";
    for (size_t i = 0; i < supported.size(); ++i) {
      if (i > 0) detail += ", ";
      detail += goQuote(supported[i]);
    }
  }
  return make(kNotSupported, std::move(path),
              withDetail("Unsupported value: " + formatValue(value), detail));
}

FieldError invalidGo(std::string path, std::string_view go_value, std::string_view detail) {
  return make(kInvalid, std::move(path),
              withDetail("Invalid value: " + std::string(go_value), detail));
}

FieldError duplicateGo(std::string path, std::string_view go_value) {
  return make(kDuplicate, std::move(path), "Duplicate value: " + std::string(go_value));
}

std::string goStringSlice(const std::vector<std::string>& values, std::string_view type_name) {
  std::string out = std::string(type_name) + "{";
  for (size_t i = 0; i < values.size(); ++i) out += (i > 0 ? ", " : "") + goQuote(values[i]);
  return out + "}";
}

FieldError duplicate(std::string path, const nlohmann::json& value) {
  return make(kDuplicate, std::move(path), "Duplicate value: " + formatValue(value));
}

FieldError forbidden(std::string path, std::string_view detail) {
  return make(kForbidden, std::move(path), withDetail("Forbidden", detail));
}

FieldError tooLong(std::string path, int64_t max_bytes) {
  std::string detail =
      "may not be more than " + std::to_string(max_bytes) + (max_bytes == 1 ? " byte" : " bytes");
  return make(kTooLong, std::move(path), withDetail("Too long", detail));
}

FieldError tooMany(std::string path, int64_t actual, int64_t max_items) {
  std::string detail =
      "must have at most " + std::to_string(max_items) + (max_items == 1 ? " item" : " items");
  return make(kTooMany, std::move(path), withDetail("Too many: " + std::to_string(actual), detail));
}

FieldError typeInvalid(std::string path, const nlohmann::json& value, std::string_view detail) {
  return make(kTypeInvalid, std::move(path),
              withDetail("Invalid value: " + formatValue(value), detail));
}

std::string child(std::string_view base, std::string_view name) {
  std::string out(base);
  if (!out.empty()) out += '.';
  out += name;
  return out;
}

std::string index(std::string_view base, size_t i) {
  return std::string(base) + "[" + std::to_string(i) + "]";
}

std::string key(std::string_view base, std::string_view k) {
  return std::string(base) + "[" + std::string(k) + "]";
}

std::string describe(const FieldError& e) {
  return e.field + ": " + e.message;
}

std::string invalidStatusMessage(std::string_view qualified_kind, std::string_view name,
                                 const FieldErrors& errors) {
  std::string out = std::string(qualified_kind) + " " + goQuote(name) + " is invalid";
  std::vector<std::string> msgs;
  std::set<std::string> seen;
  for (const auto& e : errors) {
    std::string m = describe(e);
    if (seen.insert(m).second) msgs.push_back(std::move(m));
  }
  if (msgs.empty()) return out;
  out += ": ";
  if (msgs.size() == 1) return out + msgs.front();
  out += '[';
  for (size_t i = 0; i < msgs.size(); ++i) {
    if (i > 0) out += ", ";
    out += msgs[i];
  }
  return out + ']';
}

}  // namespace ferry::api::field
