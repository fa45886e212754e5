// Binary encoding of Values for checkpoints.
//
// Compact: varint lengths and integers, one type byte per node (about half
// the bytes of the cereal portable binary archive every release before
// store schema 13 wrote, which is still read: a checkpoint written by one
// version is read by every later one). Encoding is deterministic (maps are
// sorted), so equal values encode to equal bytes. Decoding never trusts its
// input: a truncated or garbled blob yields a Corruption status, not a crash.
//
// Encoder and decoder share one depth limit, kMaxEnvelopedValueDepth
// (steadfast/value.h: the engine's one limit plus room for the envelopes
// around accepted values in what it stores), so nothing can be written that
// cannot be read back.
#ifndef STEADFAST_VALUE_CODEC_H_
#define STEADFAST_VALUE_CODEC_H_

#include <string>
#include <string_view>

#include "steadfast/status.h"
#include "steadfast/value.h"

namespace steadfast {

// The encoded bytes, or InvalidArgument (IsValueTooDeep) when value is
// nested deeper than kMaxEnvelopedValueDepth.
Result<std::string> EncodeValue(const Value& value);
// The decoded Value, or Corruption for a truncated or garbled blob and for
// one nested deeper than kMaxEnvelopedValueDepth.
Result<Value> DecodeValue(std::string_view bytes);
// Whether two encoded blobs hold the same value, whichever encoding each is
// in (equal bytes, or equal decoded values). Undecodable blobs are unequal.
bool EncodedValuesEqual(std::string_view a, std::string_view b);

}  // namespace steadfast

#endif  // STEADFAST_VALUE_CODEC_H_
