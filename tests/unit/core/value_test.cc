// Value: accessors, JSON round trips and the checkpoint codec.
#include "steadfast/value.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>
#include <string>

#include "core/value_codec_legacy.h"
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
  auto decoded = DecodeValue(*EncodeValue(v));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, v);
}

// Every value written before store schema 13 (cereal's portable binary)
// still reads, and reads as the same value the compact encoding holds.
TEST(ValueTest, CodecReadsBothEncodings) {
  Value v = Value::Map{{"n", Value()}, {"b", true}, {"i", int64_t{-9007199254740993}}, {"d", -0.5},
                       {"s", std::string("t\0x", 3)}, {"l", Value::List{0, int64_t{1} << 62, "two"}},
                       {"max", std::numeric_limits<int64_t>::max()}, {"min", std::numeric_limits<int64_t>::min()}};
  std::string compact = *EncodeValue(v);
  std::string legacy = *EncodeValuePortableBinary(v);
  EXPECT_EQ(static_cast<uint8_t>(compact[0]), 0xC1);
  EXPECT_EQ(legacy[0], '\x01');
  EXPECT_EQ(*DecodeValue(compact), v);
  EXPECT_EQ(*DecodeValue(legacy), v);
  EXPECT_LT(compact.size() * 10, legacy.size() * 6) << compact.size() << " vs " << legacy.size();
  EXPECT_TRUE(EncodedValuesEqual(compact, legacy));
  EXPECT_TRUE(EncodedValuesEqual(legacy, legacy));
  EXPECT_FALSE(EncodedValuesEqual(compact, *EncodeValue(Value::Map{{"n", Value()}})));
  EXPECT_FALSE(EncodedValuesEqual("garbage", "other garbage"));
}

// The compact encoding's sizes: a type byte per node, varints for the rest.
TEST(ValueTest, CompactEncodingIsSmall) {
  EXPECT_EQ(EncodeValue(Value())->size(), 2u);                                  // format, type
  EXPECT_EQ(EncodeValue(Value(5))->size(), 3u);                                 // format, type, 1-byte varint
  EXPECT_EQ(EncodeValue(Value(-64))->size(), 3u);                               // zigzag keeps it one byte
  EXPECT_EQ(EncodeValue(Value(std::numeric_limits<int64_t>::min()))->size(), 12u);  // 10-byte varint
  EXPECT_EQ(EncodeValue(Value("abc"))->size(), 6u);                             // format, type, length, 3 bytes
  EXPECT_EQ(EncodeValue(Value::Map{{"k", 1}})->size(), 7u);  // format, map, count, key length, key, int, varint
}

TEST(ValueTest, CompactCodecRefusesLengthsBeyondTheBlobAndOverlongVarints) {
  for (const std::string& bad : {std::string("\xC1\x04\xff\xff\xff\xff\x0f", 7),        // string of 4 GiB
                                 std::string("\xC1\x05\x80\x80\x80\x80\x80\x80\x01", 9),  // list of 2^42
                                 std::string("\xC1\x06\x01\x7f", 4),                      // key of 127 bytes
                                 std::string("\xC1\x02\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f", 12),  // > 64 bits
                                 std::string("\xC1\x01\x02", 3),                           // bool 2
                                 std::string("\xC1\x00\x00", 3),                           // bytes after the value
                                 std::string("\xC1", 1)}) {                                 // nothing
    auto r = DecodeValue(bad);
    EXPECT_EQ(r.status().code(), StatusCode::kCorruption) << "decoded: " << ::testing::PrintToString(bad);
  }
}

TEST(ValueTest, CodecRejectsGarbage) {
  std::string blob = *EncodeValue(Value::Map{{"key", Value::List{1, 2, 3}}});
  for (size_t cut = 0; cut < blob.size(); ++cut) {
    auto r = DecodeValue(std::string_view(blob).substr(0, cut));
    EXPECT_FALSE(r.ok()) << "prefix of length " << cut << " decoded";
  }
  std::string garbled = blob;
  garbled[0] = '\x7f';  // no such type byte
  EXPECT_FALSE(DecodeValue(garbled).ok());
}

// Found by the value_codec fuzzer (tests/fuzz/corpus/value_codec/regress-string-length-*):
// a garbled string length made the decoder allocate that much before the
// short read failed (a 1 TiB claim aborts under ASan, a 1 GiB one succeeds).
TEST(ValueTest, CodecRefusesAStringLongerThanTheBlobBeforeAllocating) {
  for (int shift : {30, 40, 63}) {
    std::string blob = *EncodeValuePortableBinary(Value("abc"));  // endianness byte, type byte, u64 length, bytes
    const uint64_t claimed = uint64_t{1} << shift;
    for (int i = 0; i < 8; ++i) blob[2 + i] = static_cast<char>((claimed >> (8 * i)) & 0xff);
    auto r = DecodeValue(blob);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
    EXPECT_NE(r.status().message().find("string length exceeds blob"), std::string::npos) << r.status().ToString();
  }
  std::string key_blob = *EncodeValuePortableBinary(Value::Map{{"k", 1}});  // ..., u64 count, u64 key length, ...
  key_blob[10 + 7] = '\x40';                                  // the key claims 2^62 bytes
  auto r = DecodeValue(key_blob);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("string length exceeds blob"), std::string::npos) << r.status().ToString();
}

// `depth` lists nested in one another as JSON text: "[[[]]]" for 3.
std::string NestedArrays(int depth) { return std::string(depth, '[') + std::string(depth, ']'); }

// The same as a Value, built without recursion.
Value NestedLists(int depth) {
  Value v = Value::List{};
  for (int i = 1; i < depth; ++i) v = Value::List{std::move(v)};
  return v;
}

TEST(ValueDepthTest, HundredThousandNestedArraysAreRefusedNamingTheLimit) {
  auto v = Value::FromJson(NestedArrays(100000));  // used to overflow the stack
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(IsValueTooDeep(v.status())) << v.status().ToString();
  EXPECT_THAT(v.status().message(), ::testing::HasSubstr(std::to_string(kMaxValueDepth)));
  std::string objects;
  for (int i = 0; i < 100000; ++i) objects += "{\"a\":";
  objects += "1" + std::string(100000, '}');
  auto object = Value::FromJson(objects);
  EXPECT_TRUE(IsValueTooDeep(object.status())) << object.status().ToString();
}

TEST(ValueDepthTest, JsonAcceptsExactlyTheLimit) {
  auto at = Value::FromJson(NestedArrays(kMaxValueDepth));
  ASSERT_TRUE(at.ok()) << at.status().ToString();
  EXPECT_EQ(ValueDepth(*at), kMaxValueDepth);
  auto over = Value::FromJson(NestedArrays(kMaxValueDepth + 1));
  EXPECT_TRUE(IsValueTooDeep(over.status()));
  // Malformed JSON stays a plain parse error.
  auto bad = Value::FromJson("[[1,]]");
  EXPECT_FALSE(bad.ok());
  EXPECT_FALSE(IsValueTooDeep(bad.status()));
}

TEST(ValueDepthTest, SaxParsingKeepsDuplicateKeyAndNumberRules) {
  auto v = Value::FromJson(R"({"a":1,"a":2,"big":18446744073709551615,"neg":-3,"f":1.5,"m":{}})");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->Get("a").IntOr(0), 2);  // the last member wins
  EXPECT_TRUE(v->Get("big").is_double());
  EXPECT_EQ(v->Get("neg").IntOr(0), -3);
  EXPECT_TRUE(v->Get("m").is_map());
}

TEST(ValueDepthTest, DepthCountsListsAndMaps) {
  EXPECT_EQ(ValueDepth(Value(1)), 0);
  EXPECT_EQ(ValueDepth(Value::List{}), 1);
  EXPECT_EQ(ValueDepth(Value::Map{{"a", Value::List{1}}}), 2);
  EXPECT_EQ(ValueDepth(NestedLists(1000), 10), 11);  // stops counting past the cap
  EXPECT_TRUE(CheckValueDepth(NestedLists(kMaxValueDepth), "x").ok());
  Status deep = CheckValueDepth(NestedLists(kMaxValueDepth + 1), "the activity's output");
  EXPECT_TRUE(IsValueTooDeep(deep));
  EXPECT_EQ(std::string(ValueTooDeepMessage(deep)),
            "the activity's output is nested deeper than the limit of " + std::to_string(kMaxValueDepth) +
                " levels of lists and maps");
}

TEST(ValueDepthTest, EncoderAndDecoderAgreeAtTheLimit) {
  auto at = EncodeValue(NestedLists(kMaxEnvelopedValueDepth));
  ASSERT_TRUE(at.ok()) << at.status().ToString();
  auto decoded = DecodeValue(*at);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(ValueDepth(*decoded, kMaxEnvelopedValueDepth), kMaxEnvelopedValueDepth);

  auto over = EncodeValue(NestedLists(kMaxEnvelopedValueDepth + 1));
  EXPECT_TRUE(IsValueTooDeep(over.status())) << over.status().ToString();

  // A blob one level deeper than the limit, written by hand the way an older
  // encoder would have: the decoder refuses it as Corruption, not a crash.
  // The portable archive starts with one byte of endianness; a node is its
  // type byte, and a list's is followed by its length as 8 bytes.
  auto wrap = [](const std::string& blob) {
    return blob.substr(0, 1) + "\x05" + std::string("\x01\0\0\0\0\0\0\0", 8) + blob.substr(1);
  };
  auto wrapped = DecodeValue(wrap(*EncodeValuePortableBinary(NestedLists(kMaxEnvelopedValueDepth - 1))));
  ASSERT_TRUE(wrapped.ok()) << wrapped.status().ToString();  // the hand-made framing is right
  EXPECT_EQ(*wrapped, NestedLists(kMaxEnvelopedValueDepth));
  auto one_more = DecodeValue(wrap(*EncodeValuePortableBinary(NestedLists(kMaxEnvelopedValueDepth))));
  EXPECT_EQ(one_more.status().code(), StatusCode::kCorruption) << one_more.status().ToString();

  // The same in the compact encoding: a list's type byte and a one-byte count.
  auto wrap_compact = [](const std::string& blob) { return blob.substr(0, 1) + "\x05\x01" + blob.substr(1); };
  auto compact_wrapped = DecodeValue(wrap_compact(*EncodeValue(NestedLists(kMaxEnvelopedValueDepth - 1))));
  ASSERT_TRUE(compact_wrapped.ok()) << compact_wrapped.status().ToString();
  EXPECT_EQ(*compact_wrapped, NestedLists(kMaxEnvelopedValueDepth));
  auto compact_over = DecodeValue(wrap_compact(*at));
  EXPECT_EQ(compact_over.status().code(), StatusCode::kCorruption) << compact_over.status().ToString();
}

}  // namespace
}  // namespace steadfast
