// Binary encoding of Values for checkpoints (cereal portable binary archive).
//
// The encoding is stable across releases: a checkpoint written by one version
// is read by the next. Decoding never trusts its input: a truncated or garbled
// blob yields a Corruption status, not a crash.
#ifndef STEADFAST_VALUE_CODEC_H_
#define STEADFAST_VALUE_CODEC_H_

#include <string>
#include <string_view>

#include "steadfast/status.h"
#include "steadfast/value.h"

namespace steadfast {

std::string EncodeValue(const Value& value);
Result<Value> DecodeValue(std::string_view bytes);

}  // namespace steadfast

#endif  // STEADFAST_VALUE_CODEC_H_
