// Syntax of names, keys and label values, as k8s.io/apimachinery/pkg/util/validation and
// pkg/api/validation/path define them. Each check returns kube's own message strings (empty =
// valid) so callers wrap them into FieldErrors exactly as kube-apiserver does.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ferry::api {

using NameMessages = std::vector<std::string>;

inline constexpr size_t kDns1123LabelMaxLength = 63;
inline constexpr size_t kDns1123SubdomainMaxLength = 253;
inline constexpr size_t kDns1035LabelMaxLength = 63;
inline constexpr size_t kQualifiedNameMaxLength = 63;
inline constexpr size_t kLabelValueMaxLength = 63;
// ObjectMeta.annotations: keys plus values, in bytes (TotalAnnotationSizeLimitB).
inline constexpr size_t kTotalAnnotationSizeLimit = size_t{256} * 1024;

// "must be no more than 63 characters"
std::string maxLenError(size_t length);
// "<msg> (e.g. 'a',  or 'b', regex used for validation is '<fmt>')" — RegexError, double space
// and all.
std::string regexError(std::string_view msg, std::string_view fmt,
                       const std::vector<std::string_view>& examples);

// RFC 1123 label: [a-z0-9]([-a-z0-9]*[a-z0-9])?, at most 63 characters.
NameMessages isDns1123Label(std::string_view value);
// RFC 1123 subdomain: dot-separated labels, at most 253 characters.
NameMessages isDns1123Subdomain(std::string_view value);
// RFC 1035 label: [a-z]([-a-z0-9]*[a-z0-9])?, at most 63 characters (Service names).
NameMessages isDns1035Label(std::string_view value);
// "*." followed by an RFC 1123 subdomain (Ingress hosts, TLS hosts).
NameMessages isWildcardDns1123Subdomain(std::string_view value);
// [prefix/]name: prefix an RFC 1123 subdomain, name ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]
// of at most 63 characters (label keys, annotation keys, finalizers, appProtocol).
NameMessages isQualifiedName(std::string_view value);
// Empty, or a qualified-name part of at most 63 characters.
NameMessages isValidLabelValue(std::string_view value);
// IANA_SVC_NAME (container port names, Ingress backend port names): at most 15 characters of
// [-a-z0-9], at least one letter, no leading/trailing/double hyphen.
NameMessages isValidPortName(std::string_view value);
// 1..65535.
NameMessages isValidPortNum(int64_t port);
// ConfigMap and Secret data keys: [-._a-zA-Z0-9]+, at most 253, not ".", "..", "..*".
NameMessages isConfigMapKey(std::string_view value);
// A name usable as one URL path segment: not "." or "..", no "/" or "%".
NameMessages isValidPathSegmentName(std::string_view value);

// ValidateNameFunc: `prefix` is true when validating metadata.generateName, whose value gets a
// random suffix appended, so a trailing '-' is tolerated (maskTrailingDash).
using NameValidator = NameMessages (*)(std::string_view name, bool prefix);
NameMessages nameIsDnsSubdomain(std::string_view name, bool prefix);
NameMessages nameIsDnsLabel(std::string_view name, bool prefix);
NameMessages nameIsDns1035Label(std::string_view name, bool prefix);
NameMessages nameIsPathSegment(std::string_view name, bool prefix);

}  // namespace ferry::api
