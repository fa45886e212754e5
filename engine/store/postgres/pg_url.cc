// Password redaction for PostgreSQL connection strings.
#include "store/postgres/pg_url.h"

#include <cctype>
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
std::string RedactUri(std::string_view uri) {
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
std::string RedactKeyValue(std::string_view text) {
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
  return IsConnectionUri(conninfo) ? RedactUri(conninfo) : RedactKeyValue(conninfo);
}

}  // namespace steadfast
