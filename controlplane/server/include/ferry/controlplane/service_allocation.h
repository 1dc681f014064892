// What kube-apiserver's Service REST storage does beyond validation: allocate ClusterIPs,
// NodePorts and healthCheckNodePorts, check user-chosen ones, and release them on delete or
// when an update stops using them. With a LoadBalancer IP pool configured it also does what a
// bare-metal LB controller (MetalLB, Cilium LB-IPAM) does: give each LoadBalancer Service
// without a loadBalancerClass an address from the pool in status.loadBalancer.ingress, so it
// does not stay <pending> forever. Runs after defaulting and validation, inside the storage
// retry loop, and returns the allocation records to commit atomically with the Service.
#pragma once

#include <string>

#include "ferry/controlplane/allocators.h"
#include "ferry/controlplane/object_storage.h"

namespace ferry::controlplane {

class ServiceAllocation {
 public:
  ServiceAllocation(store::Store& store, IpAllocator& v4, IpAllocator* v6, PortAllocator& node_ports)
      : store_(store), v4_(v4), v6_(v6), node_ports_(node_ports) {}

  // Optional pools (either may be null) for LoadBalancer ingress IPs.
  void setLoadBalancerPools(IpAllocator* v4, IpAllocator* v6) {
    lb_v4_ = v4;
    lb_v6_ = v6;
  }

  ApiResult<WritePlan> allocate(json& svc, const json* old);
  WritePlan release(const json& svc);

 private:
  struct Held {
    std::vector<std::string> ips;
    std::vector<uint16_t> ports;
    std::vector<std::string> lb_ips;  // status.loadBalancer.ingress[].ip
  };
  static Held held(const json& svc);
  IpAllocator* allocatorFor(const model::IpAddress& ip);
  IpAllocator* poolFor(const model::IpAddress& ip);
  // Sets or clears status.loadBalancer.ingress; adds the record writes to `plan`.
  void allocateLoadBalancerIp(json& svc, const Held& before, WritePlan& plan, api::FieldErrors& errors);
  // Whether a record exists and belongs to someone other than `owner`.
  bool takenByOther(const std::string& key, const std::string& owner);

  store::Store& store_;
  IpAllocator& v4_;
  IpAllocator* v6_;
  PortAllocator& node_ports_;
  IpAllocator* lb_v4_ = nullptr;
  IpAllocator* lb_v6_ = nullptr;
};

}  // namespace ferry::controlplane
