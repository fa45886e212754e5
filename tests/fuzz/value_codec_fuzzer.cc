// Stored value decoding (DecodeValue): what a checkpoint, an instance's
// input or output, an event's data or a signal's payload reads back from
// SQLite. A truncated or garbled blob must be a Corruption Status, never a
// crash, a hang or an allocation sized by the garbage; a blob that decodes
// re-encodes to a canonical form that is stable (encode(decode(x)) is a
// fixed point) and decodes to the same value.
#include "fuzz_check.h"
#include "steadfast/value.h"
#include "steadfast/value_codec.h"

using steadfast::StatusCode;
using steadfast::Value;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  steadfast::Result<Value> decoded = steadfast::DecodeValue(steadfast::fuzz::AsText(data, size));
  if (!decoded.ok()) {
    FUZZ_CHECK(decoded.status().code() == StatusCode::kCorruption);
    return 0;
  }
  FUZZ_CHECK(steadfast::ValueDepth(*decoded, steadfast::kMaxEnvelopedValueDepth) <=
             steadfast::kMaxEnvelopedValueDepth);
  steadfast::Result<std::string> encoded = steadfast::EncodeValue(*decoded);
  FUZZ_CHECK(encoded.ok());
  steadfast::Result<Value> again = steadfast::DecodeValue(*encoded);
  FUZZ_CHECK(again.ok());
  // NaN != NaN: compare the canonical bytes, which also covers equality.
  steadfast::Result<std::string> reencoded = steadfast::EncodeValue(*again);
  FUZZ_CHECK(reencoded.ok() && *reencoded == *encoded);
  // Whatever was stored can be shown: JSON output never throws.
  (void)decoded->ToJson();
  return 0;
}
