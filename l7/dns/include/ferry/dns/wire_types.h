// DNS wire constants (RFC 1035 §4.1, RFC 6891 for EDNS0, RFC 3596 for AAAA, RFC 2782 for SRV).
#pragma once

#include <cstddef>
#include <cstdint>

namespace ferry::dns {

// RFC 1035 §2.3.4: 63 octets per label, 255 octets per name in wire form.
inline constexpr size_t kMaxLabelLength = 63;
inline constexpr size_t kMaxNameLength = 255;
inline constexpr size_t kHeaderSize = 12;
// RFC 1035 §4.2.1: the UDP payload limit when the client sent no EDNS0 OPT record.
inline constexpr size_t kClassicUdpPayload = 512;
// Largest message that fits the 2-byte TCP length prefix (RFC 1035 §4.2.2).
inline constexpr size_t kMaxMessageSize = 65535;

namespace rrtype {
inline constexpr uint16_t kA = 1;
inline constexpr uint16_t kNs = 2;
inline constexpr uint16_t kCname = 5;
inline constexpr uint16_t kSoa = 6;
inline constexpr uint16_t kPtr = 12;
inline constexpr uint16_t kTxt = 16;
inline constexpr uint16_t kAaaa = 28;
inline constexpr uint16_t kSrv = 33;
inline constexpr uint16_t kOpt = 41;
inline constexpr uint16_t kIxfr = 251;
inline constexpr uint16_t kAxfr = 252;
inline constexpr uint16_t kAny = 255;
}  // namespace rrtype

namespace rrclass {
inline constexpr uint16_t kIn = 1;
inline constexpr uint16_t kAny = 255;
}  // namespace rrclass

enum class Rcode : uint16_t {
  kNoError = 0,
  kFormErr = 1,
  kServFail = 2,
  kNxDomain = 3,
  kNotImp = 4,
  kRefused = 5,
  // Extended (RFC 6891 §6.1.3): the upper 8 bits travel in the OPT record's TTL field.
  kBadVers = 16,
};

inline constexpr uint8_t kOpcodeQuery = 0;

// Header flag bits in the second 16-bit word.
namespace flag {
inline constexpr uint16_t kQr = 0x8000;
inline constexpr uint16_t kAa = 0x0400;
inline constexpr uint16_t kTc = 0x0200;
inline constexpr uint16_t kRd = 0x0100;
inline constexpr uint16_t kRa = 0x0080;
inline constexpr uint16_t kCd = 0x0010;
}  // namespace flag

// RFC 6891 §6.1.4: the DO bit in the OPT record's TTL field.
inline constexpr uint32_t kEdnsDoBit = 0x8000;

const char* rrTypeName(uint16_t type);  // "A", "SRV", ... or "other"
const char* rcodeName(Rcode rcode);     // "NOERROR", "NXDOMAIN", ...

}  // namespace ferry::dns
