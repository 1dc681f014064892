#include "ferry/ebpf/maglev_tables.h"

#include <bpf/bpf.h>
#include <unistd.h>

#include <cerrno>

#include "ferry/abi/lb.h"
#include "lb_maps_setup.h"

namespace ferry::ebpf {

static_assert(FERRY_MAGLEV_SIZE == model::kMaglevDefaultSize,
              "the BPF tables and the model must agree on the Maglev table size");

MaglevTables::~MaglevTables() {
  for (auto& [id, w] : written_) close(w.fd);
}

bool MaglevTables::set(uint32_t svc_id, const model::MaglevTable& table, std::string& error) {
  if (table.slots.size() != FERRY_MAGLEV_SIZE) {
    error = "Maglev table of " + std::to_string(table.slots.size()) +
            " slots, the datapath's are " + std::to_string(FERRY_MAGLEV_SIZE);
    return false;
  }
  auto it = written_.find(svc_id);
  if (it == written_.end()) {
    const int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "ferry_maglev_t", sizeof(uint32_t),
                                  sizeof(uint32_t), FERRY_MAGLEV_SIZE, nullptr);
    if (fd < 0) {
      error = "creating a Maglev table: " + detail::errnoText(errno);
      return false;
    }
    Written w{fd, std::vector<uint32_t>(FERRY_MAGLEV_SIZE, 0)};
    // Filled before it is published, so the datapath never sees a half-written new table.
    for (uint32_t i = 0; i < FERRY_MAGLEV_SIZE; ++i) {
      if (table.slots[i] == 0) continue;
      if (bpf_map_update_elem(fd, &i, &table.slots[i], BPF_ANY) != 0) {
        error = "writing a Maglev table: " + detail::errnoText(errno);
        close(fd);
        return false;
      }
      w.slots[i] = table.slots[i];
    }
    if (bpf_map_update_elem(outer_fd_, &svc_id, &fd, BPF_ANY) != 0) {
      error = "publishing the Maglev table of service id " + std::to_string(svc_id) + ": " +
              detail::errnoText(errno);
      close(fd);
      return false;
    }
    written_.emplace(svc_id, std::move(w));
    return true;
  }
  // An existing table: slot by slot, only where the owner changed.
  Written& w = it->second;
  for (uint32_t i = 0; i < FERRY_MAGLEV_SIZE; ++i) {
    if (w.slots[i] == table.slots[i]) continue;
    if (bpf_map_update_elem(w.fd, &i, &table.slots[i], BPF_ANY) != 0) {
      error = "updating a Maglev table: " + detail::errnoText(errno);
      return false;
    }
    w.slots[i] = table.slots[i];
  }
  return true;
}

void MaglevTables::remove(uint32_t svc_id) {
  // Also a table an earlier agent left (not in written_).
  bpf_map_delete_elem(outer_fd_, &svc_id);
  auto it = written_.find(svc_id);
  if (it == written_.end()) return;
  close(it->second.fd);
  written_.erase(it);
}

}  // namespace ferry::ebpf
