// Non-throwing reads of Kubernetes-shaped JSON. Objects come from users and other components;
// a member of the wrong type reads as absent, so the reconcilers skip what they cannot
// understand instead of throwing (nlohmann's at()/get() would).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace ferry::controlplane::detail {

using Json = nlohmann::json;
using StringMap = std::map<std::string, std::string>;

// The member `key` of `obj`, or nullptr when obj is not an object or has no such member.
const Json* member(const Json& obj, std::string_view key);
// The member if it is an object / array, else an empty one.
const Json& objectAt(const Json& obj, std::string_view key);
const Json& arrayAt(const Json& obj, std::string_view key);
// The member if it is a string / boolean / integer (int64, or unsigned fitting in one).
std::optional<std::string> stringAt(const Json& obj, std::string_view key);
std::string stringOr(const Json& obj, std::string_view key, std::string_view fallback = "");
std::optional<bool> boolAt(const Json& obj, std::string_view key);
std::optional<int64_t> intAt(const Json& obj, std::string_view key);

// obj.metadata and a few of its members.
const Json& metadataOf(const Json& obj);
std::string nameOf(const Json& obj);
std::string namespaceOf(const Json& obj);
std::string uidOf(const Json& obj);
bool hasDeletionTimestamp(const Json& obj);
// A string map such as metadata.labels; non-string values are dropped.
StringMap stringMapAt(const Json& obj, std::string_view key);
StringMap labelsOf(const Json& obj);
StringMap annotationsOf(const Json& obj);

Json toJson(const StringMap& map);
// Joins message pieces with one allocation.
std::string concat(std::initializer_list<std::string_view> parts);
// "<kind> <namespace>/<name>" for messages.
std::string describe(std::string_view kind, const Json& obj);

}  // namespace ferry::controlplane::detail
