#include "json_read.h"

namespace ferry::agent::detail {
namespace {

void wrongType(const Diagnostics& diag, std::string_view path, std::string_view want,
               const Json& got) {
  std::string msg(path);
  msg += ": expected ";
  msg += want;
  msg += ", got ";
  msg += got.type_name();
  diag.warn(msg);
}

std::optional<std::string> metadataString(const Json& obj, std::string_view map,
                                          std::string_view key) {
  const Json* meta = member(obj, "metadata");
  const Json* entries = meta != nullptr ? member(*meta, map) : nullptr;
  const Json* value = entries != nullptr ? member(*entries, key) : nullptr;
  if (value == nullptr || !value->is_string()) return std::nullopt;
  return value->get<std::string>();
}

}  // namespace

void Diagnostics::warn(std::string_view what) const {
  if (!sink_) return;
  std::string msg = where_;
  msg += ": ";
  msg += what;
  sink_(std::move(msg));
}

const Json* member(const Json& obj, std::string_view key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(std::string(key));
  if (it == obj.end() || it->is_null()) return nullptr;
  return &*it;
}

std::optional<std::string> stringField(const Json& obj, std::string_view key,
                                       const Diagnostics& diag, std::string_view path) {
  const Json* m = member(obj, key);
  if (m == nullptr) return std::nullopt;
  if (!m->is_string()) {
    wrongType(diag, path, "string", *m);
    return std::nullopt;
  }
  return m->get<std::string>();
}

std::optional<int64_t> intField(const Json& obj, std::string_view key, const Diagnostics& diag,
                                std::string_view path) {
  const Json* m = member(obj, key);
  if (m == nullptr) return std::nullopt;
  if (m->is_number_integer()) return m->get<int64_t>();
  if (m->is_number_unsigned()) {
    auto v = m->get<uint64_t>();
    if (v <= static_cast<uint64_t>(INT64_MAX)) return static_cast<int64_t>(v);
  }
  wrongType(diag, path, "integer", *m);
  return std::nullopt;
}

std::optional<bool> boolField(const Json& obj, std::string_view key, const Diagnostics& diag,
                              std::string_view path) {
  const Json* m = member(obj, key);
  if (m == nullptr) return std::nullopt;
  if (!m->is_boolean()) {
    wrongType(diag, path, "boolean", *m);
    return std::nullopt;
  }
  return m->get<bool>();
}

const Json* arrayField(const Json& obj, std::string_view key, const Diagnostics& diag,
                       std::string_view path) {
  const Json* m = member(obj, key);
  if (m == nullptr) return nullptr;
  if (!m->is_array()) {
    wrongType(diag, path, "array", *m);
    return nullptr;
  }
  return m;
}

const Json* objectField(const Json& obj, std::string_view key, const Diagnostics& diag,
                        std::string_view path) {
  const Json* m = member(obj, key);
  if (m == nullptr) return nullptr;
  if (!m->is_object()) {
    wrongType(diag, path, "object", *m);
    return nullptr;
  }
  return m;
}

std::optional<std::string> label(const Json& obj, std::string_view key) {
  return metadataString(obj, "labels", key);
}

std::optional<std::string> annotation(const Json& obj, std::string_view key) {
  return metadataString(obj, "annotations", key);
}

}  // namespace ferry::agent::detail
