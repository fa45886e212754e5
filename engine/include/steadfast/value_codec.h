// Binary encoding of Values for checkpoints (cereal portable binary archive).
//
// The encoding is stable across releases: a checkpoint written by one version
// is read by the next. Decoding never trusts its input: a truncated or garbled
// blob yields a Corruption status, not a crash.
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

}  // namespace steadfast

#endif  // STEADFAST_VALUE_CODEC_H_
