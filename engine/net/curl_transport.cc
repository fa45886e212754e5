// CurlTransport: libcurl's easy interface, fresh or kept-alive handles.
#include "net/curl_transport.h"

#include <curl/curl.h>

#include <algorithm>

namespace steadfast::net {
namespace {

struct ListDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using HeaderList = std::unique_ptr<curl_slist, ListDeleter>;

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct BodySink {
  std::string* body;
  size_t limit;  // 0 = unlimited
};

// Keeps at most `limit` bytes but consumes everything: a cut body is not an error.
size_t AppendBody(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<BodySink*>(user);
  const size_t n = size * count;
  const size_t room = sink->limit == 0 ? n : sink->limit - std::min(sink->limit, sink->body->size());
  sink->body->append(data, std::min(n, room));
  return n;
}

// libcurl's progress hook: a non-zero return aborts the transfer.
int AbortWhenSet(void* flag, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<const std::atomic<bool>*>(flag)->load() ? 1 : 0;
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
    case CURLE_ABORTED_BY_CALLBACK:
      return TransportErrorKind::kAborted;
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

bool Append(HeaderList& list, const std::string& line) {
  curl_slist* next = curl_slist_append(list.get(), line.c_str());
  if (next == nullptr) return false;
  (void)list.release();
  list.reset(next);
  return true;
}

}  // namespace

struct CurlTransport::Handle {
  Handle() : easy(curl_easy_init()) {}
  ~Handle() {
    if (easy != nullptr) curl_easy_cleanup(easy);
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  CURL* easy;
};

namespace {

// One exchange on `h`, whose options are reset first (a kept-alive handle
// keeps only its connection from the previous exchange).
TransportResult Perform(CURL* h, const HttpRequest& request, const CurlTransportOptions& options, bool fresh) {
  curl_easy_reset(h);
  HeaderList headers;
  for (const auto& [name, value] : request.headers) {
    if (!Append(headers, name + ": " + value)) {
      return TransportError{TransportErrorKind::kOther, "out of memory building headers"};
    }
  }
  // No "Expect: 100-continue" round trip before a body.
  if (!Append(headers, "Expect:")) return TransportError{TransportErrorKind::kOther, "out of memory building headers"};

  std::string body;
  BodySink sink{&body, request.max_response_bytes};
  char error_buffer[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  if (fresh) {
    curl_easy_setopt(h, CURLOPT_FORBID_REUSE, 1L);
    curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);
  }
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout_ms));
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(request.connect_timeout_ms));
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &AppendBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);
  if (!options.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, options.ca_file.c_str());
  if (request.abort != nullptr) {
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, &AbortWhenSet);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, const_cast<std::atomic<bool>*>(request.abort));
  }
  if (request.method == HttpMethod::kPost) {
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());  // not copied: request outlives the perform
  } else {
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
  }

  const CURLcode code = curl_easy_perform(h);
  if (code != CURLE_OK) {
    std::string message = curl_easy_strerror(code);
    if (error_buffer[0] != '\0') message += std::string(": ") + error_buffer;
    message += " (curl error " + std::to_string(static_cast<int>(code)) + ")";
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

}  // namespace

}  // namespace steadfast::net

namespace steadfast {

std::optional<int64_t> ParseHttpDate(std::string_view text) {
  const time_t when = curl_getdate(std::string(text).c_str(), nullptr);
  if (when == -1) return std::nullopt;
  return static_cast<int64_t>(when);
}

}  // namespace steadfast

namespace steadfast::net {

CurlTransport::CurlTransport(CurlTransportOptions options) : options_(std::move(options)) { GlobalInit(); }

CurlTransport::~CurlTransport() = default;

CurlTransport& CurlTransport::Instance() {
  static CurlTransport transport;
  return transport;
}

TransportResult CurlTransport::Send(const HttpRequest& request) {
  if (!options_.keep_alive) {
    Handle fresh;
    if (fresh.easy == nullptr) return TransportError{TransportErrorKind::kOther, "curl_easy_init failed"};
    return Perform(fresh.easy, request, options_, /*fresh=*/true);
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (!handle_) handle_ = std::make_unique<Handle>();
  if (handle_->easy == nullptr) {
    handle_.reset();
    return TransportError{TransportErrorKind::kOther, "curl_easy_init failed"};
  }
  return Perform(handle_->easy, request, options_, /*fresh=*/false);
}

}  // namespace steadfast::net
