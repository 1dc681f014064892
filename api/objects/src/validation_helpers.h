// Checks several kinds share (pkg/apis/core/validation helpers), each appending kube's
// FieldErrors to `errs`.
#pragma once

#include <string>
#include <string_view>

#include "ferry/api/field_error.h"
#include "ferry/api/object_meta_validation.h"
#include "json_fields.h"

namespace ferry::api::detail {

// ValidateObjectMeta, plus ValidateObjectMetaUpdate when `old` is set.
FieldErrors validateMeta(const json& obj, const json* old, const ObjectMetaRules& rules);

void validateDns1123Label(FieldErrors& errs, const std::string& path, const std::string& value);
void validateDns1123Subdomain(FieldErrors& errs, const std::string& path, const std::string& value);
void validateQualifiedName(FieldErrors& errs, const std::string& path, const std::string& value);
// IsValidIP; false when invalid.
bool validateIp(FieldErrors& errs, const std::string& path, const std::string& value);
// IsValidIP then ValidateNonSpecialIP (no unspecified, loopback, link-local addresses).
void validateEndpointIp(FieldErrors& errs, const std::string& path, const std::string& value);
void validateNonSpecialIp(FieldErrors& errs, const std::string& path, const std::string& value);
void validateCidr(FieldErrors& errs, const std::string& path, const std::string& value);
// ValidatePortNumOrName for an IntOrString held in `f[key]`.
void validatePortNumOrName(FieldErrors& errs, const Fields& f, std::string_view key);
// TCP | UDP | SCTP, required.
void validateProtocol(FieldErrors& errs, const Fields& f, std::string_view key);
// IsFullyQualifiedDomainName.
void validateFqdn(FieldErrors& errs, const std::string& path, const std::string& value);
// Invalid for each message.
void invalidEach(FieldErrors& errs, const std::string& path, const std::string& value,
                 const std::vector<std::string>& msgs);
// ValidateImmutableField on a JSON member; absent and "" are equal, as Go zero values.
void validateImmutable(FieldErrors& errs, const Fields& now, const Fields& before,
                       std::string_view key);

}  // namespace ferry::api::detail
