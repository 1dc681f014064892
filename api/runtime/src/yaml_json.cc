#include "ferry/runtime/yaml_json.h"

#include <yaml-cpp/yaml.h>

#include <string>

namespace ferry::runtime {
namespace {

using nlohmann::json;

json toJson(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map: {
      json o = json::object();
      for (const auto& kv : n) o[kv.first.as<std::string>()] = toJson(kv.second);
      return o;
    }
    case YAML::NodeType::Sequence: {
      json a = json::array();
      for (const auto& v : n) a.push_back(toJson(v));
      return a;
    }
    case YAML::NodeType::Scalar: {
      const std::string& s = n.Scalar();
      if (n.Tag() == "!") return s;  // quoted: always a string
      if (s == "true" || s == "True") return true;
      if (s == "false" || s == "False") return false;
      if (s == "null" || s == "~") return nullptr;
      json num = json::parse(s, nullptr, false);
      if (!num.is_discarded() && num.is_number()) return num;
      return s;
    }
    default:
      return nullptr;
  }
}

}  // namespace

api::Result<std::vector<nlohmann::json>> yamlDocuments(std::string_view text) {
  try {
    std::vector<json> out;
    for (const YAML::Node& node : YAML::LoadAll(std::string(text))) out.push_back(toJson(node));
    return out;
  } catch (const YAML::Exception& e) {
    return api::Error{e.what()};
  }
}

}  // namespace ferry::runtime
