// Reading Kubernetes JSON without trusting it: every accessor tolerates absence (and JSON null,
// which the API treats as absence) silently, and reports a present field of the wrong type
// through a Diagnostics before treating it as absent. Nothing here throws.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace ferry::agent::detail {

using Json = nlohmann::json;

// Where malformed-input warnings go; `where` names the object being compiled ("Service ns/n").
class Diagnostics {
 public:
  Diagnostics(std::string where, std::function<void(std::string)> sink)
      : where_(std::move(where)), sink_(std::move(sink)) {}

  void warn(std::string_view what) const;
  const std::string& where() const { return where_; }

 private:
  std::string where_;
  std::function<void(std::string)> sink_;
};

// `obj[key]`, or null when obj is not an object, the key is absent or its value is JSON null.
const Json* member(const Json& obj, std::string_view key);

// Typed fields: nullopt/null when absent; also nullopt/null, with a warning naming `path`, when
// present with another type.
std::optional<std::string> stringField(const Json& obj, std::string_view key,
                                       const Diagnostics& diag, std::string_view path);
std::optional<int64_t> intField(const Json& obj, std::string_view key, const Diagnostics& diag,
                                std::string_view path);
std::optional<bool> boolField(const Json& obj, std::string_view key, const Diagnostics& diag,
                              std::string_view path);
const Json* arrayField(const Json& obj, std::string_view key, const Diagnostics& diag,
                       std::string_view path);
const Json* objectField(const Json& obj, std::string_view key, const Diagnostics& diag,
                        std::string_view path);

// metadata.labels[key] / metadata.annotations[key] as strings (absent or mistyped: nullopt).
std::optional<std::string> label(const Json& obj, std::string_view key);
std::optional<std::string> annotation(const Json& obj, std::string_view key);

}  // namespace ferry::agent::detail
