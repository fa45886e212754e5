// Value: accessors, JSON round trips and the checkpoint codec.
#include "steadfast/value.h"

#include <gtest/gtest.h>

#include "steadfast/value_codec.h"

namespace steadfast {
namespace {

TEST(ValueTest, TypesAndAccessors) {
  EXPECT_TRUE(Value().is_null());
  EXPECT_TRUE(Value(true).AsBool());
  EXPECT_EQ(Value(42).AsInt(), 42);
  EXPECT_EQ(Value(int64_t{1} << 40).AsInt(), int64_t{1} << 40);
  EXPECT_DOUBLE_EQ(Value(7).AsDouble(), 7.0);
  EXPECT_EQ(Value("x").AsString(), "x");
  Value m;
  m["a"]["b"] = 3;
  EXPECT_EQ(m.Get("a").Get("b").IntOr(0), 3);
  EXPECT_EQ(m.Get("missing").Get("b").IntOr(-1), -1);
  EXPECT_EQ(m.Find("missing"), nullptr);
}

TEST(ValueTest, JsonRoundTrip) {
  auto v = Value::FromJson(R"({"amount":{"minor":12345,"currency":"EUR"},"ok":true,"ratio":0.5,"tags":["a",null]})");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_TRUE(v->Get("amount").Get("minor").is_int());
  EXPECT_EQ(v->Get("amount").Get("minor").AsInt(), 12345);
  EXPECT_TRUE(v->Get("ratio").is_double());
  auto again = Value::FromJson(v->ToJson());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *v);
}

TEST(ValueTest, BadJsonIsAnError) {
  auto v = Value::FromJson("{\"a\":");
  EXPECT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), StatusCode::kInvalidArgument);
}

TEST(ValueTest, CodecRoundTrip) {
  Value v = Value::Map{{"n", Value()}, {"b", false}, {"i", -5}, {"d", 2.25}, {"s", "text"},
                       {"l", Value::List{1, "two", Value::Map{{"x", 1}}}}};
  auto decoded = DecodeValue(EncodeValue(v));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, v);
}

TEST(ValueTest, CodecRejectsGarbage) {
  std::string blob = EncodeValue(Value::Map{{"key", Value::List{1, 2, 3}}});
  for (size_t cut = 0; cut < blob.size(); ++cut) {
    auto r = DecodeValue(std::string_view(blob).substr(0, cut));
    EXPECT_FALSE(r.ok()) << "prefix of length " << cut << " decoded";
  }
  std::string garbled = blob;
  garbled[0] = '\x7f';  // no such type byte
  EXPECT_FALSE(DecodeValue(garbled).ok());
}

}  // namespace
}  // namespace steadfast
