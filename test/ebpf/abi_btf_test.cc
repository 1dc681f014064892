// The BPF object's view of the shared ABI structs (its BTF, as clang -target bpf laid them out)
// must equal the C++ compiler's, member by member: the structs in ferry/abi/{tuple,lb,ct}.h are
// the one definition both sides use, and this test is what makes "one definition" true on both
// compilers. Needs no privileges: it only reads the .o file.
//
// Adding a field to a struct fails EveryBtfMemberHasARow until kAbiMembers gets its row; adding a
// struct fails EveryAbiStructHasRows until it gets rows.
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <gtest/gtest.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "ferry/abi/ct.h"
#include "ferry/abi/lb.h"
#include "ferry/abi/tuple.h"
#include "ferry/bpf/lb_xdp.object.h"

namespace {

struct AbiMember {
  const char* strukt;
  std::size_t struct_size;
  const char* member;
  std::size_t offset;
  std::size_t size;
};

// clang-format off
#define FERRY_ABI_MEMBER(S, M) AbiMember{#S, sizeof(S), #M, offsetof(S, M), sizeof(S::M)}
// clang-format on

// Every member of every struct in ferry/abi/{tuple,lb,ct}.h. Members of an anonymous union are
// listed as members of the enclosing struct (as C names them); the union's own place is checked
// through them.
const AbiMember kAbiMembers[] = {
    // tuple.h
    FERRY_ABI_MEMBER(ferry_addr, b),
    FERRY_ABI_MEMBER(ferry_addr, w),
    FERRY_ABI_MEMBER(ferry_tuple, saddr),
    FERRY_ABI_MEMBER(ferry_tuple, daddr),
    FERRY_ABI_MEMBER(ferry_tuple, sport),
    FERRY_ABI_MEMBER(ferry_tuple, dport),
    FERRY_ABI_MEMBER(ferry_tuple, proto),
    FERRY_ABI_MEMBER(ferry_tuple, family),
    FERRY_ABI_MEMBER(ferry_tuple, pad),
    // lb.h
    FERRY_ABI_MEMBER(ferry_lb_svc_key, addr),
    FERRY_ABI_MEMBER(ferry_lb_svc_key, port),
    FERRY_ABI_MEMBER(ferry_lb_svc_key, proto),
    FERRY_ABI_MEMBER(ferry_lb_svc_key, scope),
    FERRY_ABI_MEMBER(ferry_lb_svc_value, svc_id),
    FERRY_ABI_MEMBER(ferry_lb_svc_value, backend_count),
    FERRY_ABI_MEMBER(ferry_lb_svc_value, rev_nat_id),
    FERRY_ABI_MEMBER(ferry_lb_svc_value, algorithm),
    FERRY_ABI_MEMBER(ferry_lb_svc_value, flags),
    FERRY_ABI_MEMBER(ferry_lb_svc_value, maglev_id),
    FERRY_ABI_MEMBER(ferry_lb_svc_value, affinity_timeout_s),
    FERRY_ABI_MEMBER(ferry_lb_slot_key, svc_id),
    FERRY_ABI_MEMBER(ferry_lb_slot_key, slot),
    FERRY_ABI_MEMBER(ferry_lb_backend, addr),
    FERRY_ABI_MEMBER(ferry_lb_backend, port),
    FERRY_ABI_MEMBER(ferry_lb_backend, proto),
    FERRY_ABI_MEMBER(ferry_lb_backend, flags),
    FERRY_ABI_MEMBER(ferry_lb_rev_nat, addr),
    FERRY_ABI_MEMBER(ferry_lb_rev_nat, port),
    FERRY_ABI_MEMBER(ferry_lb_rev_nat, pad),
    FERRY_ABI_MEMBER(ferry_lb_affinity_key, client),
    FERRY_ABI_MEMBER(ferry_lb_affinity_key, svc_id),
    FERRY_ABI_MEMBER(ferry_lb_affinity_key, pad),
    FERRY_ABI_MEMBER(ferry_lb_affinity_value, last_used_ns),
    FERRY_ABI_MEMBER(ferry_lb_affinity_value, backend_id),
    FERRY_ABI_MEMBER(ferry_lb_affinity_value, pad),
    // ct.h
    FERRY_ABI_MEMBER(ferry_ct_key, tuple),
    FERRY_ABI_MEMBER(ferry_ct_key, dir),
    FERRY_ABI_MEMBER(ferry_ct_key, pad),
    FERRY_ABI_MEMBER(ferry_ct_entry, expires_ns),
    FERRY_ABI_MEMBER(ferry_ct_entry, packets),
    FERRY_ABI_MEMBER(ferry_ct_entry, bytes),
    FERRY_ABI_MEMBER(ferry_ct_entry, svc_id),
    FERRY_ABI_MEMBER(ferry_ct_entry, backend_id),
    FERRY_ABI_MEMBER(ferry_ct_entry, rev_nat_id),
    FERRY_ABI_MEMBER(ferry_ct_entry, state),
    FERRY_ABI_MEMBER(ferry_ct_entry, flags),
    FERRY_ABI_MEMBER(ferry_ct_entry, pad),
    FERRY_ABI_MEMBER(ferry_ct_timeouts, tcp_syn_s),
    FERRY_ABI_MEMBER(ferry_ct_timeouts, tcp_established_s),
    FERRY_ABI_MEMBER(ferry_ct_timeouts, tcp_fin_wait_s),
    FERRY_ABI_MEMBER(ferry_ct_timeouts, tcp_closing_s),
    FERRY_ABI_MEMBER(ferry_ct_timeouts, unreplied_s),
    FERRY_ABI_MEMBER(ferry_ct_timeouts, replied_s),
};

const char* const kAbiHeaders[] = {"tuple.h", "lb.h", "ct.h"};

// A struct member as BTF describes it, anonymous unions/structs flattened into their parent.
struct BtfMember {
  std::size_t offset = 0;
  std::size_t size = 0;
};

class AbiBtfTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    btf_ = btf__parse(FERRY_BPF_OBJECT_LB_XDP, nullptr);
    if (btf_ == nullptr) parse_error_ = std::strerror(errno);
  }
  static void TearDownTestSuite() {
    btf__free(btf_);
    btf_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(btf_, nullptr) << "btf__parse(" << FERRY_BPF_OBJECT_LB_XDP << "): " << parse_error_;
  }

  static const btf_type* findStruct(const std::string& name) {
    int id = btf__find_by_name_kind(btf_, name.c_str(), BTF_KIND_STRUCT);
    return id > 0 ? btf__type_by_id(btf_, static_cast<__u32>(id)) : nullptr;
  }

  // Members by name, with byte offsets from the start of the outermost struct.
  static void collectMembers(const btf_type* t, std::size_t base,
                             std::map<std::string, BtfMember>& out) {
    const btf_member* m = btf_members(t);
    for (__u16 i = 0; i < btf_vlen(t); ++i, ++m) {
      __u32 bit_offset = btf_member_bit_offset(t, i);
      EXPECT_EQ(bit_offset % 8, 0U) << "bit-field in an ABI struct";
      EXPECT_EQ(btf_member_bitfield_size(t, i), 0U) << "bit-field in an ABI struct";
      std::size_t offset = base + bit_offset / 8;
      std::string name = btf__name_by_offset(btf_, m->name_off);
      if (name.empty()) {
        const btf_type* inner = btf__type_by_id(btf_, m->type);
        ASSERT_TRUE(inner != nullptr && btf_is_composite(inner)) << "unnamed non-union member";
        collectMembers(inner, offset, out);
        continue;
      }
      __s64 size = btf__resolve_size(btf_, m->type);
      ASSERT_GE(size, 0) << name;
      out[name] = BtfMember{offset, static_cast<std::size_t>(size)};
    }
  }

  static std::map<std::string, BtfMember> membersOf(const btf_type* t) {
    std::map<std::string, BtfMember> out;
    collectMembers(t, 0, out);
    return out;
  }

  static inline btf* btf_ = nullptr;
  static inline std::string parse_error_;
};

TEST_F(AbiBtfTest, StructSizesMatch) {
  std::set<std::string> seen;
  for (const AbiMember& row : kAbiMembers) {
    if (!seen.insert(row.strukt).second) continue;
    const btf_type* t = findStruct(row.strukt);
    ASSERT_NE(t, nullptr) << "struct " << row.strukt << " is not in the BPF object's BTF";
    EXPECT_EQ(t->size, row.struct_size) << "sizeof(struct " << row.strukt << ")";
  }
}

TEST_F(AbiBtfTest, MemberOffsetsAndSizesMatch) {
  for (const AbiMember& row : kAbiMembers) {
    const btf_type* t = findStruct(row.strukt);
    ASSERT_NE(t, nullptr) << row.strukt;
    auto members = membersOf(t);
    auto it = members.find(row.member);
    ASSERT_NE(it, members.end()) << row.strukt << "." << row.member << " is not in the BTF";
    EXPECT_EQ(it->second.offset, row.offset)
        << "offsetof(" << row.strukt << ", " << row.member << ")";
    EXPECT_EQ(it->second.size, row.size) << "sizeof(" << row.strukt << "::" << row.member << ")";
  }
}

TEST_F(AbiBtfTest, EveryBtfMemberHasARow) {
  std::map<std::string, std::set<std::string>> rows;
  for (const AbiMember& row : kAbiMembers) rows[row.strukt].insert(row.member);
  for (const auto& [strukt, names] : rows) {
    const btf_type* t = findStruct(strukt);
    ASSERT_NE(t, nullptr) << strukt;
    for (const auto& [name, member] : membersOf(t)) {
      EXPECT_TRUE(names.count(name) == 1)
          << strukt << "." << name << " has no row in kAbiMembers: add FERRY_ABI_MEMBER(" << strukt
          << ", " << name << ")";
    }
  }
}

TEST_F(AbiBtfTest, AddressUnionSitsAtZero) {
  const btf_type* t = findStruct("ferry_addr");
  ASSERT_NE(t, nullptr);
  ASSERT_EQ(btf_vlen(t), 1U);
  const btf_member* m = btf_members(t);
  EXPECT_STREQ(btf__name_by_offset(btf_, m->name_off), "");
  EXPECT_EQ(btf_member_bit_offset(t, 0), 0U);
  const btf_type* u = btf__type_by_id(btf_, m->type);
  ASSERT_NE(u, nullptr);
  EXPECT_TRUE(btf_is_union(u));
  EXPECT_EQ(u->size, sizeof(ferry_addr));
  EXPECT_EQ(t->size, sizeof(ferry_addr));
}

// Every `struct name {` defined in the covered headers has rows in kAbiMembers.
TEST_F(AbiBtfTest, EveryAbiStructHasRows) {
  std::set<std::string> covered;
  for (const AbiMember& row : kAbiMembers) covered.insert(row.strukt);
  const std::regex definition(R"(^struct\s+(\w+)\s*\{)");
  std::size_t found = 0;
  for (const char* header : kAbiHeaders) {
    std::string path = std::string(FERRY_ABI_DIR) + "/" + header;
    std::ifstream in(path);
    ASSERT_TRUE(in) << "cannot read " << path;
    std::string line;
    while (std::getline(in, line)) {
      std::smatch m;
      if (!std::regex_search(line, m, definition)) continue;
      ++found;
      EXPECT_TRUE(covered.count(m[1].str()) == 1)
          << "struct " << m[1] << " (" << header << ") has no rows in kAbiMembers";
    }
  }
  EXPECT_EQ(found, covered.size()) << "kAbiMembers names a struct the headers do not define";
}

}  // namespace
