#include "ferry/runtime/config_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

namespace ferry::runtime {
namespace {

std::string writeTemp(const std::string& text) {
  char path[] = "/tmp/ferry-config-XXXXXX";
  int fd = mkstemp(path);
  EXPECT_GE(fd, 0);
  close(fd);
  std::ofstream(path) << text;
  return path;
}

TEST(ConfigFile, MappingBecomesFlags) {
  auto path = writeTemp("secure-port: 7443\nverbose: true\ndns-name:\n  - a.example\n  - b.example\n");
  auto args = configFileArgs(path);
  std::remove(path.c_str());
  ASSERT_TRUE(args.ok()) << args.error();
  EXPECT_EQ(*args, (std::vector<std::string>{"--secure-port=7443", "--verbose=true", "--dns-name=a.example",
                                             "--dns-name=b.example"}));
}

TEST(ConfigFile, CommandLineComesAfterTheFile) {
  auto path = writeTemp("secure-port: 7443\n");
  std::string a0 = "ferry", a1 = "--config", a2 = path, a3 = "--secure-port=9443";
  char* argv[] = {a0.data(), a1.data(), a2.data(), a3.data()};
  auto args = argsWithConfigFile(4, argv);
  std::remove(path.c_str());
  ASSERT_TRUE(args.ok());
  EXPECT_EQ(*args, (std::vector<std::string>{"ferry", "--secure-port=7443", "--config", path, "--secure-port=9443"}));
}

TEST(ConfigFile, RejectsWhatIsNotAFlatMapping) {
  for (const char* text : {"- a\n- b\n", "nested:\n  key: value\n", "config: other.yaml\n", "a: [b, {c: d}]\n"}) {
    auto path = writeTemp(text);
    EXPECT_FALSE(configFileArgs(path).ok()) << text;
    std::remove(path.c_str());
  }
  EXPECT_FALSE(configFileArgs("/nonexistent/ferry.yaml").ok());
}

}  // namespace
}  // namespace ferry::runtime
