#include "ferry/api/names.h"

#include <gtest/gtest.h>

namespace ferry::api {
namespace {

constexpr const char* kLabelMsg =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
    "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used "
    "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
constexpr const char* kSubdomainMsg =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
    "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
constexpr const char* kDns1035Msg =
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
    "alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or "
    "'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

TEST(Names, Dns1123Label) {
  for (const char* ok : {"a", "0", "web", "web-1", "1-web", "a-b-c"}) {
    EXPECT_TRUE(isDns1123Label(ok).empty()) << ok;
  }
  EXPECT_TRUE(isDns1123Label(std::string(63, 'a')).empty());
  EXPECT_EQ(isDns1123Label(std::string(64, 'a')),
            NameMessages{"must be no more than 63 characters"});
  for (const char* bad : {"", "-a", "a-", "A", "a_b", "a b", "ä"}) {
    EXPECT_EQ(isDns1123Label(bad), NameMessages{kLabelMsg}) << bad;
  }
  EXPECT_EQ(isDns1123Label("a.b"), NameMessages{"must not contain dots"});
}

TEST(Names, Dns1123Subdomain) {
  for (const char* ok : {"a", "example.com", "a-b.c-d.e", "0.0"}) {
    EXPECT_TRUE(isDns1123Subdomain(ok).empty()) << ok;
  }
  for (const char* bad : {"", ".a", "a.", "a..b", "A.com", "a_b.com", "-a.com", "a-.com"}) {
    EXPECT_EQ(isDns1123Subdomain(bad), NameMessages{kSubdomainMsg}) << bad;
  }
  std::string long_name;
  while (long_name.size() < 254) long_name += "abcdefgh.";
  long_name = long_name.substr(0, 254);
  if (long_name.back() == '.') long_name.back() = 'x';
  EXPECT_EQ(isDns1123Subdomain(long_name).front(), "must be no more than 253 characters");
}

TEST(Names, Dns1035Label) {
  for (const char* ok : {"a", "web", "web-1", "a0"}) EXPECT_TRUE(isDns1035Label(ok).empty()) << ok;
  for (const char* bad : {"", "1web", "-a", "a-", "Web", "a.b"}) {
    EXPECT_EQ(isDns1035Label(bad), NameMessages{kDns1035Msg}) << bad;
  }
  EXPECT_EQ(isDns1035Label(std::string(64, 'a')).size(), 1U);
}

TEST(Names, WildcardSubdomain) {
  EXPECT_TRUE(isWildcardDns1123Subdomain("*.example.com").empty());
  for (const char* bad : {"*", "*.", "**.a.com", "a.*.com", "*a.com", "*.A.com"}) {
    EXPECT_EQ(isWildcardDns1123Subdomain(bad).size(), 1U) << bad;
  }
  EXPECT_EQ(isWildcardDns1123Subdomain("foo.*.com")
                .front()
                .find("a wildcard DNS-1123 subdomain must start with '*.'"),
            0U);
}

TEST(Names, QualifiedName) {
  for (const char* ok : {"app", "App.Name_1", "example.com/app", "a/b", "k8s.io/x-y.z"}) {
    EXPECT_TRUE(isQualifiedName(ok).empty()) << ok;
  }
  const std::string part =
      "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and "
      "end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex "
      "used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
  EXPECT_EQ(isQualifiedName("-a"), NameMessages{part});
  EXPECT_EQ(isQualifiedName(""), (NameMessages{"name part must be non-empty", part}));
  EXPECT_EQ(isQualifiedName("/a"), NameMessages{"prefix part must be non-empty"});
  EXPECT_EQ(isQualifiedName("Example.com/a").front().substr(0, 12), "prefix part ");
  EXPECT_EQ(isQualifiedName(std::string(64, 'a')),
            NameMessages{"name part must be no more than 63 characters"});
  auto many = isQualifiedName("a/b/c");
  ASSERT_EQ(many.size(), 1U);
  EXPECT_EQ(many.front(),
            "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must "
            "start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or "
            "'123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') "
            "with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
}

TEST(Names, LabelValue) {
  for (const char* ok : {"", "a", "A.b-c_d", "123"})
    EXPECT_TRUE(isValidLabelValue(ok).empty()) << ok;
  for (const char* bad : {"-a", "a-", "a b", "a/b"}) {
    EXPECT_EQ(isValidLabelValue(bad).size(), 1U) << bad;
  }
  EXPECT_EQ(isValidLabelValue(std::string(64, 'a')),
            NameMessages{"must be no more than 63 characters"});
}

TEST(Names, PortName) {
  for (const char* ok : {"http", "h2c", "a-b", "x1"})
    EXPECT_TRUE(isValidPortName(ok).empty()) << ok;
  EXPECT_EQ(isValidPortName("1234"), NameMessages{"must contain at least one letter (a-z)"});
  EXPECT_EQ(isValidPortName("a--b"), NameMessages{"must not contain consecutive hyphens"});
  EXPECT_EQ(isValidPortName("-ab"), NameMessages{"must not begin or end with a hyphen"});
  EXPECT_EQ(isValidPortName("HTTP"),
            (NameMessages{"must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)",
                          "must contain at least one letter (a-z)"}));
  EXPECT_EQ(isValidPortName("abcdefghijklmnop"),
            NameMessages{"must be no more than 15 characters"});
}

TEST(Names, PortNumber) {
  EXPECT_TRUE(isValidPortNum(1).empty());
  EXPECT_TRUE(isValidPortNum(65535).empty());
  for (int64_t bad : {0, -1, 65536}) {
    EXPECT_EQ(isValidPortNum(bad), NameMessages{"must be between 1 and 65535, inclusive"});
  }
}

TEST(Names, ConfigMapKey) {
  for (const char* ok : {"a", "key.name", "KEY_NAME", "key-name", ".a"}) {
    EXPECT_TRUE(isConfigMapKey(ok).empty()) << ok;
  }
  EXPECT_EQ(isConfigMapKey("."), NameMessages{"must not be '.'"});
  EXPECT_EQ(isConfigMapKey(".."), NameMessages{"must not be '..'"});
  EXPECT_EQ(isConfigMapKey("..a"), NameMessages{"must not start with '..'"});
  EXPECT_EQ(isConfigMapKey("a/b"),
            NameMessages{"a valid config key must consist of alphanumeric characters, '-', '_' or "
                         "'.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for "
                         "validation is '[-._a-zA-Z0-9]+')"});
}

TEST(Names, PathSegment) {
  EXPECT_TRUE(isValidPathSegmentName("a b:c").empty());
  EXPECT_EQ(isValidPathSegmentName(".."), NameMessages{"may not be '..'"});
  EXPECT_EQ(isValidPathSegmentName("a/%"),
            (NameMessages{"may not contain '/'", "may not contain '%'"}));
  EXPECT_TRUE(nameIsPathSegment("..", true).empty());  // a prefix may be "."/".."
}

TEST(Names, GenerateNamePrefixToleratesATrailingDash) {
  EXPECT_TRUE(nameIsDnsSubdomain("web-", true).empty());
  EXPECT_FALSE(nameIsDnsSubdomain("web-", false).empty());
  EXPECT_TRUE(nameIsDns1035Label("web-", true).empty());
  EXPECT_TRUE(nameIsDnsLabel("a-", true).empty());
  // maskTrailingDash drops the character before the dash too: "a_-" validates as "aa".
  EXPECT_TRUE(nameIsDnsLabel("a_-", true).empty());
  EXPECT_FALSE(nameIsDnsLabel("-", true).empty());
}

TEST(Names, RegexErrorFormat) {
  EXPECT_EQ(regexError("m", "f", {}), "m (regex used for validation is 'f')");
  EXPECT_EQ(regexError("m", "f", {"a", "b"}),
            "m (e.g. 'a',  or 'b', regex used for validation is 'f')");
}

}  // namespace
}  // namespace ferry::api
