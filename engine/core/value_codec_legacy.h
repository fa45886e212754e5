// The encoding every release before store schema 13 wrote (cereal's
// portable binary archive: 8-byte integers, lengths and counts). DecodeValue
// still reads it; only tests write it now, to prove that it does.
#ifndef STEADFAST_CORE_VALUE_CODEC_LEGACY_H_
#define STEADFAST_CORE_VALUE_CODEC_LEGACY_H_

#include <string>

#include "steadfast/status.h"
#include "steadfast/value.h"

namespace steadfast {

Result<std::string> EncodeValuePortableBinary(const Value& value);

}  // namespace steadfast

#endif  // STEADFAST_CORE_VALUE_CODEC_LEGACY_H_
