// New API bearer tokens, for `serve --dev` and `steadfast token`: 32 bytes
// from OpenSSL's CSPRNG, hex, with a prefix that says what they are. The
// engine keeps only a token's SHA-256 (http.tokens); the text is shown once.
#ifndef STEADFAST_TOOLS_API_TOKEN_H_
#define STEADFAST_TOOLS_API_TOKEN_H_

#include <functional>
#include <string>

#include "steadfast/status.h"

namespace steadfast::cli {

// Where token text comes from; tests pass a fixed sequence.
using TokenSource = std::function<Result<std::string>(const std::string& prefix)>;

// prefix + 64 hex digits of RAND_bytes. Internal when the CSPRNG fails.
Result<std::string> NewApiToken(const std::string& prefix);

}  // namespace steadfast::cli

#endif  // STEADFAST_TOOLS_API_TOKEN_H_
