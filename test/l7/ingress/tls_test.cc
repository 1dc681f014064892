// SNI -> certificate from kubernetes.io/tls Secrets referenced by spec.tls.
#include <gtest/gtest.h>

#include <string>

#include "ferry/ingress/tls_table.h"
#include "ingress_fixtures.h"

namespace ferry::ingress {
namespace {

using testing::backendPort;
using testing::Harness;
using testing::httpPath;
using testing::ingressObject;
using testing::Json;
using testing::rule;
using testing::secretObject;

const char* kCertA = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
const char* kKeyA = "-----BEGIN PRIVATE KEY-----\naaaa\n-----END PRIVATE KEY-----\n";
const char* kCertB = "-----BEGIN CERTIFICATE-----\nBBBB\n-----END CERTIFICATE-----\n";
const char* kKeyB = "-----BEGIN PRIVATE KEY-----\nbbbb\n-----END PRIVATE KEY-----\n";

Json tlsIngress(const std::string& ns, const std::string& name, Json tls,
                const std::string& created = testing::kT0) {
  return ingressObject(
      ns, name,
      {{"rules", {rule("foo.com", {httpPath("/", "Prefix", backendPort("svc", 80))})}},
       {"tls", std::move(tls)}},
      created);
}

Json entry(std::vector<std::string> hosts, const std::string& secret) {
  Json e = {{"secretName", secret}};
  if (!hosts.empty()) e["hosts"] = hosts;
  return e;
}

TEST(Tls, ExactHostGetsTheDecodedCertificate) {
  Harness h;
  ASSERT_TRUE(
      h.apply("Secret", secretObject("ns", "foo-tls", "kubernetes.io/tls", kCertA, kKeyA)).ok());
  ASSERT_TRUE(h.apply("Ingress", tlsIngress("ns", "i", {entry({"foo.com"}, "foo-tls")})).ok());
  auto config = h.build();
  const TlsCertificate* cert = config->tls().find("foo.com");
  ASSERT_NE(cert, nullptr);
  EXPECT_EQ(cert->cert_pem, kCertA);
  EXPECT_EQ(cert->key_pem, kKeyA);
  EXPECT_EQ(cert->secret_ns, "ns");
  EXPECT_EQ(cert->secret_name, "foo-tls");
  EXPECT_EQ(cert->content_hash, tlsContentHash(kCertA, kKeyA));
  EXPECT_EQ(config->tls().find("FOO.COM"), cert) << "SNI is case-insensitive";
  EXPECT_EQ(config->tls().find("bar.com"), nullptr);
  EXPECT_EQ(config->tls().defaultCertificate(), nullptr);
  EXPECT_EQ(config->tls().certificates().size(), 1u);
}

TEST(Tls, WildcardMatchesOneLabel) {
  Harness h;
  ASSERT_TRUE(
      h.apply("Secret", secretObject("ns", "wild", "kubernetes.io/tls", kCertA, kKeyA)).ok());
  ASSERT_TRUE(
      h.apply("Secret", secretObject("ns", "exact", "kubernetes.io/tls", kCertB, kKeyB)).ok());
  ASSERT_TRUE(h.apply("Ingress",
                      tlsIngress("ns", "i",
                                 {entry({"*.foo.com"}, "wild"), entry({"api.foo.com"}, "exact")}))
                  .ok());
  auto config = h.build();
  const TlsTable& tls = config->tls();
  ASSERT_NE(tls.find("www.foo.com"), nullptr);
  EXPECT_EQ(tls.find("www.foo.com")->secret_name, "wild");
  EXPECT_EQ(tls.find("api.foo.com")->secret_name, "exact") << "exact before wildcard";
  EXPECT_EQ(tls.find("foo.com"), nullptr) << "the apex is not covered";
  EXPECT_EQ(tls.find("a.b.foo.com"), nullptr) << "two labels are not covered";
  EXPECT_EQ(tls.byName().size(), 2u);
  EXPECT_EQ(tls.certificates().size(), 2u);
}

TEST(Tls, NonTlsSecretIsIgnored) {
  Harness h;
  auto applied = h.apply("Secret", secretObject("ns", "foo-tls", "Opaque", kCertA, kKeyA));
  ASSERT_TRUE(applied.ok()) << applied.error();
  EXPECT_FALSE(*applied) << "not ours to hold";
  ASSERT_TRUE(h.apply("Ingress", tlsIngress("ns", "i", {entry({"foo.com"}, "foo-tls")})).ok());
  auto config = h.build();
  EXPECT_EQ(config->tls().find("foo.com"), nullptr);
  EXPECT_TRUE(config->tls().certificates().empty());
  bool warned = false;
  for (const std::string& w : config->warnings()) {
    warned = warned || w.find("TLS secret ns/foo-tls not found") != std::string::npos;
  }
  EXPECT_TRUE(warned);
  EXPECT_TRUE(h.builder().errors().empty()) << "an Opaque Secret is not an error";
}

TEST(Tls, SecretTurningOpaqueIsDropped) {
  Harness h;
  ASSERT_TRUE(h.apply("Secret", secretObject("ns", "s", "kubernetes.io/tls", kCertA, kKeyA)).ok());
  ASSERT_TRUE(h.apply("Ingress", tlsIngress("ns", "i", {entry({"foo.com"}, "s")})).ok());
  ASSERT_NE(h.build()->tls().find("foo.com"), nullptr);
  ASSERT_TRUE(h.apply("Secret", secretObject("ns", "s", "Opaque", kCertA, kKeyA)).ok());
  EXPECT_EQ(h.build()->tls().find("foo.com"), nullptr);
}

TEST(Tls, SecretMustBeInTheIngressNamespace) {
  Harness h;
  ASSERT_TRUE(
      h.apply("Secret", secretObject("other", "s", "kubernetes.io/tls", kCertA, kKeyA)).ok());
  ASSERT_TRUE(h.apply("Ingress", tlsIngress("ns", "i", {entry({"foo.com"}, "s")})).ok());
  EXPECT_EQ(h.build()->tls().find("foo.com"), nullptr);
}

TEST(Tls, UnreferencedSecretsAndForeignIngressesAreNotServed) {
  Harness h;
  ASSERT_TRUE(h.apply("Secret", secretObject("ns", "s", "kubernetes.io/tls", kCertA, kKeyA)).ok());
  Json foreign = tlsIngress("ns", "theirs", {entry({"foo.com"}, "s")});
  foreign["spec"]["ingressClassName"] = "nginx";
  ASSERT_TRUE(h.apply("Ingress", foreign).ok());
  auto config = h.build();
  EXPECT_TRUE(config->tls().certificates().empty());
  EXPECT_EQ(config->tls().find("foo.com"), nullptr);
}

TEST(Tls, EntryWithoutHostsIsTheDefaultCertificate) {
  Harness h;
  ASSERT_TRUE(
      h.apply("Secret", secretObject("ns", "dflt", "kubernetes.io/tls", kCertA, kKeyA)).ok());
  ASSERT_TRUE(
      h.apply("Secret", secretObject("ns", "foo", "kubernetes.io/tls", kCertB, kKeyB)).ok());
  ASSERT_TRUE(
      h.apply("Ingress", tlsIngress("ns", "i", {entry({}, "dflt"), entry({"foo.com"}, "foo")}))
          .ok());
  auto config = h.build();
  ASSERT_NE(config->tls().defaultCertificate(), nullptr);
  EXPECT_EQ(config->tls().defaultCertificate()->secret_name, "dflt");
  EXPECT_EQ(config->tls().find("unknown.org")->secret_name, "dflt");
  EXPECT_EQ(config->tls().find("")->secret_name, "dflt") << "no SNI";
  EXPECT_EQ(config->tls().find("foo.com")->secret_name, "foo");
}

TEST(Tls, SniConflictGoesToTheOldestIngress) {
  Harness h;
  ASSERT_TRUE(h.apply("Secret", secretObject("ns", "a", "kubernetes.io/tls", kCertA, kKeyA)).ok());
  ASSERT_TRUE(h.apply("Secret", secretObject("ns", "b", "kubernetes.io/tls", kCertB, kKeyB)).ok());
  ASSERT_TRUE(
      h.apply("Ingress", tlsIngress("ns", "new", {entry({"foo.com"}, "b")}, "2024-06-01T00:00:00Z"))
          .ok());
  ASSERT_TRUE(
      h.apply("Ingress", tlsIngress("ns", "old", {entry({"foo.com"}, "a")}, "2024-01-01T00:00:00Z"))
          .ok());
  auto config = h.build();
  EXPECT_EQ(config->tls().find("foo.com")->secret_name, "a");
}

TEST(Tls, OnlyChangedCertificatesAreNewObjects) {
  Harness h;
  ASSERT_TRUE(h.apply("Secret", secretObject("ns", "a", "kubernetes.io/tls", kCertA, kKeyA)).ok());
  ASSERT_TRUE(h.apply("Secret", secretObject("ns", "b", "kubernetes.io/tls", kCertB, kKeyB)).ok());
  ASSERT_TRUE(
      h.apply("Ingress", tlsIngress("ns", "i", {entry({"a.com"}, "a"), entry({"b.com"}, "b")}))
          .ok());
  auto first = h.build();
  auto a1 = first->tls().findShared("a.com");
  auto b1 = first->tls().findShared("b.com");
  ASSERT_TRUE(a1 && b1);
  // Rotate b's certificate.
  ASSERT_TRUE(h.apply("Secret", secretObject("ns", "b", "kubernetes.io/tls", kCertA, kKeyB)).ok());
  auto second = h.build();
  EXPECT_EQ(second->tls().findShared("a.com"), a1) << "unchanged: the same object";
  auto b2 = second->tls().findShared("b.com");
  ASSERT_NE(b2, nullptr);
  EXPECT_NE(b2, b1);
  EXPECT_NE(b2->content_hash, b1->content_hash);
  EXPECT_EQ(b2->cert_pem, kCertA);
  EXPECT_EQ(b1->cert_pem, kCertB) << "the old config's certificate is untouched";
}

TEST(Tls, ContentHashSeparatesCertFromKey) {
  EXPECT_NE(tlsContentHash("ab", "c"), tlsContentHash("a", "bc"));
  EXPECT_EQ(tlsContentHash("x", "y"), tlsContentHash("x", "y"));
}

TEST(Tls, MalformedTlsSecretsAreRejectedWithAReason) {
  Harness h;
  Json bad = secretObject("ns", "s", "kubernetes.io/tls", kCertA, kKeyA);
  bad["data"]["tls.crt"] = "not base64!";
  auto r = h.apply("Secret", bad);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("data[tls.crt]: Invalid value: illegal base64 data at input byte"),
            std::string::npos)
      << r.error();
  Json missing = secretObject("ns", "t", "kubernetes.io/tls", kCertA, kKeyA);
  missing["data"].erase("tls.key");
  r = h.apply("Secret", missing);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("Secret ns/t: data[tls.key]: Required value"), std::string::npos)
      << r.error();
  EXPECT_EQ(h.builder().errors().size(), 2u);
  EXPECT_TRUE(h.builder().remove("Secret", "ns", "t"));
  EXPECT_EQ(h.builder().errors().size(), 1u);
}

}  // namespace
}  // namespace ferry::ingress
