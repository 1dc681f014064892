#include "ferry/controlplane/api_status.h"

namespace ferry::controlplane {

nlohmann::json ApiStatus::toJson() const {
  nlohmann::json j = {{"kind", "Status"},          {"apiVersion", "v1"},
                      {"metadata", nlohmann::json::object()}, {"status", "Failure"},
                      {"message", message},        {"reason", reason},
                      {"code", code}};
  if (!details.name.empty() || !details.kind.empty() || !causes.empty()) {
    nlohmann::json d = nlohmann::json::object();
    if (!details.name.empty()) d["name"] = details.name;
    if (!details.group.empty()) d["group"] = details.group;
    if (!details.kind.empty()) d["kind"] = details.kind;
    if (!causes.empty()) {
      d["causes"] = nlohmann::json::array();
      for (const auto& c : causes) d["causes"].push_back({{"reason", c.type}, {"message", c.message}, {"field", c.field}});
    }
    j["details"] = d;
  }
  return j;
}

namespace {
std::string qualified(const StatusDetails& d) {
  return d.group.empty() ? d.kind : d.kind + "." + d.group;
}
}  // namespace

ApiStatus ApiStatus::notFound(const StatusDetails& d) {
  return {404, "NotFound", qualified(d) + " \"" + d.name + "\" not found", d, {}};
}
ApiStatus ApiStatus::alreadyExists(const StatusDetails& d) {
  return {409, "AlreadyExists", qualified(d) + " \"" + d.name + "\" already exists", d, {}};
}
ApiStatus ApiStatus::conflict(const StatusDetails& d, const std::string& why) {
  return {409, "Conflict", "Operation cannot be fulfilled on " + qualified(d) + " \"" + d.name + "\": " + why, d, {}};
}
ApiStatus ApiStatus::invalid(const StatusDetails& d, const std::string& kind, api::FieldErrors causes) {
  std::string msg = kind + " \"" + d.name + "\" is invalid: ";
  if (causes.size() > 1) msg += "[";
  for (size_t i = 0; i < causes.size(); ++i) {
    if (i) msg += ", ";
    msg += causes[i].field + ": " + causes[i].message;
  }
  if (causes.size() > 1) msg += "]";
  StatusDetails det = d;
  det.kind = kind;
  return {422, "Invalid", msg, det, std::move(causes)};
}
ApiStatus ApiStatus::badRequest(const std::string& m) { return {400, "BadRequest", m, {}, {}}; }
ApiStatus ApiStatus::gone(const std::string& m) { return {410, "Expired", m, {}, {}}; }
ApiStatus ApiStatus::methodNotAllowed(const std::string& m) { return {405, "MethodNotAllowed", m, {}, {}}; }
ApiStatus ApiStatus::unsupportedMediaType(const std::string& m) { return {415, "UnsupportedMediaType", m, {}, {}}; }
ApiStatus ApiStatus::internal(const std::string& m) { return {500, "InternalError", m, {}, {}}; }
ApiStatus ApiStatus::unavailable(const std::string& m) { return {503, "ServiceUnavailable", m, {}, {}}; }
ApiStatus ApiStatus::unauthorized() { return {401, "Unauthorized", "Unauthorized", {}, {}}; }
ApiStatus ApiStatus::forbidden(const std::string& m) { return {403, "Forbidden", m, {}, {}}; }
ApiStatus ApiStatus::tooLarge(const std::string& m) { return {413, "RequestEntityTooLarge", m, {}, {}}; }

}  // namespace ferry::controlplane
