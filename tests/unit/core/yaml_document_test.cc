// The shared YAML reader: positions of nested nodes, quoted and plain
// scalars, parse errors at their position, the depth and size limits, and
// the conversion to Value.
#include "steadfast/yaml_document.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

namespace steadfast {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

YamlNode Parse(std::string_view text) {
  Result<YamlNode> root = ParseYaml(text, "t.yaml");
  EXPECT_TRUE(root.ok()) << root.status().ToString();
  return root.ok() ? *root : YamlNode();
}

std::string Where(const YamlNode* n) { return n == nullptr ? "absent" : n->position().ToString(); }

TEST(YamlDocument, NestedNodesKnowTheirLineColumnAndOffset) {
  const std::string text =
      "top:\n"             // line 1
      "  list:\n"          // line 2
      "    - a\n"          // line 3, 'a' at column 7
      "    - { k: v }\n"   // line 4, 'v' at column 12
      "  empty:\n"         // line 5
      "other: 1\n";        // line 6
  YamlNode root = Parse(text);
  ASSERT_TRUE(root.IsMap());
  EXPECT_EQ(Where(&root), "t.yaml:1:1");
  const YamlNode* list = root.Find("top")->Find("list");
  ASSERT_NE(list, nullptr);
  ASSERT_TRUE(list->IsList());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ(Where(&list->items()[0]), "t.yaml:3:7");
  EXPECT_EQ(list->items()[0].position().offset, static_cast<int64_t>(text.find("a\n")));
  EXPECT_EQ(Where(list->items()[1].Find("k")), "t.yaml:4:12");
  // Map entries keep the position of their key too.
  EXPECT_EQ(root.entries()[1].key.position().ToString(), "t.yaml:6:1");
  EXPECT_EQ(Where(root.Find("other")), "t.yaml:6:8");
  // An empty value is null, placed by the parser at the next token.
  const YamlNode* empty = root.Find("top")->Find("empty");
  ASSERT_NE(empty, nullptr);
  EXPECT_TRUE(empty->IsNull());
  EXPECT_EQ(root.Find("missing"), nullptr);
  EXPECT_EQ(list->Find("a"), nullptr);  // not a mapping
}

TEST(YamlDocument, MapEntriesStayInDocumentOrderWithRepeats) {
  YamlNode root = Parse("b: 1\na: 2\nb: 3\n");
  ASSERT_EQ(root.entries().size(), 3u);
  EXPECT_EQ(root.entries()[0].key.scalar(), "b");
  EXPECT_EQ(root.entries()[1].key.scalar(), "a");
  EXPECT_EQ(root.entries()[2].key.scalar(), "b");
  EXPECT_EQ(root.Find("b")->scalar(), "1");  // the first one
}

TEST(YamlDocument, QuotedAndBlockScalarsAreMarkedPlainOnesAreNot) {
  YamlNode root = Parse("plain: 5\nsingle: '5'\ndouble: \"a\\tb\"\nblock: |\n  line\ntagged: !!str 7\nnothing: ~\n");
  EXPECT_FALSE(root.Find("plain")->quoted());
  EXPECT_TRUE(root.Find("single")->quoted());
  EXPECT_TRUE(root.Find("double")->quoted());
  EXPECT_EQ(root.Find("double")->scalar(), "a\tb");  // decoded
  EXPECT_TRUE(root.Find("block")->quoted());
  EXPECT_EQ(root.Find("block")->scalar(), "line\n");
  EXPECT_FALSE(root.Find("tagged")->quoted());
  EXPECT_EQ(root.Find("tagged")->tag(), "tag:yaml.org,2002:str");
  EXPECT_EQ(root.Find("plain")->tag(), "");
  EXPECT_TRUE(root.Find("nothing")->IsNull());
  EXPECT_EQ(root.Find("nothing")->KindName(), "null");
}

TEST(YamlDocument, ToValueTypesOnlyPlainScalars) {
  YamlNode root = Parse(
      "int: 42\nneg: -7\nplus: +3\nquoted_int: '42'\nyes: true\nquoted_bool: \"false\"\nfloat: 1.5\n"
      "word: yes\nhex: 0x10\nhuge: 99999999999999999999\nnull_value: ~\nlist: [1, a]\nnested: {x: {y: 2}}\n");
  Result<Value> v = root.ToValue();
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->Get("int"), Value(int64_t{42}));
  EXPECT_EQ(v->Get("neg"), Value(int64_t{-7}));
  EXPECT_EQ(v->Get("plus"), Value(int64_t{3}));
  EXPECT_EQ(v->Get("quoted_int"), Value("42"));
  EXPECT_EQ(v->Get("yes"), Value(true));
  EXPECT_EQ(v->Get("quoted_bool"), Value("false"));
  EXPECT_EQ(v->Get("float"), Value("1.5"));
  EXPECT_EQ(v->Get("word"), Value("yes"));
  EXPECT_EQ(v->Get("hex"), Value("0x10"));
  EXPECT_EQ(v->Get("huge"), Value("99999999999999999999"));
  EXPECT_TRUE(v->Get("null_value").is_null());
  EXPECT_EQ(v->Get("list"), Value(Value::List{Value(int64_t{1}), Value("a")}));
  EXPECT_EQ(v->Get("nested").Get("x").Get("y"), Value(int64_t{2}));
}

TEST(YamlDocument, ToValueRefusesANonScalarKeyAtItsPosition) {
  YamlNode root = Parse("a: 1\n? [x]\n: 2\n");
  Result<Value> v = root.ToValue();
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(v.status().message(), StartsWith("t.yaml:2:3: mapping keys must be scalars"));
}

TEST(YamlDocument, TypedReadsSayWhatWasExpectedAndWhere) {
  YamlNode root = Parse("n: 12\nq: '-4'\nd: 2.5\nb: false\ns: [x]\nw: twelve\nbig: 9223372036854775808\n");
  EXPECT_EQ(*root.Find("n")->AsInt(), 12);
  EXPECT_EQ(*root.Find("q")->AsInt(), -4);  // the text decides, quoted or not
  EXPECT_EQ(*root.Find("d")->AsDouble(), 2.5);
  EXPECT_EQ(*root.Find("n")->AsDouble(), 12.0);
  EXPECT_FALSE(*root.Find("b")->AsBool());
  EXPECT_EQ(*root.Find("w")->AsString(), "twelve");
  EXPECT_EQ(root.Find("w")->AsInt().status().message(), "t.yaml:6:4: expected a whole number (got 'twelve')");
  EXPECT_EQ(root.Find("big")->AsInt().status().message(),
            "t.yaml:7:6: expected a whole number (got '9223372036854775808')");
  EXPECT_EQ(root.Find("s")->AsString().status().message(), "t.yaml:5:4: expected a string (got a list)");
  EXPECT_EQ(root.Find("d")->AsBool().status().message(), "t.yaml:3:4: expected true or false (got '2.5')");
  EXPECT_FALSE(root.Find("w")->AsDouble().ok());
}

TEST(YamlDocument, ErrorsReadFileLineColumnMessage) {
  YamlNode root = Parse("a:\n  b: c\n");
  Status s = root.Find("a")->Find("b")->Error("b is wrong");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "t.yaml:2:6: b is wrong");
  // Without a position (the root of an empty document) the file alone.
  YamlNode empty = Parse("");
  EXPECT_TRUE(empty.IsNull());
  EXPECT_FALSE(empty.position().known());
  EXPECT_EQ(empty.Error("empty").message(), "t.yaml: empty");
  EXPECT_EQ(YamlError(YamlPosition{"f.yaml", 3, 9, 20}, "m").message(), "f.yaml:3:9: m");
}

TEST(YamlDocument, SyntaxErrorsCarryTheirPosition) {
  Result<YamlNode> r = ParseYaml("a: 1\nb: [x\n", "bad.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), StartsWith("bad.yaml:3:1: "));
  EXPECT_THAT(r.status().message(), HasSubstr("end of sequence flow not found"));

  Result<YamlNode> indent = ParseYaml("a:\n  b: 1\n c: 2\n", "bad.yaml");
  ASSERT_FALSE(indent.ok());
  EXPECT_THAT(indent.status().message(), StartsWith("bad.yaml:3:"));
}

TEST(YamlDocument, RefusesASecondDocument) {
  Result<YamlNode> r = ParseYaml("a: 1\n---\nb: 2\n", "two.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), StartsWith("two.yaml:3:1: only one YAML document"));
}

// Found by the risk_rules and config fuzzers (tests/fuzz/corpus/*/regress-yaml-stray-comma*):
// yaml-cpp 0.7's LoadAll never returned on these, filling memory with empty
// documents. Now a syntax error where the parser stalled.
TEST(YamlDocument, AStrayCommaIsASyntaxErrorNotAnEndlessStream) {
  Result<YamlNode> comma = ParseYaml(",review# Refund ri_", "comma.yaml");
  ASSERT_FALSE(comma.ok());
  EXPECT_EQ(comma.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(comma.status().message().find("comma.yaml:1:1: unexpected character"), std::string::npos)
      << comma.status().ToString();
  Result<YamlNode> after = ParseYaml(" \"svc\",nul \"ros\n", "after.yaml");
  ASSERT_FALSE(after.ok());
  EXPECT_NE(after.status().message().find("after.yaml:1:7: unexpected character"), std::string::npos)
      << after.status().ToString();
  EXPECT_TRUE(ParseYaml("a: 1\n...\n", "end.yaml").ok());
}

TEST(YamlDocument, RefusesNestingDeeperThanTheLimit) {
  // Deep enough for the parser's own guard, and just over ours.
  for (int depth : {5000, kMaxYamlDepth + 1}) {
    std::string text = "a: " + std::string(depth, '[') + std::string(depth, ']') + "\n";
    Result<YamlNode> r = ParseYaml(text, "deep.yaml");
    ASSERT_FALSE(r.ok()) << depth;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(r.status().message(), StartsWith("deep.yaml:1:"));
    EXPECT_THAT(r.status().message(), HasSubstr("YAML nested too deeply"));
  }
  std::string ok = std::string(kMaxYamlDepth, '[') + std::string(kMaxYamlDepth, ']');
  EXPECT_TRUE(ParseYaml(ok, "deep.yaml").ok());
}

TEST(YamlDocument, RefusesAnAliasInsideItsOwnAnchor) {
  Result<YamlNode> r = ParseYaml("a: &x [1, *x]\n", "loop.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("YAML nested too deeply"));
}

TEST(YamlDocument, RefusesAliasesThatExpandBeyondTheNodeLimit) {
  // Each level doubles: 2^20 items from a few hundred bytes.
  std::string text = "l0: &l0 [x, x]\n";
  for (int i = 1; i <= 20; ++i) {
    text += "l" + std::to_string(i) + ": &l" + std::to_string(i) + " [*l" + std::to_string(i - 1) + ", *l" +
            std::to_string(i - 1) + "]\n";
  }
  Result<YamlNode> r = ParseYaml(text, "bomb.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("too large"));
  // A small alias is simply copied where it is used.
  YamlNode small = Parse("base: &b {x: 1}\nuse: *b\n");
  EXPECT_EQ(small.Find("use")->Find("x")->scalar(), "1");
}

TEST(YamlDocument, LoadsAFileWithItsPathInPositions) {
  std::string path = (std::filesystem::temp_directory_path() / ("yaml_document_test_" + std::to_string(getpid()) +
                                                                ".yaml"))
                         .string();
  {
    std::ofstream out(path);
    out << "a:\n  b: [1, 2]\n";
  }
  Result<YamlNode> root = LoadYamlFile(path);
  ASSERT_TRUE(root.ok()) << root.status().ToString();
  EXPECT_EQ(root->Find("a")->Find("b")->items()[1].position().ToString(), path + ":2:10");
  std::remove(path.c_str());

  Result<YamlNode> missing = LoadYamlFile(path);
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr(path));
  EXPECT_EQ(LoadYamlFile(std::filesystem::temp_directory_path().string()).status().code(), StatusCode::kNotFound);
}


// Reading the same file again may reuse the last parse, but only for the
// same bytes: an edit between two reads is always seen, errors included.
TEST(YamlDocument, ReadingAnEditedFileAgainSeesTheEdit) {
  std::string path = (std::filesystem::temp_directory_path() / ("yaml_document_edit_" + std::to_string(getpid()) +
                                                                ".yaml"))
                         .string();
  auto write = [&](const char* text) {
    std::ofstream out(path, std::ios::trunc);
    out << text;
  };
  write("a: 1\n");
  ASSERT_EQ(LoadYamlFile(path)->Find("a")->scalar(), "1");
  ASSERT_EQ(LoadYamlFile(path)->Find("a")->scalar(), "1");
  write("a: 2\n");
  EXPECT_EQ(LoadYamlFile(path)->Find("a")->scalar(), "2");
  write("a: [2\n");
  EXPECT_THAT(LoadYamlFile(path).status().message(), HasSubstr(path + ":"));
  write("a: 1\n");
  Result<YamlNode> again = LoadYamlFile(path);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->Find("a")->position().ToString(), path + ":1:4");
  std::remove(path.c_str());
}

}  // namespace
}  // namespace steadfast
