// Services' Maglev tables in the fast path's ferry_maglev map of maps (ebpf/bpf/lib/maps.h):
// one BPF array of FERRY_MAGLEV_SIZE backend ids per service, created the first time a service
// needs one and afterwards rewritten only where a slot changed (a backend joining or leaving
// moves ~1/N of the slots, which is the point of Maglev). The tables come from
// model::buildMaglev, so every node writes the same table for the same backends.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ferry/model/maglev.h"

namespace ferry::ebpf {

class MaglevTables {
 public:
  // `outer_fd`: the ferry_maglev map (LbMapFds::maglev), owned by the caller.
  explicit MaglevTables(int outer_fd) : outer_fd_(outer_fd) {}
  ~MaglevTables();
  MaglevTables(const MaglevTables&) = delete;
  MaglevTables& operator=(const MaglevTables&) = delete;

  // Makes `svc_id`'s table `table` (FERRY_MAGLEV_SIZE slots of backend ids). False (and
  // `error`) when the kernel refused; the service then keeps its previous table or none (the
  // datapath balances it at random meanwhile).
  bool set(uint32_t svc_id, const model::MaglevTable& table, std::string& error);
  // Removes `svc_id`'s table from the map, also one this object did not write (an earlier
  // agent's, adopted from pinned maps).
  void remove(uint32_t svc_id);

  size_t size() const { return written_.size(); }

 private:
  struct Written {
    int fd = -1;
    std::vector<uint32_t> slots;
  };
  int outer_fd_;
  std::map<uint32_t, Written> written_;
};

}  // namespace ferry::ebpf
