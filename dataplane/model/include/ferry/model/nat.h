// The NAT rewrite of the reference model: DNAT to a backend, reverse NAT of replies, SNAT to a
// node address. One call of the shared C implementation (ferry/abi/packet.h), which updates
// the IPv4 header and L4 checksums incrementally (RFC 1624).
#pragma once

#include <cstdint>
#include <span>

#include "ferry/model/packet_view.h"

namespace ferry::model {

enum class NatSide : uint8_t { kSource = FERRY_NAT_SRC, kDestination = FERRY_NAT_DST };

// Rewrites `frame` in place; `parsed` must come from parsePacket() of the same bytes and is
// updated to the new tuple. Returns FERRY_DROP_NONE or FERRY_DROP_NAT_FAILED (family
// mismatch, truncated frame).
int natRewrite(std::span<uint8_t> frame, ParsedPacket& parsed, NatSide side,
               const IpAddress& address, uint16_t port);

}  // namespace ferry::model
