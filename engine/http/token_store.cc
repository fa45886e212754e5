// Token hashing and constant-time lookup (OpenSSL libcrypto).
#include "http/token_store.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <memory>

namespace steadfast::http {
namespace {

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

bool Sha256(std::string_view data, std::array<unsigned char, 32>& out) {
  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  unsigned int len = 0;
  return ctx && EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) == 1 &&
         EVP_DigestUpdate(ctx.get(), data.data(), data.size()) == 1 &&
         EVP_DigestFinal_ex(ctx.get(), out.data(), &len) == 1 && len == out.size();
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool FromHex(std::string_view hex, std::array<unsigned char, 32>& out) {
  if (hex.size() != out.size() * 2) return false;
  for (size_t i = 0; i < out.size(); ++i) {
    int hi = HexDigit(hex[2 * i]);
    int lo = HexDigit(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<unsigned char>(hi * 16 + lo);
  }
  return true;
}

}  // namespace

std::string Sha256Hex(std::string_view data) {
  std::array<unsigned char, 32> digest{};
  if (!Sha256(data, digest)) return "";
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(64);
  for (unsigned char b : digest) {
    out += kHex[b >> 4];
    out += kHex[b & 0xf];
  }
  return out;
}

Result<TokenStore> TokenStore::Create(const std::vector<HttpTokenConfig>& tokens) {
  TokenStore store;
  for (const HttpTokenConfig& t : tokens) {
    if (t.name.empty()) return Status::InvalidArgument("http token without a name");
    Entry e;
    e.principal.name = t.name;
    if (!FromHex(t.sha256, e.hash)) {
      return Status::InvalidArgument("http token '" + t.name + "': sha256 must be 64 hex digits");
    }
    for (const std::string& r : t.roles) {
      std::optional<Role> role = ParseRole(r);
      if (!role) return Status::InvalidArgument("http token '" + t.name + "': unknown role '" + r + "'");
      e.principal.roles.Add(*role);
    }
    if (e.principal.roles.empty()) return Status::InvalidArgument("http token '" + t.name + "' has no roles");
    for (const Entry& other : store.entries_) {
      if (other.hash == e.hash) {
        return Status::InvalidArgument("http tokens '" + other.principal.name + "' and '" + t.name +
                                       "' have the same hash");
      }
    }
    store.entries_.push_back(std::move(e));
  }
  return store;
}

std::optional<Principal> TokenStore::Authenticate(std::string_view token) const {
  if (token.empty()) return std::nullopt;
  std::array<unsigned char, 32> digest{};
  if (!Sha256(token, digest)) return std::nullopt;
  const Entry* found = nullptr;
  for (const Entry& e : entries_) {
    // Every entry is compared, match or not.
    bool equal = CRYPTO_memcmp(e.hash.data(), digest.data(), digest.size()) == 0;
    if (equal && found == nullptr) found = &e;
  }
  OPENSSL_cleanse(digest.data(), digest.size());
  if (found == nullptr) return std::nullopt;
  return found->principal;
}

}  // namespace steadfast::http
