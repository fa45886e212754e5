// CurlTransport: libcurl easy interface, one handle per exchange.
#include "curl_transport.h"

#include <curl/curl.h>

#include <memory>
#include <mutex>

namespace steadfast::refund {

namespace {

struct EasyDeleter {
  void operator()(CURL* h) const { curl_easy_cleanup(h); }
};
struct ListDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using Easy = std::unique_ptr<CURL, EasyDeleter>;
using HeaderList = std::unique_ptr<curl_slist, ListDeleter>;

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t AppendBody(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

TransportErrorKind KindOf(CURLcode code) {
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return TransportErrorKind::kTimeout;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SSL_CONNECT_ERROR:
      return TransportErrorKind::kConnectFailed;
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_PARTIAL_FILE:
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return TransportErrorKind::kConnectionLost;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
      return TransportErrorKind::kTlsVerification;
    default:
      return TransportErrorKind::kOther;
  }
}

std::string Lower(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

}  // namespace

CurlTransport::CurlTransport() { GlobalInit(); }

CurlTransport& CurlTransport::Instance() {
  static CurlTransport transport;
  return transport;
}

TransportResult CurlTransport::Send(const HttpRequest& request) {
  Easy easy(curl_easy_init());
  if (!easy) return TransportError{TransportErrorKind::kOther, "curl_easy_init failed"};
  CURL* h = easy.get();

  HeaderList headers;
  for (const auto& [name, value] : request.headers) {
    const std::string line = name + ": " + value;
    curl_slist* next = curl_slist_append(headers.get(), line.c_str());
    if (next == nullptr) return TransportError{TransportErrorKind::kOther, "out of memory building headers"};
    (void)headers.release();
    headers.reset(next);
  }
  // No "Expect: 100-continue" round trip for small bodies.
  if (curl_slist* next = curl_slist_append(headers.get(), "Expect:")) {
    (void)headers.release();
    headers.reset(next);
  }

  std::string body;
  char error_buffer[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_FORBID_REUSE, 1L);
  curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout_ms));
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(request.connect_timeout_ms));
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &AppendBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);
  if (request.method == HttpMethod::kPost) {
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(h, CURLOPT_COPYPOSTFIELDS, request.body.c_str());
  } else {
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
  }

  const CURLcode code = curl_easy_perform(h);
  if (code != CURLE_OK) {
    std::string message = curl_easy_strerror(code);
    if (error_buffer[0] != '\0') message += std::string(": ") + error_buffer;
    return TransportError{KindOf(code), std::move(message)};
  }

  HttpResponse response;
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  response.status = static_cast<int>(status);
  response.body = std::move(body);
  for (curl_header* header = curl_easy_nextheader(h, CURLH_HEADER, -1, nullptr); header != nullptr;
       header = curl_easy_nextheader(h, CURLH_HEADER, -1, header)) {
    response.headers[Lower(header->name)] = header->value;
  }
  return response;
}

Result<std::string> FormUrlEncode(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (const auto& [name, value] : fields) {
    if (!out.empty()) out += '&';
    SF_ASSIGN_OR_RETURN(std::string escaped_name, UrlEscape(name));
    SF_ASSIGN_OR_RETURN(std::string escaped_value, UrlEscape(value));
    out += escaped_name + "=" + escaped_value;
  }
  return out;
}

Result<std::string> UrlEscape(std::string_view text) {
  GlobalInit();
  Easy easy(curl_easy_init());
  if (!easy) return Status::Internal("curl_easy_init failed");
  char* escaped = curl_easy_escape(easy.get(), text.data(), static_cast<int>(text.size()));
  if (escaped == nullptr) return Status::Internal("curl_easy_escape failed");
  std::string out(escaped);
  curl_free(escaped);
  return out;
}

}  // namespace steadfast::refund
