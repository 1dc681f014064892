#include "ferry/runtime/config_file.h"

#include <yaml-cpp/yaml.h>

namespace ferry::runtime {

api::Result<std::vector<std::string>> configFileArgs(const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {
    return api::Error{"config file " + path + ": " + e.what()};
  }
  if (root.IsNull()) return std::vector<std::string>{};
  if (!root.IsMap()) return api::Error{"config file " + path + ": expected a mapping of flag names to values"};
  std::vector<std::string> args;
  for (const auto& kv : root) {
    const std::string key = kv.first.as<std::string>();
    if (key == "config") return api::Error{"config file " + path + ": 'config' cannot be set from a config file"};
    const YAML::Node& v = kv.second;
    if (v.IsScalar()) {
      args.push_back("--" + key + "=" + v.as<std::string>());
    } else if (v.IsSequence()) {
      for (const auto& item : v) {
        if (!item.IsScalar()) return api::Error{"config file " + path + ": " + key + ": nested values are not supported"};
        args.push_back("--" + key + "=" + item.as<std::string>());
      }
    } else {
      return api::Error{"config file " + path + ": " + key + ": expected a scalar or a list"};
    }
  }
  return args;
}

api::Result<std::vector<std::string>> argsWithConfigFile(int argc, char** argv) {
  std::vector<std::string> cli(argv + 1, argv + argc);
  std::string path;
  for (size_t i = 0; i < cli.size(); ++i) {
    if (cli[i] == "--config" && i + 1 < cli.size()) path = cli[i + 1];
    else if (cli[i].rfind("--config=", 0) == 0) path = cli[i].substr(9);
  }
  std::vector<std::string> out;
  out.emplace_back(argc > 0 ? argv[0] : "ferry");
  if (!path.empty()) {
    auto file = configFileArgs(path);
    if (!file.ok()) return file;
    out.insert(out.end(), file->begin(), file->end());
  }
  out.insert(out.end(), cli.begin(), cli.end());
  return out;
}

}  // namespace ferry::runtime
