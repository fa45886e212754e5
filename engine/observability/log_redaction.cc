// A single left-to-right scan: at each position try the patterns in turn,
// else copy one character.
#include "observability/log_redaction.h"

#include <array>
#include <cctype>

namespace steadfast {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
char Lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

bool StartsWithNoCase(std::string_view s, size_t at, std::string_view prefix) {
  if (s.size() - at < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (Lower(s[at + i]) != prefix[i]) return false;
  }
  return true;
}

// Characters a token or secret value is made of.
bool IsTokenChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' || c == '~' || c == '+' ||
         c == '/' || c == '=';
}

// "Bearer <token>": returns the length consumed, 0 if no match.
size_t MatchBearer(std::string_view s, size_t i, std::string& out) {
  if (!StartsWithNoCase(s, i, "bearer")) return 0;
  size_t j = i + 6;
  size_t spaces = 0;
  while (j < s.size() && s[j] == ' ') ++j, ++spaces;
  size_t start = j;
  while (j < s.size() && IsTokenChar(s[j])) ++j;
  if (spaces == 0 || j == start) return 0;
  out.append(s.substr(i, 6));
  out += " [REDACTED]";
  return j - i;
}

// sk_... / rk_... keys (Stripe-style secret and restricted keys).
size_t MatchPspKey(std::string_view s, size_t i, std::string& out) {
  if (s.size() - i < 3 || !(s[i] == 's' || s[i] == 'r') || s[i + 1] != 'k' || s[i + 2] != '_') return 0;
  size_t j = i + 3;
  while (j < s.size() && IsWordChar(s[j])) ++j;
  if (j - (i + 3) < 6) return 0;
  out.append(s.substr(i, 3));
  out += "[REDACTED]";
  return j - i;
}

constexpr std::array<std::string_view, 12> kSecretKeys = {
    "client_secret", "secret_key", "access_token", "refresh_token", "api_key", "apikey",
    "authorization", "password",   "passwd",       "secret",        "token",   "pwd"};

// key=value, key: value, "key": "value" for secret-looking keys.
size_t MatchSecretPair(std::string_view s, size_t i, std::string& out) {
  for (std::string_view key : kSecretKeys) {
    if (!StartsWithNoCase(s, i, key)) continue;
    size_t j = i + key.size();
    if (j < s.size() && IsWordChar(s[j])) continue;  // "token_env", "secret_key_env": other keys
    size_t k = j;
    if (k < s.size() && (s[k] == '"' || s[k] == '\'')) ++k;
    while (k < s.size() && s[k] == ' ') ++k;
    if (k >= s.size() || (s[k] != '=' && s[k] != ':')) continue;
    ++k;
    while (k < s.size() && s[k] == ' ') ++k;
    char quote = 0;
    if (k < s.size() && (s[k] == '"' || s[k] == '\'')) quote = s[k++];
    size_t v = k;
    if (quote != 0) {
      while (v < s.size() && s[v] != quote) {
        if (s[v] == '\\' && v + 1 < s.size()) ++v;
        ++v;
      }
    } else {
      while (v < s.size() && s[v] != ' ' && s[v] != ',' && s[v] != '&' && s[v] != '}' && s[v] != ';' &&
             s[v] != '\n') {
        ++v;
      }
      // "Authorization: Bearer abc": the credential is the word after the scheme.
      std::string_view word = s.substr(k, v - k);
      if ((StartsWithNoCase(word, 0, "bearer") || StartsWithNoCase(word, 0, "basic")) && word.size() <= 6 &&
          v + 1 < s.size() && s[v] == ' ') {
        ++v;
        while (v < s.size() && IsTokenChar(s[v])) ++v;
      }
    }
    if (v == k) continue;  // empty value: nothing to hide
    out.append(s.substr(i, k - i));
    out += "[REDACTED]";
    return v - i;
  }
  return 0;
}

// A PAN-like run of digits (see the header).
size_t MatchPan(std::string_view s, size_t i, std::string& out) {
  if (!IsDigit(s[i]) || s[i] < '2' || s[i] > '6') return 0;
  if (i > 0 && (std::isalnum(static_cast<unsigned char>(s[i - 1])))) return 0;
  std::string digits;
  size_t j = i;
  size_t end = i;  // after the last digit
  while (j < s.size()) {
    if (IsDigit(s[j])) {
      digits += s[j++];
      end = j;
      if (digits.size() > 19) return 0;
    } else if ((s[j] == ' ' || s[j] == '-') && j + 1 < s.size() && IsDigit(s[j + 1]) && IsDigit(s[j - 1])) {
      ++j;
    } else {
      break;
    }
  }
  if (end < s.size() && std::isalnum(static_cast<unsigned char>(s[end]))) return 0;
  if (digits.size() < 13 || !PassesLuhn(digits)) return 0;
  out += "[PAN ****" + digits.substr(digits.size() - 4) + "]";
  return end - i;
}

}  // namespace

bool PassesLuhn(std::string_view digits) {
  int sum = 0;
  bool twice = false;
  for (size_t k = digits.size(); k-- > 0;) {
    if (!IsDigit(digits[k])) return false;
    int d = digits[k] - '0';
    if (twice) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    twice = !twice;
  }
  return !digits.empty() && sum % 10 == 0;
}

std::string RedactSecrets(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    const bool word_start = i == 0 || !IsWordChar(s[i - 1]);
    size_t n = 0;
    if (word_start) {
      n = MatchBearer(s, i, out);
      if (n == 0) n = MatchPspKey(s, i, out);
      if (n == 0) n = MatchSecretPair(s, i, out);
    }
    if (n == 0) n = MatchPan(s, i, out);
    if (n == 0) {
      out += s[i];
      n = 1;
    }
    i += n;
  }
  return out;
}

}  // namespace steadfast
