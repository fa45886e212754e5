// Value <-> cereal portable binary. Each node is a type byte then its payload.
#include "steadfast/value_codec.h"

#include <cereal/archives/portable_binary.hpp>
#include <cereal/types/string.hpp>
#include <sstream>

namespace steadfast {
namespace {

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

}  // namespace

Result<std::string> EncodeValue(const Value& value) {
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
    std::istringstream is(std::string(bytes), std::ios::binary);
    cereal::PortableBinaryInputArchive ar(is);
    return Load(ar, bytes.size(), 0);
  } catch (const std::exception& e) {
    // cereal reads string lengths from the blob; a garbled length can also
    // surface as bad_alloc or length_error, caught here with the rest.
    return Status::Corruption(std::string("cannot decode value: ") + e.what());
  }
}

}  // namespace steadfast
