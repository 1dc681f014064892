// C++ face of the shared packet parser (ferry/abi/packet.h): the reference model parses with
// the very function the BPF programs and the DPDK engine run.
#pragma once

#include <cstdint>
#include <span>

#include "ferry/abi/packet.h"
#include "ferry/model/address.h"

namespace ferry::model {

enum class ParseStatus : uint8_t { kOk, kNotOurs, kDrop };

struct ParsedPacket {
  ParseStatus status = ParseStatus::kNotOurs;
  int drop_reason = FERRY_DROP_NONE;  // when status == kDrop
  ferry_pkt pkt{};

  IpAddress source() const { return IpAddress(pkt.tuple.saddr); }
  IpAddress destination() const { return IpAddress(pkt.tuple.daddr); }
  uint16_t sourcePort() const { return ferry_ntohs(pkt.tuple.sport); }
  uint16_t destinationPort() const { return ferry_ntohs(pkt.tuple.dport); }
  uint8_t protocol() const { return pkt.tuple.proto; }
};

ParsedPacket parsePacket(std::span<const uint8_t> frame);

}  // namespace ferry::model
