// An immutable snapshot of everything the server answers: the cluster zone and the reverse
// zones, as a table from lower-case wire name to records. Built by ZoneIndex, read by any number
// of query threads without locking (the snapshot never changes once published).
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ferry/dns/record.h"

namespace ferry::dns {

// How `a-b-c-d.<ns>.pod.<zone>` is answered.
enum class PodMode {
  kDisabled,  // NXDOMAIN for every pod name
  // CoreDNS "pods insecure" (the kubeadm default): the address is read back from the name,
  // for any namespace, without consulting Pod objects.
  kInsecure,
  // CoreDNS "pods verified": only an IP that a known Pod in that namespace holds.
  kVerified,
};

struct ZoneConfig {
  std::string origin = "cluster.local";
  uint32_t ttl = 5;
  // SOA MINIMUM: how long resolvers cache NXDOMAIN/NODATA (RFC 2308 §5).
  uint32_t negative_ttl = 5;
  PodMode pods = PodMode::kInsecure;
  // Reverse zones answered with PTRs for ClusterIPs and headless endpoint IPs.
  std::vector<std::string> reverse_zones = {"in-addr.arpa", "ip6.arpa"};
};

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

using NameTable = std::unordered_map<std::string, std::vector<Record>, StringHash, std::equal_to<>>;

enum class LookupKind {
  kNotOurs,   // outside every zone we serve
  kNxDomain,  // in a zone, the name does not exist
  kNoData,    // the name exists (perhaps as an empty non-terminal) without that type
  kAnswer,    // `records` holds the matching records (all types for ANY)
  kCname,     // `records` holds the name's CNAME; the query asked for another type
};

struct Lookup {
  LookupKind kind = LookupKind::kNotOurs;
  const Record* soa = nullptr;  // of the enclosing zone, for negative answers
  std::string_view apex;        // wire name of the enclosing zone
  // Whole record set of the name; the responder writes those of the asked type.
  std::span<const Record> records;
};

class Zone {
 public:
  struct Apex {
    std::string name;  // lower-case wire form
    Record soa;
  };

  Zone(ZoneConfig config, bool synced, uint32_t serial, std::vector<Apex> apexes, NameTable names);

  bool synced() const { return synced_; }
  uint32_t serial() const { return serial_; }
  const ZoneConfig& config() const { return config_; }
  size_t nameCount() const { return names_.size(); }

  // `lower` is the lower-case wire name. `scratch` holds a record synthesised for the query
  // (insecure pod names) and must outlive the result.
  Lookup lookup(std::string_view lower, uint16_t qtype, Record& scratch) const;

  // The records owned by a name, for additional-section processing; empty if none.
  std::span<const Record> recordsAt(std::string_view lower) const;

 private:
  const Apex* enclosingApex(std::string_view lower) const;
  bool synthesizePod(std::string_view lower, std::string_view apex, Record& scratch) const;

  ZoneConfig config_;
  bool synced_;
  uint32_t serial_;
  std::vector<Apex> apexes_;
  std::string pod_suffix_;  // wire ".pod.<zone>" minus the leading labels: "\3pod" + origin
  NameTable names_;
};

}  // namespace ferry::dns
