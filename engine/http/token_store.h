// TokenStore: bearer tokens -> principals, knowing only the tokens' hashes.
//
// The configuration lists each token as the hex SHA-256 of the token text
// (config `http.tokens`, `http.tokens_file` or STEADFAST_HTTP_TOKENS), with
// the principal name and roles it grants. A presented token is hashed with
// OpenSSL's EVP interface and compared with every configured hash using
// CRYPTO_memcmp, without stopping at the first match, so the time taken does
// not reveal which entry or how many leading bytes matched. The store keeps
// no token text; nothing here logs.
#ifndef STEADFAST_HTTP_TOKEN_STORE_H_
#define STEADFAST_HTTP_TOKEN_STORE_H_

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/engine_config.h"
#include "http/roles.h"
#include "steadfast/status.h"

namespace steadfast::http {

// Lowercase hex SHA-256 of data (OpenSSL EVP).
std::string Sha256Hex(std::string_view data);

class TokenStore {
 public:
  // InvalidArgument for a hash that is not 64 hex digits, an unknown role,
  // an empty name or roles, or the same hash listed twice (messages name the
  // token's principal, never its hash).
  static Result<TokenStore> Create(const std::vector<HttpTokenConfig>& tokens);

  // The principal the token belongs to, or nullopt. Thread-safe (immutable).
  std::optional<Principal> Authenticate(std::string_view token) const;

  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::array<unsigned char, 32> hash;
    Principal principal;
  };
  std::vector<Entry> entries_;
};

}  // namespace steadfast::http

#endif  // STEADFAST_HTTP_TOKEN_STORE_H_
