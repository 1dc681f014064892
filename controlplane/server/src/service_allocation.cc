#include "ferry/controlplane/service_allocation.h"

#include <algorithm>

namespace ferry::controlplane {
namespace {

std::string str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool usesNodePorts(const json& spec) {
  std::string type = str(spec, "type");
  if (type == "NodePort") return true;
  if (type != "LoadBalancer") return false;
  auto it = spec.find("allocateLoadBalancerNodePorts");
  return it == spec.end() || !it->is_boolean() || it->get<bool>();
}

bool hasClusterIp(const json& spec) {
  std::string type = str(spec, "type");
  return type != "ExternalName" && str(spec, "clusterIP") != "None";
}

std::string ownerOf(const json& svc) {
  return svc["metadata"].value("namespace", "") + "/" + svc["metadata"].value("name", "");
}

api::FieldError invalidField(std::string field, std::string msg) { return {"FieldValueInvalid", std::move(field), std::move(msg)}; }

}  // namespace

ServiceAllocation::Held ServiceAllocation::held(const json& svc) {
  Held h;
  if (!svc.is_object() || !svc.contains("spec") || !svc["spec"].is_object()) return h;
  const json& spec = svc["spec"];
  if (auto it = spec.find("clusterIPs"); it != spec.end() && it->is_array()) {
    for (const auto& ip : *it)
      if (ip.is_string() && ip != "None" && !ip.get<std::string>().empty()) h.ips.push_back(ip);
  } else if (std::string ip = str(spec, "clusterIP"); !ip.empty() && ip != "None") {
    h.ips.push_back(ip);
  }
  if (auto it = spec.find("ports"); it != spec.end() && it->is_array())
    for (const auto& p : *it)
      if (p.is_object() && p.contains("nodePort") && p["nodePort"].is_number_integer())
        h.ports.push_back(static_cast<uint16_t>(p["nodePort"].get<int>()));
  if (auto it = spec.find("healthCheckNodePort"); it != spec.end() && it->is_number_integer() && it->get<int>() > 0)
    h.ports.push_back(static_cast<uint16_t>(it->get<int>()));
  std::sort(h.ports.begin(), h.ports.end());
  h.ports.erase(std::unique(h.ports.begin(), h.ports.end()), h.ports.end());
  if (auto st = svc.find("status"); st != svc.end() && st->is_object())
    if (auto lb = st->find("loadBalancer"); lb != st->end() && lb->is_object())
      if (auto ing = lb->find("ingress"); ing != lb->end() && ing->is_array())
        for (const auto& i : *ing)
          if (i.is_object() && i.contains("ip") && i["ip"].is_string()) h.lb_ips.push_back(i["ip"]);
  return h;
}

IpAllocator* ServiceAllocation::allocatorFor(const model::IpAddress& ip) {
  if (ip.family() == model::Family::kIpv4) return &v4_;
  return v6_;
}

IpAllocator* ServiceAllocation::poolFor(const model::IpAddress& ip) {
  IpAllocator* pool = ip.family() == model::Family::kIpv4 ? lb_v4_ : lb_v6_;
  return pool && pool->contains(ip) ? pool : nullptr;
}

void ServiceAllocation::allocateLoadBalancerIp(json& svc, const Held& before, WritePlan& plan,
                                               api::FieldErrors& errors) {
  if (!lb_v4_ && !lb_v6_) return;  // no pool: status belongs to whoever else writes it
  json& spec = svc["spec"];
  const std::string owner = ownerOf(svc);
  // A loadBalancerClass names another implementation; that one fills the status.
  const bool ours = str(spec, "type") == "LoadBalancer" && str(spec, "loadBalancerClass").empty();
  std::optional<model::IpAddress> keep;
  for (const auto& text : before.lb_ips)
    if (auto ip = model::IpAddress::parse(text); ip && poolFor(*ip)) keep = ip;
  if (!ours) {
    if (keep && svc.contains("status") && svc["status"].is_object()) svc["status"].erase("loadBalancer");
    return;  // the record is released with the other no-longer-held values
  }
  // spec.loadBalancerIP (deprecated, still used) asks for one address of the pool.
  if (std::string wanted = str(spec, "loadBalancerIP"); !wanted.empty()) {
    auto ip = model::IpAddress::parse(wanted);
    if (!ip || !poolFor(*ip)) {
      errors.push_back(invalidField("spec.loadBalancerIP", "Invalid value: \"" + wanted +
                                                               "\": not an address of the load balancer IP pool"));
      return;
    }
    if (!keep || *keep != *ip) {
      if (takenByOther(poolFor(*ip)->recordKey(*ip), owner)) {
        errors.push_back(invalidField("spec.loadBalancerIP", "Invalid value: \"" + wanted + "\": already allocated"));
        return;
      }
      plan.compares.push_back({poolFor(*ip)->recordKey(*ip), 0});
      plan.ops.push_back(store::TxnOp::put(poolFor(*ip)->recordKey(*ip), owner));
      poolFor(*ip)->markUsed(*ip);
    }
    keep = ip;
  } else if (!keep) {
    // The pool of the Service's primary family, else whichever exists.
    const bool v6_first = spec.contains("ipFamilies") && spec["ipFamilies"].is_array() && !spec["ipFamilies"].empty() &&
                          spec["ipFamilies"][0] == "IPv6";
    IpAllocator* pool = v6_first ? (lb_v6_ ? lb_v6_ : lb_v4_) : (lb_v4_ ? lb_v4_ : lb_v6_);
    auto ip = pool->pick(/*allow_first=*/true);
    if (!ip) return;  // exhausted: stays <pending>, as with any LB implementation out of space
    pool->markUsed(*ip);
    plan.compares.push_back({pool->recordKey(*ip), 0});
    plan.ops.push_back(store::TxnOp::put(pool->recordKey(*ip), owner));
    keep = ip;
  }
  svc["status"]["loadBalancer"]["ingress"] = json::array({{{"ip", keep->toString()}, {"ipMode", "VIP"}}});
}

bool ServiceAllocation::takenByOther(const std::string& key, const std::string& owner) {
  auto kv = store_.get(key);
  return kv.ok() && kv->value != owner;
}

ApiResult<WritePlan> ServiceAllocation::allocate(json& svc, const json* old) {
  WritePlan plan;
  api::FieldErrors errors;
  json& spec = svc["spec"];
  const std::string owner = ownerOf(svc);
  const Held before = old ? held(*old) : Held{};
  StatusDetails details{svc["metadata"].value("name", ""), "", "services"};

  auto claim = [&](const std::string& key) {
    // New to this Service: must not exist yet. Already ours: nothing to write.
    plan.compares.push_back({key, 0});
    plan.ops.push_back(store::TxnOp::put(key, owner));
  };

  // ClusterIP(s).
  if (hasClusterIp(spec)) {
    std::string ip_text = str(spec, "clusterIP");
    if (ip_text.empty()) {
      if (old && !held(*old).ips.empty()) {
        ip_text = held(*old).ips.front();  // an update that omits clusterIP keeps it
      } else {
        bool kubernetes_svc = owner == "default/kubernetes";
        auto ip = kubernetes_svc ? std::optional(v4_.firstUsable()) : v4_.pick();
        if (!ip) return ApiStatus::internal("failed to allocate a service IP: range " + v4_.range().toString() + " is full");
        ip_text = ip->toString();
        v4_.markUsed(*ip);
      }
    }
    auto ip = model::IpAddress::parse(ip_text);
    IpAllocator* alloc = ip ? allocatorFor(*ip) : nullptr;
    if (!ip) {
      errors.push_back(invalidField("spec.clusterIPs[0]", "Invalid value: \"" + ip_text + "\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"));
    } else if (!alloc || !alloc->contains(*ip)) {
      errors.push_back(invalidField("spec.clusterIPs", "Invalid value: []string{\"" + ip_text + "\"}: failed to allocate IP " + ip_text +
                                                           ": provided IP is not in the valid range. The range of valid IPs is " +
                                                           (alloc ? alloc->range().toString() : v4_.range().toString())));
    } else {
      std::string key = alloc->recordKey(*ip);
      bool ours = std::find(before.ips.begin(), before.ips.end(), ip->toString()) != before.ips.end();
      if (!ours) {
        if (takenByOther(key, owner))
          errors.push_back(invalidField("spec.clusterIPs", "Invalid value: []string{\"" + ip_text + "\"}: failed to allocate IP " +
                                                               ip_text + ": provided IP is already allocated"));
        else
          claim(key);
      }
      spec["clusterIP"] = ip->toString();
      spec["clusterIPs"] = json::array({ip->toString()});
      spec["ipFamilies"] = json::array({ip->family() == model::Family::kIpv4 ? "IPv4" : "IPv6"});
      if (!spec.contains("ipFamilyPolicy")) spec["ipFamilyPolicy"] = "SingleStack";
      alloc->markUsed(*ip);
    }
  }

  // NodePorts: every port of a NodePort/LoadBalancer Service gets one.
  std::vector<uint16_t> now_ports;
  if (usesNodePorts(spec) && spec.contains("ports") && spec["ports"].is_array()) {
    for (size_t i = 0; i < spec["ports"].size(); ++i) {
      json& p = spec["ports"][i];
      int np = p.contains("nodePort") && p["nodePort"].is_number_integer() ? p["nodePort"].get<int>() : 0;
      if (np == 0) {
        // Keep the old Service's port for the same port number on update, as kube does.
        if (old && (*old)["spec"].contains("ports"))
          for (const auto& op : (*old)["spec"]["ports"])
            if (op.value("port", -1) == p.value("port", -2) && op.value("protocol", "TCP") == p.value("protocol", "TCP"))
              np = op.value("nodePort", 0);
      }
      if (np == 0) {
        auto picked = node_ports_.pick();
        if (!picked) return ApiStatus::internal("failed to allocate a node port: range is full");
        np = *picked;
        node_ports_.markUsed(*picked);
      }
      const std::string field = "spec.ports[" + std::to_string(i) + "].nodePort";
      if (!node_ports_.contains(static_cast<uint16_t>(np))) {
        errors.push_back(invalidField(field, "Invalid value: " + std::to_string(np) + ": provided port is not in the valid range. The range of valid ports is " +
                                                 std::to_string(node_ports_.first()) + "-" + std::to_string(node_ports_.last())));
        continue;
      }
      p["nodePort"] = np;
      now_ports.push_back(static_cast<uint16_t>(np));
    }
  } else if (spec.contains("ports") && spec["ports"].is_array()) {
    for (auto& p : spec["ports"]) p.erase("nodePort");  // type changed away from NodePort
  }

  // healthCheckNodePort for LoadBalancer + externalTrafficPolicy Local.
  if (str(spec, "type") == "LoadBalancer" && str(spec, "externalTrafficPolicy") == "Local") {
    int hc = spec.value("healthCheckNodePort", 0);
    if (hc == 0 && old) hc = (*old)["spec"].value("healthCheckNodePort", 0);
    if (hc == 0) {
      auto picked = node_ports_.pick();
      if (!picked) return ApiStatus::internal("failed to allocate a health check node port");
      hc = *picked;
      node_ports_.markUsed(*picked);
    }
    spec["healthCheckNodePort"] = hc;
    now_ports.push_back(static_cast<uint16_t>(hc));
  } else {
    spec.erase("healthCheckNodePort");
  }

  std::sort(now_ports.begin(), now_ports.end());
  now_ports.erase(std::unique(now_ports.begin(), now_ports.end()), now_ports.end());
  for (uint16_t port : now_ports) {
    if (std::find(before.ports.begin(), before.ports.end(), port) != before.ports.end()) continue;
    std::string key = node_ports_.recordKey(port);
    if (takenByOther(key, owner)) {
      errors.push_back(invalidField("spec.ports[*].nodePort", "Invalid value: " + std::to_string(port) + ": provided port is already allocated"));
      continue;
    }
    claim(key);
  }

  allocateLoadBalancerIp(svc, before, plan, errors);

  // Release what the update no longer uses.
  const Held after = held(svc);
  for (const auto& ip_text : before.lb_ips) {
    if (std::find(after.lb_ips.begin(), after.lb_ips.end(), ip_text) != after.lb_ips.end()) continue;
    if (auto ip = model::IpAddress::parse(ip_text); ip && poolFor(*ip) && !takenByOther(poolFor(*ip)->recordKey(*ip), owner)) {
      plan.ops.push_back(store::TxnOp::del(poolFor(*ip)->recordKey(*ip)));
      poolFor(*ip)->markFree(*ip);
    }
  }
  for (const auto& ip_text : before.ips) {
    if (std::find(after.ips.begin(), after.ips.end(), ip_text) != after.ips.end()) continue;
    if (auto ip = model::IpAddress::parse(ip_text); ip && allocatorFor(*ip))
      plan.ops.push_back(store::TxnOp::del(allocatorFor(*ip)->recordKey(*ip)));
  }
  for (uint16_t port : before.ports)
    if (std::find(after.ports.begin(), after.ports.end(), port) == after.ports.end())
      plan.ops.push_back(store::TxnOp::del(node_ports_.recordKey(port)));

  if (!errors.empty()) return ApiStatus::invalid(details, "Service", std::move(errors));
  return plan;
}

WritePlan ServiceAllocation::release(const json& svc) {
  WritePlan plan;
  const Held h = held(svc);
  for (const auto& ip_text : h.ips) {
    auto ip = model::IpAddress::parse(ip_text);
    if (!ip || !allocatorFor(*ip)) continue;
    plan.ops.push_back(store::TxnOp::del(allocatorFor(*ip)->recordKey(*ip)));
    allocatorFor(*ip)->markFree(*ip);
  }
  for (uint16_t port : h.ports) {
    plan.ops.push_back(store::TxnOp::del(node_ports_.recordKey(port)));
    node_ports_.markFree(port);
  }
  // Only a pool address this Service holds: a status written by someone else names no record.
  for (const auto& ip_text : h.lb_ips) {
    auto ip = model::IpAddress::parse(ip_text);
    if (!ip || !poolFor(*ip) || takenByOther(poolFor(*ip)->recordKey(*ip), ownerOf(svc))) continue;
    plan.ops.push_back(store::TxnOp::del(poolFor(*ip)->recordKey(*ip)));
    poolFor(*ip)->markFree(*ip);
  }
  return plan;
}

}  // namespace ferry::controlplane
