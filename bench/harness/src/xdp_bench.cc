#include "xdp_bench.h"

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <numeric>
#include <stdexcept>
#include <system_error>
#include <vector>

#include "ferry/abi/lb.h"
#include "ferry/bpf/bench_xdp_pass.skel.h"
#include "ferry/ebpf/lb_xdp.h"

namespace ferry::bench {
namespace {

using Clock = std::chrono::steady_clock;
using Bytes = std::vector<uint8_t>;

// Capacities stay the same at every scale so the curve shows the cost of the population, not
// of differently sized hash tables. 100k services with 2 backends each fit.
constexpr ebpf::LbMapSizes kSizes = {.services = 131072,
                                     .slots = 262144,
                                     .backends = 262144,
                                     .rev_nat = 131072,
                                     .affinity = 1024,
                                     .conntrack = 262144};
constexpr uint32_t kVipBase = 0x0A600001;         // 10.96.0.1: service i is 10.96.0.1 + i
constexpr uint32_t kBackendBase = 0x0A800000;     // 10.128.0.0: backend id b is 10.128.0.0 + b
constexpr uint32_t kClientBase = 0xAC100000;      // 172.16.0.0: measured clients
constexpr uint32_t kWarmClientBase = 0xAC300000;  // 172.48.0.0: warm-up clients
constexpr uint16_t kServicePort = 80;
constexpr uint16_t kBackendPort = 8080;

constexpr uint8_t kTcpSyn = 0x02;
constexpr uint8_t kTcpAck = 0x10;

// RFC 1071 one's-complement sum over `data`, added to `sum`.
uint32_t sum16(const uint8_t* data, std::size_t n, uint32_t sum) {
  for (std::size_t i = 0; i + 1 < n; i += 2)
    sum += static_cast<uint32_t>(data[i] << 8 | data[i + 1]);
  if (n & 1) sum += static_cast<uint32_t>(data[n - 1] << 8);
  return sum;
}

uint16_t fold(uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum & 0xffff);
}

void put16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}

void put32(uint8_t* p, uint32_t v) {
  put16(p, static_cast<uint16_t>(v >> 16));
  put16(p + 2, static_cast<uint16_t>(v));
}

// Ethernet + IPv4 (20 bytes, DF, TTL 64) + TCP (20 bytes, no options, no payload), with full
// header and TCP checksums. (test/support's PacketBuilder is not visible from bench/: the
// test tree is configured after this one.)
Bytes tcpv4Frame(uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport, uint8_t flags) {
  Bytes f(14 + 20 + 20, 0);
  const uint8_t macs[12] = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1};
  std::memcpy(f.data(), macs, sizeof macs);
  put16(&f[12], 0x0800);
  uint8_t* ip = &f[14];
  ip[0] = 0x45;
  put16(ip + 2, 40);
  put16(ip + 6, 0x4000);
  ip[8] = 64;
  ip[9] = IPPROTO_TCP;
  put32(ip + 12, src);
  put32(ip + 16, dst);
  put16(ip + 10, fold(sum16(ip, 20, 0)));
  uint8_t* tcp = ip + 20;
  put16(tcp, sport);
  put16(tcp + 2, dport);
  put32(tcp + 4, 1000);                       // seq
  put32(tcp + 8, (flags & kTcpAck) ? 1 : 0);  // ack
  tcp[12] = 5 << 4;
  tcp[13] = flags;
  put16(tcp + 14, 65535);
  uint32_t pseudo = sum16(ip + 12, 8, 0) + IPPROTO_TCP + 20;
  put16(tcp + 16, fold(sum16(tcp, 20, pseudo)));
  return f;
}

ferry_addr abiAddr(uint32_t host_order) {
  ferry_addr a{};
  ferry_addr_set_v4(&a, htonl(host_order));
  return a;
}

std::string errnoText() {
  return std::error_code(errno, std::generic_category()).message();
}

// A stride coprime with n, so (i * stride) % n walks every service before repeating and
// consecutive packets hit services far apart in the table.
uint32_t strideFor(uint32_t n) {
  for (uint32_t s : {7919u, 7907u, 7901u, 104729u})
    if (std::gcd(s, n) == 1) return s;
  return 1;
}

struct Flow {
  uint32_t client;
  uint16_t sport;
  uint32_t service;
};

// Which services packets go to: `active` of the `services`, spaced evenly; packet i goes to
// active service (i * stride) % active.
struct Targets {
  uint32_t services;
  uint32_t active;
  uint32_t stride;

  uint32_t service(uint64_t i) const {
    auto j = static_cast<uint32_t>((i * stride) % active);
    return static_cast<uint32_t>(static_cast<uint64_t>(j) * services / active);
  }
};

Flow flowFor(uint64_t i, uint32_t client_base, const Targets& t) {
  return Flow{client_base + static_cast<uint32_t>(i / 60000),
              static_cast<uint16_t>(1024 + i % 60000), t.service(i)};
}

Bytes packetFor(const Flow& f, uint8_t flags) {
  return tcpv4Frame(f.client, kVipBase + f.service, f.sport, kServicePort, flags);
}

void populate(const ebpf::LbXdp& lb, uint32_t services, uint32_t per_service) {
  const ebpf::LbMapFds& m = lb.maps();
  uint32_t next_backend = 1;
  for (uint32_t s = 0; s < services; ++s) {
    const uint32_t svc_id = s + 1;
    for (uint32_t slot = 1; slot <= per_service; ++slot) {
      uint32_t id = next_backend++;
      ferry_lb_backend be{};
      be.addr = abiAddr(kBackendBase + id);
      be.port = htons(kBackendPort);
      be.proto = IPPROTO_TCP;
      if (bpf_map_update_elem(m.backends, &id, &be, BPF_ANY) != 0)
        throw std::runtime_error("backends map update: " + errnoText());
      ferry_lb_slot_key sk{svc_id, slot};
      if (bpf_map_update_elem(m.slots, &sk, &id, BPF_ANY) != 0)
        throw std::runtime_error("slots map update: " + errnoText());
    }
    // rev_nat ids are 16 bits in the ABI; the reply path they serve is not measured here.
    const uint32_t rev_nat_id = s % 0xffff + 1;
    ferry_lb_rev_nat rn{};
    rn.addr = abiAddr(kVipBase + s);
    rn.port = htons(kServicePort);
    if (bpf_map_update_elem(m.rev_nat, &rev_nat_id, &rn, BPF_ANY) != 0)
      throw std::runtime_error("rev_nat map update: " + errnoText());
    ferry_lb_svc_key key{};
    key.addr = abiAddr(kVipBase + s);
    key.port = htons(kServicePort);
    key.proto = IPPROTO_TCP;
    key.scope = FERRY_SCOPE_EXTERNAL;
    ferry_lb_svc_value value{};
    value.svc_id = svc_id;
    value.backend_count = static_cast<uint16_t>(per_service);
    value.rev_nat_id = static_cast<uint16_t>(rev_nat_id);
    value.algorithm = FERRY_LB_ROUND_ROBIN;  // ferry's default
    if (bpf_map_update_elem(m.services, &key, &value, BPF_ANY) != 0)
      throw std::runtime_error("services map update: " + errnoText());
  }
}

struct Runner {
  int prog_fd;
  uint32_t expected_verdict;
  uint32_t repeat = 1;
  Bytes out = Bytes(2048);
  uint64_t mismatches = 0;
  uint32_t last_bad_verdict = 0;

  // One BPF_PROG_TEST_RUN of `pkt`; returns the kernel-reported duration (ns, per repetition).
  uint32_t run(const Bytes& pkt) {
    LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt.data(), .data_out = out.data(),
                .data_size_in = static_cast<__u32>(pkt.size()),
                .data_size_out = static_cast<__u32>(out.size()),
                .repeat = static_cast<int>(repeat));
    if (bpf_prog_test_run_opts(prog_fd, &opts) != 0)
      throw std::runtime_error("BPF_PROG_TEST_RUN: " + errnoText());
    if (opts.retval != expected_verdict) {
      ++mismatches;
      last_bad_verdict = opts.retval;
    }
    return opts.duration;
  }
};

struct PassDeleter {
  void operator()(bench_xdp_pass* s) const { bench_xdp_pass__destroy(s); }
};

}  // namespace

nlohmann::json runXdp(const XdpOptions& o) {
  if (o.repeat == 0 || (o.repeat > 1 && o.system == XdpSystem::kFerry))
    throw std::runtime_error("--repeat > 1 only with --system direct (lb_xdp rewrites the packet)");
  if (o.services == 0 || o.services > kSizes.services)
    throw std::runtime_error("services out of range");
  if (static_cast<uint64_t>(o.services) * o.backends_per_service > kSizes.backends)
    throw std::runtime_error("too many backends for the fixed map capacity");
  // Every flow keeps its conntrack entry: warm-up and measured flows together must fit, or LRU
  // eviction would turn into part of what is measured.
  const uint64_t flows_total = o.flow_case == FlowCase::kNewFlow
                                   ? o.packets + std::max<uint64_t>(o.services, 10000)
                                   : o.flows;
  if (flows_total > kSizes.conntrack) {
    throw std::runtime_error("flows exceed the conntrack capacity (" +
                             std::to_string(kSizes.conntrack) + ")");
  }

  const auto t_setup = Clock::now();
  std::unique_ptr<ebpf::LbXdp> lb;
  std::unique_ptr<bench_xdp_pass, PassDeleter> pass;
  Runner runner{};
  if (o.system == XdpSystem::kFerry) {
    ebpf::LbXdpOptions lo;
    lo.sizes = kSizes;
    std::string error;
    lb = ebpf::LbXdp::load(lo, error);
    if (!lb) throw std::runtime_error("loading lb_xdp: " + error);
    populate(*lb, o.services, o.backends_per_service);
    runner.prog_fd = lb->programFd();
    runner.expected_verdict = XDP_TX;
  } else {
    pass.reset(bench_xdp_pass__open_and_load());
    if (!pass) throw std::runtime_error("loading bench_xdp_pass: " + errnoText());
    runner.prog_fd = bpf_program__fd(pass->progs.bench_xdp_pass);
    runner.expected_verdict = XDP_PASS;
  }
  runner.repeat = o.repeat;
  const double setup_s = std::chrono::duration<double>(Clock::now() - t_setup).count();

  // Packets are built before anything is timed. Both systems get byte-identical input.
  const uint32_t active =
      o.active_services == 0 ? o.services : std::min(o.active_services, o.services);
  const Targets targets{o.services, active, strideFor(active)};
  std::vector<Bytes> measured;
  std::vector<Bytes> warm;
  if (o.flow_case == FlowCase::kNewFlow) {
    // Warm-up: at least one SYN to every active service (from clients the measured packets
    // never use), so per-service state the datapath creates on a service's first packet (the
    // round-robin counter) exists before measuring: steady state, not first contact.
    const uint64_t n_warm = std::max<uint64_t>(
        active, std::min<uint64_t>(10000, std::max<uint64_t>(1000, o.packets / 10)));
    for (uint64_t i = 0; i < n_warm; ++i)
      warm.push_back(packetFor(flowFor(i, kWarmClientBase, targets), kTcpSyn));
    measured.reserve(o.packets);
    for (uint64_t i = 0; i < o.packets; ++i)
      measured.push_back(packetFor(flowFor(i, kClientBase, targets), kTcpSyn));
  } else {
    const uint32_t flows = std::max<uint32_t>(1, o.flows);
    // The SYNs open the flows (and warm up); the measured packets are their ACKs.
    for (uint32_t f = 0; f < flows; ++f)
      warm.push_back(packetFor(flowFor(f, kClientBase, targets), kTcpSyn));
    std::vector<Bytes> acks;
    for (uint32_t f = 0; f < flows; ++f)
      acks.push_back(packetFor(flowFor(f, kClientBase, targets), kTcpAck));
    measured.reserve(o.packets);
    for (uint64_t i = 0; i < o.packets; ++i) measured.push_back(acks[i % flows]);
  }

  for (const Bytes& p : warm) runner.run(p);
  const uint64_t warm_mismatches = runner.mismatches;
  runner.mismatches = 0;

  std::vector<uint32_t> durations;
  durations.reserve(measured.size());
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::duration_cast<Clock::duration>(
                                    std::chrono::duration<double>(o.max_seconds));
  bool timed_out = false;
  for (std::size_t i = 0; i < measured.size(); ++i) {
    if ((i & 1023) == 0 && Clock::now() >= deadline) {
      timed_out = true;
      break;
    }
    durations.push_back(runner.run(measured[i]));
  }
  const double wall_s = std::chrono::duration<double>(Clock::now() - start).count();
  if (durations.empty()) throw std::runtime_error("no packet was run");

  const double sum = std::accumulate(durations.begin(), durations.end(), 0.0);
  std::vector<uint32_t> sorted = durations;
  std::sort(sorted.begin(), sorted.end());

  nlohmann::json out;
  out["tool"] = "xdp";
  out["system"] = o.system == XdpSystem::kFerry ? "ferry" : "direct";
  out["case"] = o.flow_case == FlowCase::kNewFlow ? "new_flow" : "established";
  out["services"] = o.services;
  out["active_services"] = active;
  out["warm_packets"] = warm.size();
  out["backends_per_service"] = o.backends_per_service;
  out["packets"] = durations.size();
  out["repeat"] = o.repeat;
  out["packet_bytes"] = measured.front().size();
  out["timed_out"] = timed_out;
  out["setup_s"] = setup_s;
  out["wall_s"] = wall_s;
  out["ns_per_pkt_mean"] = sum / static_cast<double>(durations.size());
  out["ns_per_pkt_p50"] = sorted[sorted.size() / 2];
  out["ns_per_pkt_p99"] = sorted[std::min(sorted.size() - 1, sorted.size() * 99 / 100)];
  out["wall_ns_per_call"] = wall_s * 1e9 / static_cast<double>(durations.size());
  out["verdict_mismatches"] = runner.mismatches;
  out["warm_verdict_mismatches"] = warm_mismatches;
  out["last_bad_verdict"] = runner.last_bad_verdict;
  if (lb) {
    std::string error;
    if (auto drops = lb->dropCounters(error)) {
      uint64_t total = 0;
      for (uint64_t d : *drops) total += d;
      out["drops"] = total;
    }
  }
  return out;
}

}  // namespace ferry::bench
