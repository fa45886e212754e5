// Password redaction for PostgreSQL connection strings.
#include "store/postgres/pg_url.h"

#include <cctype>
#include <algorithm>
#include <cstddef>

namespace steadfast {
namespace {

constexpr std::string_view kMask = "***";

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  }
  return true;
}

// URI: scheme://[user[:password]@]host[:port][,host[:port]...][/db][?k=v&...]
std::string RedactUri(std::string_view uri, std::vector<std::string>& secrets) {
  size_t scheme_end = uri.find("://") + 3;
  std::string out(uri.substr(0, scheme_end));
  std::string_view rest = uri.substr(scheme_end);
  // The user-info ends at the last '@' before the query. Searching that far
  // (not only to the first '/') errs on the side of hiding too much when a
  // password holds an unencoded '/' or '@'.
  size_t query_start = rest.find('?');
  size_t at = rest.substr(0, query_start).rfind('@');
  std::string_view tail = rest;
  if (at != std::string_view::npos) {
    std::string_view userinfo = rest.substr(0, at);
    size_t colon = userinfo.find(':');
    if (colon != std::string_view::npos) {
      out += userinfo.substr(0, colon + 1);
      out += kMask;
      secrets.emplace_back(userinfo.substr(colon + 1));
    } else {
      out += userinfo;
    }
    tail = rest.substr(at);
  }
  // Query parameters: password=... (any case) up to the next '&'.
  size_t q = tail.find('?');
  if (q == std::string_view::npos) return out + std::string(tail);
  out += tail.substr(0, q + 1);
  std::string_view query = tail.substr(q + 1);
  bool first = true;
  while (true) {
    size_t amp = query.find('&');
    std::string_view param = query.substr(0, amp);
    if (!first) out += '&';
    first = false;
    if (StartsWithNoCase(param, "password=")) {
      out += param.substr(0, 9);
      out += kMask;
      secrets.emplace_back(param.substr(9));
    } else {
      out += param;
    }
    if (amp == std::string_view::npos) break;
    query = query.substr(amp + 1);
  }
  return out;
}

// key = value pairs separated by spaces; a value may be 'single quoted'
// with \' and \\ escapes.
std::string RedactKeyValue(std::string_view text, std::vector<std::string>& secrets) {
  std::string out;
  size_t i = 0;
  const size_t n = text.size();
  while (i < n) {
    // Whitespace between pairs, copied.
    while (i < n && std::isspace(static_cast<unsigned char>(text[i]))) out += text[i++];
    size_t key_start = i;
    while (i < n && text[i] != '=' && !std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    std::string_view key = text.substr(key_start, i - key_start);
    out += key;
    while (i < n && std::isspace(static_cast<unsigned char>(text[i]))) out += text[i++];
    if (i >= n || text[i] != '=') continue;  // malformed: libpq refuses it; keep going
    out += text[i++];
    while (i < n && std::isspace(static_cast<unsigned char>(text[i]))) out += text[i++];
    size_t value_start = i;
    if (i < n && text[i] == '\'') {
      ++i;
      while (i < n && text[i] != '\'') i += (text[i] == '\\' && i + 1 < n) ? 2 : 1;
      if (i < n) ++i;  // closing quote
    } else {
      while (i < n && !std::isspace(static_cast<unsigned char>(text[i]))) i += (text[i] == '\\' && i + 1 < n) ? 2 : 1;
    }
    if (key.size() == 8 && StartsWithNoCase(key, "password")) {
      out += kMask;
      std::string_view value = text.substr(value_start, i - value_start);
      secrets.emplace_back(value);
      // Unquoted too (libpq quotes the value without its quotes), and an
      // unterminated quote's remainder.
      if (!value.empty() && value.front() == '\'') {
        value.remove_prefix(1);
        if (!value.empty() && value.back() == '\'') value.remove_suffix(1);
        secrets.emplace_back(value);
      }
    } else {
      out += text.substr(value_start, i - value_start);
    }
  }
  return out;
}

}  // namespace

bool IsConnectionUri(std::string_view conninfo) {
  return StartsWithNoCase(conninfo, "postgresql://") || StartsWithNoCase(conninfo, "postgres://");
}

std::string RedactConnectionString(std::string_view conninfo) {
  std::vector<std::string> secrets;
  return IsConnectionUri(conninfo) ? RedactUri(conninfo, secrets) : RedactKeyValue(conninfo, secrets);
}

std::vector<std::string> ConnectionStringSecrets(std::string_view conninfo) {
  std::vector<std::string> secrets;
  if (IsConnectionUri(conninfo)) {
    RedactUri(conninfo, secrets);
  } else {
    RedactKeyValue(conninfo, secrets);
  }
  secrets.erase(std::remove(secrets.begin(), secrets.end(), std::string()), secrets.end());
  // Longest first, so a secret containing another is masked whole.
  std::sort(secrets.begin(), secrets.end(), [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  return secrets;
}

std::string ScrubConnectionSecrets(std::string_view text, std::string_view conninfo) {
  std::string out(text);
  for (const std::string& secret : ConnectionStringSecrets(conninfo)) {
    for (size_t at = out.find(secret); at != std::string::npos; at = out.find(secret, at + kMask.size())) {
      out.replace(at, secret.size(), kMask);
    }
  }
  return out;
}

}  // namespace steadfast
