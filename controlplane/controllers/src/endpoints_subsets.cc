#include "endpoints_subsets.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

namespace ferry::controlplane::detail {
namespace {

using AddressKey = std::pair<std::string, std::string>;  // (ip, targetRef uid)

AddressKey keyOf(const EndpointAddress& a) {
  return {a.ip, stringOr(a.target_ref, "uid")};
}

bool addressLessKube(const EndpointAddress& a, const EndpointAddress& b) {
  return keyOf(a) < keyOf(b);
}

auto portTuple(const SlicePort& p) {
  return std::make_tuple(p.name, p.port.value_or(-1), p.protocol, p.app_protocol.has_value(),
                         p.app_protocol.value_or(""));
}

bool portLess(const SlicePort& a, const SlicePort& b) {
  return portTuple(a) < portTuple(b);
}

Json addressJson(const EndpointAddress& a) {
  Json j = Json::object();
  j["ip"] = a.ip;
  if (!a.hostname.empty()) {
    j["hostname"] = a.hostname;
  }
  if (!a.node_name.empty()) {
    j["nodeName"] = a.node_name;
  }
  if (a.target_ref.is_object()) {
    j["targetRef"] = a.target_ref;
  }
  return j;
}

// core/v1 EndpointPort: name and appProtocol are omitted when empty.
Json portJson(const SlicePort& p) {
  Json j = Json::object();
  if (!p.name.empty()) {
    j["name"] = p.name;
  }
  j["port"] = p.port.value_or(0);
  j["protocol"] = p.protocol;
  if (p.app_protocol) {
    j["appProtocol"] = *p.app_protocol;
  }
  return j;
}

std::optional<EndpointAddress> addressFromJson(const Json& j) {
  auto ip = stringAt(j, "ip");
  if (!ip) {
    return std::nullopt;
  }
  EndpointAddress a;
  a.ip = *ip;
  a.hostname = stringOr(j, "hostname");
  a.node_name = stringOr(j, "nodeName");
  const Json* ref = member(j, "targetRef");
  if (ref != nullptr && ref->is_object()) {
    a.target_ref = *ref;
  }
  return a;
}

bool addressesEqual(const std::vector<EndpointAddress>& a, const std::vector<EndpointAddress>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](const EndpointAddress& x, const EndpointAddress& y) {
                      return x.ip == y.ip && x.hostname == y.hostname &&
                             x.node_name == y.node_name &&
                             targetRefForCompare(x.target_ref) == targetRefForCompare(y.target_ref);
                    });
}

}  // namespace

std::vector<EndpointSubset> repackSubsets(const std::vector<AddressPort>& entries) {
  // The full address per key (first seen wins), and per port the addresses offering it.
  std::map<AddressKey, EndpointAddress> all;
  struct PortGroup {
    std::optional<SlicePort> port;
    std::map<AddressKey, bool> ready;
  };
  std::map<std::string, PortGroup> by_port;
  for (const AddressPort& e : entries) {
    AddressKey key = keyOf(e.address);
    all.emplace(key, e.address);
    std::string port_key = e.port ? portMapKey({*e.port}) : std::string("<none>");
    PortGroup& group = by_port[port_key];
    group.port = e.port;
    auto [it, inserted] = group.ready.emplace(key, e.ready);
    if (!inserted && it->second) {
      it->second = e.ready;  // not ready trumps ready
    }
  }

  // Ports served by the same (address, readiness) set share a subset.
  struct AddressSet {
    const std::map<AddressKey, bool>* ready = nullptr;
    std::vector<SlicePort> ports;
  };
  std::map<std::string, AddressSet> by_addresses;
  for (const auto& [port_key, group] : by_port) {
    std::string signature;
    for (const auto& [key, ready] : group.ready) {
      signature += concat({std::to_string(key.first.size()), ":", key.first,
                           std::to_string(key.second.size()), ":", key.second, ready ? "R" : "N"});
    }
    AddressSet& set = by_addresses[signature];
    set.ready = &group.ready;
    if (group.port) {
      set.ports.push_back(*group.port);
    }
  }

  std::vector<EndpointSubset> out;
  for (auto& [signature, set] : by_addresses) {
    EndpointSubset subset;
    for (const auto& [key, ready] : *set.ready) {
      (ready ? subset.addresses : subset.not_ready_addresses).push_back(all.at(key));
    }
    std::sort(subset.addresses.begin(), subset.addresses.end(), addressLessKube);
    std::sort(subset.not_ready_addresses.begin(), subset.not_ready_addresses.end(),
              addressLessKube);
    subset.ports = std::move(set.ports);
    std::sort(subset.ports.begin(), subset.ports.end(), portLess);
    out.push_back(std::move(subset));
  }
  std::sort(out.begin(), out.end(), [](const EndpointSubset& a, const EndpointSubset& b) {
    if (a.ports.empty() || b.ports.empty()) {
      return a.ports.empty() && !b.ports.empty();
    }
    return portLess(a.ports.front(), b.ports.front());
  });
  return out;
}

bool truncateSubsets(std::vector<EndpointSubset>& subsets, size_t max) {
  size_t total_ready = 0;
  size_t total_not_ready = 0;
  for (const EndpointSubset& s : subsets) {
    total_ready += s.addresses.size();
    total_not_ready += s.not_ready_addresses.size();
  }
  if (total_ready + total_not_ready <= max) {
    return false;
  }
  bool truncate_ready = total_ready > max;
  size_t room = truncate_ready ? max : max - total_ready;
  size_t num_total = truncate_ready ? total_ready : total_not_ready;
  size_t can_be_added = room;
  for (EndpointSubset& s : subsets) {
    size_t in_subset = truncate_ready ? s.addresses.size() : s.not_ready_addresses.size();
    // Each subset gets its proportional share, rounded up (so the last ones may get less);
    // computed in doubles exactly as kube does so both cut at the same place.
    auto share = static_cast<size_t>(
        std::ceil((static_cast<double>(in_subset) / static_cast<double>(num_total)) *
                  static_cast<double>(room)));
    size_t to_be_added = std::min(share, can_be_added);
    auto& cut = truncate_ready ? s.addresses : s.not_ready_addresses;
    if (cut.size() > to_be_added) {
      cut.resize(to_be_added);
    }
    if (truncate_ready) {
      s.not_ready_addresses.clear();
    }
    can_be_added -= cut.size();
  }
  return true;
}

Json toJson(const std::vector<EndpointSubset>& subsets) {
  Json out = Json::array();
  for (const EndpointSubset& s : subsets) {
    Json j = Json::object();
    auto list = [](const std::vector<EndpointAddress>& addresses) {
      Json a = Json::array();
      for (const EndpointAddress& addr : addresses) {
        a.push_back(addressJson(addr));
      }
      return a;
    };
    if (!s.addresses.empty()) {
      j["addresses"] = list(s.addresses);
    }
    if (!s.not_ready_addresses.empty()) {
      j["notReadyAddresses"] = list(s.not_ready_addresses);
    }
    if (!s.ports.empty()) {
      Json ports = Json::array();
      for (const SlicePort& p : s.ports) {
        ports.push_back(portJson(p));
      }
      j["ports"] = std::move(ports);
    }
    out.push_back(std::move(j));
  }
  return out;
}

std::optional<std::vector<EndpointSubset>> subsetsFromJson(const Json& subsets,
                                                           const std::string& where,
                                                           std::vector<std::string>& warnings) {
  if (subsets.is_null()) {
    return std::vector<EndpointSubset>{};
  }
  auto fail = [&](const std::string& why) {
    warnings.push_back(where + ": " + why + "; the object will be rewritten");
    return std::nullopt;
  };
  if (!subsets.is_array()) {
    return fail("subsets is not a list");
  }
  std::vector<EndpointSubset> out;
  for (const Json& s : subsets) {
    if (!s.is_object()) {
      return fail("a subsets entry is not an object");
    }
    EndpointSubset subset;
    for (auto [field, list] : {std::pair{"addresses", &subset.addresses},
                               std::pair{"notReadyAddresses", &subset.not_ready_addresses}}) {
      for (const Json& a : arrayAt(s, field)) {
        auto addr = addressFromJson(a);
        if (!addr) {
          return fail(std::string("an entry of ") + field + " has no ip");
        }
        list->push_back(std::move(*addr));
      }
    }
    for (const Json& p : arrayAt(s, "ports")) {
      std::string why;
      auto port = slicePortFromJson(p, &why);
      if (!port) {
        return fail(why);
      }
      subset.ports.push_back(std::move(*port));
    }
    out.push_back(std::move(subset));
  }
  return out;
}

bool subsetsEqual(const std::vector<EndpointSubset>& a, const std::vector<EndpointSubset>& b) {
  return std::equal(
      a.begin(), a.end(), b.begin(), b.end(), [](const EndpointSubset& x, const EndpointSubset& y) {
        return addressesEqual(x.addresses, y.addresses) &&
               addressesEqual(x.not_ready_addresses, y.not_ready_addresses) && x.ports == y.ports;
      });
}

size_t addressCount(const std::vector<EndpointSubset>& subsets) {
  size_t n = 0;
  for (const EndpointSubset& s : subsets) {
    n += s.addresses.size() + s.not_ready_addresses.size();
  }
  return n;
}

}  // namespace ferry::controlplane::detail
