#include "ferry/agent/pods/pod_state.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace fs = std::filesystem;

namespace ferry::agent::pods {
namespace {

api::Result<nlohmann::json> readJson(const std::string& path) {
  std::ifstream in(path);
  if (!in) return api::Error{"cannot read " + path};
  std::stringstream ss;
  ss << in.rdbuf();
  auto j = nlohmann::json::parse(ss.str(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return api::Error{path + ": not a JSON object"};
  return j;
}

std::string str(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

pid_t pidOf(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? it->get<pid_t>() : 0;
}

}  // namespace

std::string defaultStateDir() {
  const char* env = std::getenv("FERRY_STATE_DIR");  // NOLINT(concurrency-mt-unsafe): no setenv
  return env && *env ? env : "/var/lib/ferry/local";
}

api::Result<NodeConfig> PodState::node(const std::string& name) const {
  const std::string path = dir_ + "/nodes/" + name + ".json";
  if (!fs::exists(path)) {
    std::string known;
    for (const auto& n : nodeNames()) known += (known.empty() ? "" : ", ") + n;
    return api::Error{"unknown node " + name + " (nodes in " + dir_ + ": " +
                      (known.empty() ? "none; did scripts/up start nodes?" : known) + ")"};
  }
  auto j = readJson(path);
  if (!j) return api::Error{j.error()};
  NodeConfig n{str(*j, "name"),    str(*j, "netns"),      str(*j, "cgroup"),    str(*j, "pod_cidr"),
               str(*j, "node_ip"), str(*j, "dns_server"), str(*j, "dns_search")};
  if (n.name.empty()) n.name = name;
  if (n.netns.empty() || n.cgroup.empty() || n.pod_cidr.empty())
    return api::Error{path + ": needs netns, cgroup and pod_cidr"};
  return n;
}

std::vector<std::string> PodState::nodeNames() const {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir_ + "/nodes", ec))
    if (e.path().extension() == ".json") out.push_back(e.path().stem().string());
  std::sort(out.begin(), out.end());
  return out;
}

std::string PodState::ipamPath(const std::string& node) const {
  return dir_ + "/nodes/" + node + ".ipam";
}

std::string PodState::podPath(const std::string& ns, const std::string& name) const {
  return dir_ + "/pods/" + ns + "/" + name + ".json";
}

std::string PodState::resolvConfPath(const std::string& ns, const std::string& name) const {
  return dir_ + "/pods/" + ns + "/" + name + ".resolv.conf";
}

api::Result<PodRecord> PodState::pod(const std::string& ns, const std::string& name) const {
  const std::string path = podPath(ns, name);
  if (!fs::exists(path)) {
    return api::Error{"no pod " + ns + "/" + name + " started by `ferry pod run` under " + dir_ +
                      " (--state-dir or $FERRY_STATE_DIR name another cluster's)"};
  }
  auto j = readJson(path);
  if (!j) return api::Error{j.error()};
  PodRecord p;
  p.namespace_ = str(*j, "namespace");
  p.name = str(*j, "name");
  p.node = str(*j, "node");
  p.netns = str(*j, "netns");
  p.cgroup = str(*j, "cgroup");
  p.ip = str(*j, "ip");
  p.gateway = str(*j, "gateway");
  p.host_veth = str(*j, "host_veth");
  p.resolv_conf = str(*j, "resolv_conf");
  p.supervisor = pidOf(*j, "supervisor");
  p.pid = pidOf(*j, "pid");
  return p;
}

std::vector<PodRecord> PodState::pods() const {
  std::vector<PodRecord> out;
  std::error_code ec;
  for (const auto& nsdir : fs::directory_iterator(dir_ + "/pods", ec)) {
    if (!nsdir.is_directory()) continue;
    for (const auto& e : fs::directory_iterator(nsdir.path(), ec)) {
      if (e.path().extension() != ".json") continue;
      if (auto p = pod(nsdir.path().filename().string(), e.path().stem().string()))
        out.push_back(*p);
    }
  }
  return out;
}

std::string PodState::savePod(const PodRecord& p) const {
  const std::string path = podPath(p.namespace_, p.name);
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  if (ec) return "create " + fs::path(path).parent_path().string() + ": " + ec.message();
  nlohmann::json j = {{"namespace", p.namespace_},
                      {"name", p.name},
                      {"node", p.node},
                      {"netns", p.netns},
                      {"cgroup", p.cgroup},
                      {"ip", p.ip},
                      {"gateway", p.gateway},
                      {"host_veth", p.host_veth},
                      {"resolv_conf", p.resolv_conf},
                      {"supervisor", p.supervisor},
                      {"pid", p.pid}};
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << j.dump(2) << "\n";
    if (!out.flush()) return "write " + tmp;
  }
  fs::rename(tmp, path, ec);
  return ec ? "rename " + tmp + ": " + ec.message() : std::string();
}

void PodState::removePod(const std::string& ns, const std::string& name) const {
  std::error_code ec;
  fs::remove(podPath(ns, name), ec);
  fs::remove(resolvConfPath(ns, name), ec);
  fs::remove(dir_ + "/pods/" + ns, ec);  // only when empty
}

}  // namespace ferry::agent::pods
