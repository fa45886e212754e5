// Content hash of a definition's source: the identity a running instance is
// pinned to (an edited YAML file gets a new hash, so it affects only new
// instances).
#ifndef STEADFAST_DEFINITION_CONTENT_HASH_H_
#define STEADFAST_DEFINITION_CONTENT_HASH_H_

#include <string>
#include <string_view>

namespace steadfast {

// Lower-case hex SHA-256 of bytes (64 characters). Uses OpenSSL's EVP API;
// returns "" only if libcrypto itself fails (out of memory). Thread-safe.
std::string Sha256Hex(std::string_view bytes);

}  // namespace steadfast

#endif  // STEADFAST_DEFINITION_CONTENT_HASH_H_
