#include "program_bench.h"

#include <chrono>
#include <stdexcept>
#include <string>

#include "ferry/ebpf/lb_projector.h"
#include "ferry/ebpf/sock_lb.h"
#include "ferry/model/snapshot.h"

namespace ferry::bench {
namespace {

using Clock = std::chrono::steady_clock;

// Service i: ClusterIP 10.96.0.0 + i + 1, port 80/TCP; its endpoints 10.244.x.y:8080, the
// same addressing the Python side writes into the iptables and nftables rule sets.
model::Service service(uint32_t i, uint32_t endpoints, uint32_t salt) {
  model::Service s;
  s.name = {"bench", "svc-" + std::to_string(i), "http"};
  s.protocol = model::Protocol::kTcp;
  s.frontends.push_back({model::IpAddress::v4((10u << 24 | 96u << 16) + i + 1), 80,
                         model::FrontendKind::kClusterIp, model::Scope::kInternal});
  for (uint32_t e = 0; e < endpoints; ++e) {
    const uint32_t n = i * endpoints + e + salt;
    s.backends.push_back({model::IpAddress::v4((10u << 24 | 244u << 16) + n % (1u << 16)), 8080,
                          model::BackendState::kReady, "node-" + std::to_string(n % 8), "", 1});
  }
  return s;
}

}  // namespace

nlohmann::json runProgram(const ProgramOptions& o) {
  ebpf::SockLbOptions so;
  so.sizes.services = std::max<uint32_t>(1024, o.services * 2);
  so.sizes.slots = std::max<uint32_t>(4096, o.services * o.endpoints_per_service * 2);
  so.sizes.backends = std::max<uint32_t>(
      4096, std::min<uint32_t>(o.services * o.endpoints_per_service * 2, 1u << 20));
  so.sizes.rev_nat = std::max<uint32_t>(1024, o.services * 2);
  std::string error;
  auto lb = ebpf::SockLb::load(so, error);  // loaded, not attached: programming is what is timed
  if (!lb) throw std::runtime_error("load sock_lb: " + error);
  ebpf::ProjectorOptions po;
  po.sizes = so.sizes;
  ebpf::LbProjector projector(lb->maps(), po);

  const auto build0 = Clock::now();
  model::SnapshotBuilder builder;
  for (uint32_t i = 0; i < o.services; ++i) builder.upsert(service(i, o.endpoints_per_service, 0));
  auto first = builder.build(1);
  const double build_s = std::chrono::duration<double>(Clock::now() - build0).count();

  const auto t0 = Clock::now();
  auto full = projector.apply(*first, error);
  const double full_s = std::chrono::duration<double>(Clock::now() - t0).count();
  if (!full) throw std::runtime_error("program: " + error);
  if (full->skipped)
    throw std::runtime_error(std::to_string(full->skipped) + " entries did not fit");

  // One Service's endpoints replaced: what a pod rollout step costs.
  model::SnapshotBuilder next(*first);
  next.upsert(service(o.services / 2, o.endpoints_per_service, 7919));
  auto second = next.build(2);
  const auto t1 = Clock::now();
  auto inc = projector.apply(*second, error);
  const double inc_s = std::chrono::duration<double>(Clock::now() - t1).count();
  if (!inc) throw std::runtime_error("reprogram: " + error);

  return {{"services", o.services},
          {"endpoints", static_cast<uint64_t>(o.services) * o.endpoints_per_service},
          {"snapshot_build_seconds", build_s},
          {"full_seconds", full_s},
          {"full_map_writes", full->writes},
          {"incremental_seconds", inc_s},
          {"incremental_map_writes", inc->writes},
          {"incremental_map_deletes", inc->deletes}};
}

}  // namespace ferry::bench
