// The one YAML -> JSON conversion: documents in order, YAML 1.1 plain scalars typed, quoted
// ones kept as strings, and a clear error for text that is not YAML.
#include "ferry/runtime/yaml_json.h"

#include <gtest/gtest.h>

namespace ferry::runtime {
namespace {

using nlohmann::json;

TEST(YamlDocuments, ConvertsEveryDocumentWithTypedScalars) {
  auto docs = yamlDocuments("a: 1\nb: true\nc: ~\nd: \"2\"\ne: [x, 2.5]\n---\nkind: Service\n");
  ASSERT_TRUE(docs.ok()) << docs.error();
  ASSERT_EQ(docs->size(), 2u);
  EXPECT_EQ((*docs)[0], json::parse(R"({"a":1,"b":true,"c":null,"d":"2","e":["x",2.5]})"));
  EXPECT_EQ((*docs)[1], json({{"kind", "Service"}}));
}

TEST(YamlDocuments, JsonIsYamlAndEmptyTextHasNoDocuments) {
  auto docs = yamlDocuments(R"({"spec": {"ports": [{"port": 80}]}})");
  ASSERT_TRUE(docs.ok());
  EXPECT_EQ(docs->at(0)["spec"]["ports"][0]["port"], 80);
  auto empty = yamlDocuments("");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST(YamlDocuments, MalformedTextIsAnError) {
  auto bad = yamlDocuments("a: [1, 2\nb: }");
  EXPECT_FALSE(bad.ok());
}

}  // namespace
}  // namespace ferry::runtime
