// URL parts through libcurl's CURLU API.
#include "net/url_parts.h"

#include <curl/curl.h>

#include <memory>

namespace steadfast::net {
namespace {

struct UrlDeleter {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
using Url = std::unique_ptr<CURLU, UrlDeleter>;

// A part's text, or nullopt.
std::optional<std::string> Get(CURLU* url, CURLUPart part) {
  char* text = nullptr;
  if (curl_url_get(url, part, &text, 0) != CURLUE_OK) return std::nullopt;
  std::string out(text);
  curl_free(text);
  return out;
}

Url Parse(const std::string& text) {
  Url url(curl_url());
  if (url && curl_url_set(url.get(), CURLUPART_URL, text.c_str(), 0) != CURLUE_OK) url.reset();
  return url;
}

}  // namespace

std::optional<std::string> EditUrlPath(const std::string& url, const std::function<std::string(std::string)>& edit) {
  Url parsed = Parse(url);
  if (!parsed) return std::nullopt;
  std::optional<std::string> path = Get(parsed.get(), CURLUPART_PATH);
  if (!path) return std::nullopt;
  if (curl_url_set(parsed.get(), CURLUPART_PATH, edit(*path).c_str(), 0) != CURLUE_OK) return std::nullopt;
  return Get(parsed.get(), CURLUPART_URL);
}

std::string UrlForLogs(const std::string& url) {
  Url parsed = Parse(url);
  if (!parsed) return "(unparsable endpoint)";
  for (CURLUPart part : {CURLUPART_USER, CURLUPART_PASSWORD, CURLUPART_OPTIONS, CURLUPART_QUERY, CURLUPART_FRAGMENT}) {
    curl_url_set(parsed.get(), part, nullptr, 0);
  }
  return Get(parsed.get(), CURLUPART_URL).value_or("(unparsable endpoint)");
}

}  // namespace steadfast::net
