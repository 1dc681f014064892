// Route and certificate lookups are on the request path: they must not allocate (counted with
// a replaced global operator new, alloc_counter.h).
#include <gtest/gtest.h>

#include <new>

#include "alloc_counter.h"
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

TEST(LookupAllocations, MatchAndSniLookupDoNotAllocate) {
  Harness h;
  ASSERT_TRUE(h.apply("Secret", secretObject("ns", "s", "kubernetes.io/tls", "c", "k")).ok());
  Json paths = Json::array();
  for (int i = 0; i < 20; ++i) {
    paths.push_back(httpPath("/p" + std::to_string(i) + "/x", i % 2 ? "Exact" : "Prefix",
                             backendPort("svc", 80)));
  }
  Json spec = {{"rules", {rule("foo.com", paths), rule("*.foo.com", paths), rule("", paths)}},
               {"defaultBackend", backendPort("svc", 80)},
               {"tls", {{{"hosts", {"foo.com", "*.foo.com"}}, {"secretName", "s"}}}}};
  ASSERT_TRUE(h.apply("Ingress", ingressObject("ns", "i", spec)).ok());
  auto config = h.build();
  const RouteTable& routes = config->routes();
  const std::string long_host(4000, 'a');

  size_t hits = 0;
  testing::startCountingAllocations();
  for (const char* host : {"foo.com", "FOO.COM:8080", "bar.foo.com", "a.b.foo.com", "other.org",
                           "[::1]:80", "", "foo.com."}) {
    for (const char* path : {"/p4/x", "/p4/x/y", "/p3/x", "/p3/x?q=1", "/nothing", "/"}) {
      hits += routes.match(host, path) ? 1 : 0;
    }
    hits += config->tls().find(host) ? 1 : 0;
  }
  hits += routes.match(long_host, "/p0/x") ? 1 : 0;
  EXPECT_EQ(testing::stopCountingAllocations(), 0u);
  EXPECT_EQ(hits, 8u * 6u + 4u + 1u) << "every request has a route (default backend); four "
                                        "hosts have a certificate";
}

TEST(LookupAllocations, TheCounterWorks) {
  testing::startCountingAllocations();
  void* p = ::operator new(64);  // a direct call: not a new-expression the compiler may elide
  const size_t counted = testing::stopCountingAllocations();
  ::operator delete(p);
  EXPECT_EQ(counted, 1u);
}

}  // namespace
}  // namespace ferry::ingress
