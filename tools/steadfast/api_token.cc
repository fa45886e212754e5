// Random API tokens (api_token.h).
#include "api_token.h"

#include <openssl/rand.h>

#include <array>

namespace steadfast::cli {

Result<std::string> NewApiToken(const std::string& prefix) {
  std::array<unsigned char, 32> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    return Status::Internal("cannot make a token: the system's random source failed");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string text = prefix;
  for (unsigned char b : bytes) {
    text += kHex[b >> 4];
    text += kHex[b & 0xf];
  }
  return text;
}

}  // namespace steadfast::cli
