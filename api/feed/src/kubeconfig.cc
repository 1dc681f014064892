#include "ferry/feed/kubeconfig.h"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "ferry/api/base64.h"

namespace ferry::feed {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A file a kubeconfig names: relative paths are relative to the kubeconfig itself.
std::string slurpRelative(const std::string& kubeconfig, const std::string& path) {
  std::filesystem::path p(path);
  if (p.is_relative()) p = std::filesystem::path(kubeconfig).parent_path() / p;
  return slurp(p.string());
}

// Inline base64 `<field>-data` or the file `<field>`: "" when neither is set; nullopt when
// the inline data is not base64.
std::optional<std::string> pemField(const YAML::Node& node, const std::string& field,
                                    const std::string& kubeconfig) {
  if (node && node[field + "-data"])
    return api::base64Decode(node[field + "-data"].as<std::string>());
  if (node && node[field]) return slurpRelative(kubeconfig, node[field].as<std::string>());
  return std::string();
}

// The entry of `list` (clusters or users) named `name`, or the first one.
YAML::Node pick(const YAML::Node& list, const std::string& name) {
  if (!list || !list.IsSequence() || list.size() == 0) return {};
  for (const auto& e : list)
    if (e["name"] && e["name"].as<std::string>() == name) return e;
  return list[0];
}

}  // namespace

api::Result<KubeconfigCredentials> readKubeconfig(const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const std::exception& e) {
    return api::Error{"read kubeconfig " + path + ": " + e.what()};
  }
  try {
    std::string cluster_name, user_name;
    const std::string current =
        root["current-context"] ? root["current-context"].as<std::string>() : "";
    YAML::Node ctx = pick(root["contexts"], current);
    if (ctx && ctx["context"]) {
      if (ctx["context"]["cluster"]) cluster_name = ctx["context"]["cluster"].as<std::string>();
      if (ctx["context"]["user"]) user_name = ctx["context"]["user"].as<std::string>();
    }
    YAML::Node cluster = pick(root["clusters"], cluster_name)["cluster"];
    YAML::Node user = pick(root["users"], user_name)["user"];
    if (!cluster || !cluster["server"])
      return api::Error{"kubeconfig " + path + ": no cluster server"};
    KubeconfigCredentials c;
    c.server = cluster["server"].as<std::string>();
    std::string rest =
        c.server.substr(c.server.find("://") == std::string::npos ? 0 : c.server.find("://") + 3);
    rest = rest.substr(0, rest.find('/'));
    const auto colon = rest.rfind(':');
    c.host = colon != std::string::npos && rest.find(']', colon) == std::string::npos
                 ? rest.substr(0, colon)
                 : rest;
    auto ca = pemField(cluster, "certificate-authority", path);
    if (!ca) return api::Error{"kubeconfig " + path + ": certificate-authority-data is not base64"};
    c.ca_pem = std::move(*ca);
    if (user && user["token"]) {
      c.token = user["token"].as<std::string>();
    } else if (user && user["tokenFile"]) {
      c.token = slurpRelative(path, user["tokenFile"].as<std::string>());
      while (!c.token.empty() && (c.token.back() == '\n' || c.token.back() == '\r'))
        c.token.pop_back();
    }
    auto cert = pemField(user, "client-certificate", path);
    auto key = pemField(user, "client-key", path);
    if (!cert || !key)
      return api::Error{"kubeconfig " + path +
                        ": client-certificate-data or client-key-data is not base64"};
    c.client_cert_pem = std::move(*cert);
    c.client_key_pem = std::move(*key);
    if (c.ca_pem.empty()) return api::Error{"kubeconfig " + path + ": no certificate authority"};
    if (c.client_cert_pem.empty() != c.client_key_pem.empty())
      return api::Error{"kubeconfig " + path +
                        ": a client certificate needs its key and vice versa"};
    if (c.token.empty() && c.client_cert_pem.empty())
      return api::Error{"kubeconfig " + path + ": no bearer token and no client certificate"};
    return c;
  } catch (const std::exception& e) {
    return api::Error{"kubeconfig " + path + ": " + e.what()};
  }
}

FeedClientOptions feedOptionsFrom(const KubeconfigCredentials& creds, uint16_t feed_port,
                                  const std::string& feed_address) {
  FeedClientOptions o;
  o.target = feed_address.empty() ? creds.host + ":" + std::to_string(feed_port) : feed_address;
  o.ca_pem = creds.ca_pem;
  o.token = creds.token;
  return o;
}

}  // namespace ferry::feed
