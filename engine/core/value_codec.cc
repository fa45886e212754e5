// Value <-> bytes. Two encodings, told apart by their first byte:
//  - compact (written since schema 13 of the store; first byte 0xC1): each
//    node is its type byte then its payload; integers, lengths and counts
//    are LEB128 varints (integers zigzagged), doubles 8 bytes little-endian.
//    A one-letter key costs 2 bytes, not 9, and a small integer 2, not 9.
//  - cereal's portable binary archive (everything written before; first
//    byte its endianness flag, 1 on every machine we ran on, 0 on a
//    big-endian one): the same nodes with 8-byte integers, lengths and
//    counts. Still read, never written again.
#include "steadfast/value_codec.h"

#include <cereal/archives/portable_binary.hpp>
#include <cereal/types/string.hpp>
#include <cstring>
#include <sstream>

#include "core/value_codec_legacy.h"

namespace steadfast {
namespace {

constexpr uint8_t kCompactFormat = 0xC1;
constexpr int kMaxVarintBytes = 10;  // 64 bits, 7 per byte

// Both walks recurse, bounded by kMaxEnvelopedValueDepth: EncodeValue checks
// the depth first, without recursion; Load counts as it goes. depth is the
// number of lists and maps around the node, the same count as ValueDepth.
void Save(cereal::PortableBinaryOutputArchive& ar, const Value& v) {
  uint8_t t = static_cast<uint8_t>(v.type());
  ar(t);
  switch (v.type()) {
    case Value::Type::kNull: break;
    case Value::Type::kBool: ar(static_cast<uint8_t>(v.AsBool())); break;
    case Value::Type::kInt: ar(v.AsInt()); break;
    case Value::Type::kDouble: ar(v.AsDouble()); break;
    case Value::Type::kString: ar(v.AsString()); break;
    case Value::Type::kList:
      ar(static_cast<uint64_t>(v.AsList().size()));
      for (const Value& e : v.AsList()) Save(ar, e);
      break;
    case Value::Type::kMap:
      ar(static_cast<uint64_t>(v.AsMap().size()));
      for (const auto& [k, e] : v.AsMap()) {
        ar(k);
        Save(ar, e);
      }
      break;
  }
}

// cereal's own string load, with one check first: the length comes from the
// blob and must fit in it, so a garbled length cannot make the decoder
// allocate gigabytes (or abort under a sanitizer) before the short read
// would have failed. The same bytes as ar(s) otherwise.
std::string LoadString(cereal::PortableBinaryInputArchive& ar, size_t blob_bytes) {
  cereal::size_type size = 0;
  ar(cereal::make_size_tag(size));
  if (size > blob_bytes) throw cereal::Exception("string length exceeds blob");
  std::string s(static_cast<size_t>(size), '\0');
  ar(cereal::binary_data(s.data(), s.size()));
  return s;
}

Value Load(cereal::PortableBinaryInputArchive& ar, size_t remaining_bytes, int depth) {
  uint8_t t = 0;
  ar(t);
  const auto type = static_cast<Value::Type>(t);
  if ((type == Value::Type::kList || type == Value::Type::kMap) && depth >= kMaxEnvelopedValueDepth) {
    throw cereal::Exception("value nested deeper than " + std::to_string(kMaxEnvelopedValueDepth) + " levels");
  }
  switch (type) {
    case Value::Type::kNull: return Value();
    case Value::Type::kBool: {
      uint8_t b = 0;
      ar(b);
      return Value(b != 0);
    }
    case Value::Type::kInt: {
      int64_t i = 0;
      ar(i);
      return Value(i);
    }
    case Value::Type::kDouble: {
      double d = 0;
      ar(d);
      return Value(d);
    }
    case Value::Type::kString: return Value(LoadString(ar, remaining_bytes));
    case Value::Type::kList: {
      uint64_t n = 0;
      ar(n);
      if (n > remaining_bytes) throw cereal::Exception("list length exceeds blob");
      Value::List l;
      l.reserve(n);
      for (uint64_t i = 0; i < n; ++i) l.push_back(Load(ar, remaining_bytes, depth + 1));
      return Value(std::move(l));
    }
    case Value::Type::kMap: {
      uint64_t n = 0;
      ar(n);
      if (n > remaining_bytes) throw cereal::Exception("map length exceeds blob");
      Value::Map m;
      for (uint64_t i = 0; i < n; ++i) {
        std::string k = LoadString(ar, remaining_bytes);
        m.insert_or_assign(std::move(k), Load(ar, remaining_bytes, depth + 1));
      }
      return Value(std::move(m));
    }
  }
  throw cereal::Exception("unknown value type byte");
}

void PutVarint(std::string& out, uint64_t n) {
  while (n >= 0x80) {
    out.push_back(static_cast<char>((n & 0x7f) | 0x80));
    n >>= 7;
  }
  out.push_back(static_cast<char>(n));
}

uint64_t ZigZag(int64_t i) { return (static_cast<uint64_t>(i) << 1) ^ static_cast<uint64_t>(i >> 63); }
int64_t UnZigZag(uint64_t n) { return static_cast<int64_t>(n >> 1) ^ -static_cast<int64_t>(n & 1); }

void PutString(std::string& out, std::string_view s) {
  PutVarint(out, s.size());
  out.append(s);
}

void SaveCompact(std::string& out, const Value& v) {
  out.push_back(static_cast<char>(v.type()));
  switch (v.type()) {
    case Value::Type::kNull: break;
    case Value::Type::kBool: out.push_back(v.AsBool() ? 1 : 0); break;
    case Value::Type::kInt: PutVarint(out, ZigZag(v.AsInt())); break;
    case Value::Type::kDouble: {
      const double d = v.AsDouble();
      uint64_t bits = 0;
      std::memcpy(&bits, &d, sizeof bits);
      for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((bits >> (8 * i)) & 0xff));
      break;
    }
    case Value::Type::kString: PutString(out, v.AsString()); break;
    case Value::Type::kList:
      PutVarint(out, v.AsList().size());
      for (const Value& e : v.AsList()) SaveCompact(out, e);
      break;
    case Value::Type::kMap:
      PutVarint(out, v.AsMap().size());
      for (const auto& [k, e] : v.AsMap()) {
        PutString(out, k);
        SaveCompact(out, e);
      }
      break;
  }
}

// Reads the compact encoding; every length and count is checked against
// the bytes left before anything is allocated for it.
class CompactReader {
 public:
  explicit CompactReader(std::string_view bytes) : p_(bytes.data()), end_(bytes.data() + bytes.size()) {}
  bool at_end() const { return p_ == end_; }

  Value Load(int depth) {
    const auto type = static_cast<Value::Type>(Byte());
    if ((type == Value::Type::kList || type == Value::Type::kMap) && depth >= kMaxEnvelopedValueDepth) {
      throw cereal::Exception("value nested deeper than " + std::to_string(kMaxEnvelopedValueDepth) + " levels");
    }
    switch (type) {
      case Value::Type::kNull: return Value();
      case Value::Type::kBool: {
        const uint8_t b = Byte();
        if (b > 1) throw cereal::Exception("bool byte is neither 0 nor 1");
        return Value(b == 1);
      }
      case Value::Type::kInt: return Value(UnZigZag(Varint()));
      case Value::Type::kDouble: {
        uint64_t bits = 0;
        for (int i = 0; i < 8; ++i) bits |= static_cast<uint64_t>(Byte()) << (8 * i);
        double d = 0;
        std::memcpy(&d, &bits, sizeof d);
        return Value(d);
      }
      case Value::Type::kString: return Value(String("string"));
      case Value::Type::kList: {
        const uint64_t n = Count("list");
        Value::List l;
        l.reserve(n);
        for (uint64_t i = 0; i < n; ++i) l.push_back(Load(depth + 1));
        return Value(std::move(l));
      }
      case Value::Type::kMap: {
        const uint64_t n = Count("map");
        Value::Map m;
        for (uint64_t i = 0; i < n; ++i) {
          std::string k = String("key");
          m.insert_or_assign(std::move(k), Load(depth + 1));
        }
        return Value(std::move(m));
      }
    }
    throw cereal::Exception("unknown value type byte");
  }

 private:
  uint8_t Byte() {
    if (p_ == end_) throw cereal::Exception("value ends early");
    return static_cast<uint8_t>(*p_++);
  }
  uint64_t Varint() {
    uint64_t n = 0;
    for (int i = 0; i < kMaxVarintBytes; ++i) {
      const uint8_t b = Byte();
      const uint64_t bits = b & 0x7f;
      if (i == kMaxVarintBytes - 1 && bits > 1) throw cereal::Exception("varint exceeds 64 bits");
      n |= bits << (7 * i);
      if ((b & 0x80) == 0) return n;
    }
    throw cereal::Exception("varint exceeds 64 bits");
  }
  // Each element takes at least one byte, so a count above the bytes left
  // is garbage, refused before reserving room for it.
  uint64_t Count(const char* what) {
    const uint64_t n = Varint();
    if (n > static_cast<uint64_t>(end_ - p_)) throw cereal::Exception(std::string(what) + " length exceeds blob");
    return n;
  }
  std::string String(const char* what) {
    const uint64_t n = Varint();
    if (n > static_cast<uint64_t>(end_ - p_)) throw cereal::Exception(std::string(what) + " length exceeds blob");
    std::string s(p_, static_cast<size_t>(n));
    p_ += n;
    return s;
  }

  const char* p_;
  const char* const end_;
};

}  // namespace

Result<std::string> EncodeValue(const Value& value) {
  SF_RETURN_IF_ERROR(CheckValueDepth(value, "a value to store", kMaxEnvelopedValueDepth));
  std::string out(1, static_cast<char>(kCompactFormat));
  SaveCompact(out, value);
  return out;
}

Result<std::string> EncodeValuePortableBinary(const Value& value) {
  SF_RETURN_IF_ERROR(CheckValueDepth(value, "a value to store", kMaxEnvelopedValueDepth));
  std::ostringstream os(std::ios::binary);
  {
    cereal::PortableBinaryOutputArchive ar(os);
    Save(ar, value);
  }
  return std::move(os).str();
}

Result<Value> DecodeValue(std::string_view bytes) {
  try {
    if (!bytes.empty() && static_cast<uint8_t>(bytes[0]) == kCompactFormat) {
      CompactReader reader(bytes.substr(1));
      Value v = reader.Load(0);
      if (!reader.at_end()) throw cereal::Exception("bytes after the value");
      return v;
    }
    std::istringstream is(std::string(bytes), std::ios::binary);
    cereal::PortableBinaryInputArchive ar(is);
    return Load(ar, bytes.size(), 0);
  } catch (const std::exception& e) {
    // cereal reads string lengths from the blob; a garbled length can also
    // surface as bad_alloc or length_error, caught here with the rest.
    return Status::Corruption(std::string("cannot decode value: ") + e.what());
  }
}

bool EncodedValuesEqual(std::string_view a, std::string_view b) {
  if (a == b) return true;
  // The same value in the two encodings (one stored before schema 13).
  Result<Value> va = DecodeValue(a);
  Result<Value> vb = DecodeValue(b);
  return va.ok() && vb.ok() && *va == *vb;
}

}  // namespace steadfast
