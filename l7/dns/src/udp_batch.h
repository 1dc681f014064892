// Batched UDP I/O for one worker: up to kSlots datagrams read with one recvmmsg() and their
// answers written with one sendmmsg(), each slot owning a query buffer, an answer buffer and
// the peer's address. Two system calls per batch instead of two per query is most of what a
// cluster-zone answer costs once the lookup itself takes well under a microsecond.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace ferry::dns {

class UdpBatch {
 public:
  static constexpr size_t kSlots = 32;

  UdpBatch();

  // Query buffer of a slot (kMaxMessageSize bytes) and its answer buffer (same size).
  std::span<uint8_t> query(size_t slot) { return {slot_bytes(in_, slot), kSlotBytes}; }
  std::span<uint8_t> answer(size_t slot) { return {slot_bytes(out_, slot), kSlotBytes}; }
  const sockaddr* peer(size_t slot) const {
    return reinterpret_cast<const sockaddr*>(&peers_[slot]);
  }
  socklen_t peerLength(size_t slot) const { return in_msgs_[slot].msg_hdr.msg_namelen; }
  size_t querySize(size_t slot) const { return in_msgs_[slot].msg_len; }

  // Slot `slot` holds a datagram that arrived another way (the first one of a batch, read by
  // the event loop): its size and sender.
  void setReceived(size_t slot, size_t size, const sockaddr* peer, socklen_t peer_length);

  // Reads up to kSlots - first datagrams into slots first.. without blocking; returns how many
  // (0 when none are queued or on error).
  size_t receive(int fd, size_t first);

  // Queues slot's answer[0, size) for the next send().
  void queueAnswer(size_t slot, size_t size);
  // Sends every queued answer (sendmmsg, retried for a partial send); returns how many could
  // not be sent (a full socket buffer: the client retries). Clears the queue.
  size_t send(int fd);

 private:
  static constexpr size_t kSlotBytes = 65535;
  static uint8_t* slot_bytes(std::vector<uint8_t>& v, size_t slot) {
    return v.data() + slot * kSlotBytes;
  }

  std::vector<uint8_t> in_;
  std::vector<uint8_t> out_;
  std::array<sockaddr_storage, kSlots> peers_{};
  std::array<iovec, kSlots> in_iov_{};
  std::array<mmsghdr, kSlots> in_msgs_{};
  std::array<iovec, kSlots> out_iov_{};
  std::array<mmsghdr, kSlots> out_msgs_{};
  size_t queued_ = 0;
};

}  // namespace ferry::dns
