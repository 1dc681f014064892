#include "udp_batch.h"

#include <cerrno>
#include <cstring>

namespace ferry::dns {

UdpBatch::UdpBatch() : in_(kSlots * kSlotBytes), out_(kSlots * kSlotBytes) {}

void UdpBatch::setReceived(size_t slot, size_t size, const sockaddr* peer, socklen_t peer_length) {
  std::memcpy(&peers_[slot], peer, std::min<size_t>(peer_length, sizeof(sockaddr_storage)));
  in_msgs_[slot].msg_hdr.msg_namelen = peer_length;
  in_msgs_[slot].msg_len = static_cast<unsigned>(size);
}

size_t UdpBatch::receive(int fd, size_t first) {
  if (first >= kSlots) return 0;
  for (size_t i = first; i < kSlots; ++i) {
    in_iov_[i] = {slot_bytes(in_, i), kSlotBytes};
    msghdr& h = in_msgs_[i].msg_hdr;
    h = {};
    h.msg_name = &peers_[i];
    h.msg_namelen = sizeof(sockaddr_storage);
    h.msg_iov = &in_iov_[i];
    h.msg_iovlen = 1;
    in_msgs_[i].msg_len = 0;
  }
  const int n =
      recvmmsg(fd, &in_msgs_[first], static_cast<unsigned>(kSlots - first), MSG_DONTWAIT, nullptr);
  return n > 0 ? static_cast<size_t>(n) : 0;
}

void UdpBatch::queueAnswer(size_t slot, size_t size) {
  out_iov_[queued_] = {slot_bytes(out_, slot), size};
  msghdr& h = out_msgs_[queued_].msg_hdr;
  h = {};
  h.msg_name = &peers_[slot];
  h.msg_namelen = in_msgs_[slot].msg_hdr.msg_namelen;
  h.msg_iov = &out_iov_[queued_];
  h.msg_iovlen = 1;
  ++queued_;
}

size_t UdpBatch::send(int fd) {
  size_t sent = 0;
  size_t failed = 0;
  while (sent < queued_) {
    const int n =
        sendmmsg(fd, &out_msgs_[sent], static_cast<unsigned>(queued_ - sent), MSG_DONTWAIT);
    if (n > 0) {
      sent += static_cast<size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      // The first message of the rest failed (buffer full, peer unreachable): skip it.
      ++sent;
      ++failed;
    }
  }
  queued_ = 0;
  return failed;
}

}  // namespace ferry::dns
