// libcurl transport and the API client.
#include "http_client.h"

#include <curl/curl.h>

#include <mutex>

namespace steadfast::cli {
namespace {

struct ListDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using HeaderList = std::unique_ptr<curl_slist, ListDeleter>;

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t AppendBody(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

bool Append(HeaderList& list, const std::string& line) {
  curl_slist* next = curl_slist_append(list.get(), line.c_str());
  if (next == nullptr) return false;
  (void)list.release();
  list.reset(next);
  return true;
}

}  // namespace

CurlHttpClient::CurlHttpClient(std::string ca_file) : ca_file_(std::move(ca_file)) { GlobalInit(); }

CurlHttpClient::~CurlHttpClient() {
  if (handle_ != nullptr) curl_easy_cleanup(static_cast<CURL*>(handle_));
}

Result<HttpReply> CurlHttpClient::Send(const HttpCall& call) {
  std::lock_guard<std::mutex> lock(mu_);
  if (handle_ == nullptr) handle_ = curl_easy_init();
  if (handle_ == nullptr) return Status::Internal("curl_easy_init failed");
  CURL* h = static_cast<CURL*>(handle_);
  // Forgets the previous call's options but keeps its open connection.
  curl_easy_reset(h);
  HeaderList headers;
  for (const auto& [name, value] : call.headers) {
    if (!Append(headers, name + ": " + value)) return Status::Internal("out of memory building headers");
  }
  if (!Append(headers, "Expect:")) return Status::Internal("out of memory building headers");

  std::string body;
  char error_buffer[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(h, CURLOPT_URL, call.url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(call.timeout_ms));
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &AppendBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);
  if (!ca_file_.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, ca_file_.c_str());
  if (call.method == "POST") {
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(call.body.size()));
    curl_easy_setopt(h, CURLOPT_COPYPOSTFIELDS, call.body.c_str());
  } else if (call.method == "GET") {
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, call.method.c_str());
  }
  CURLcode code = curl_easy_perform(h);
  if (code != CURLE_OK) {
    std::string message = curl_easy_strerror(code);
    if (error_buffer[0] != '\0') message += std::string(": ") + error_buffer;
    return Status::Unavailable(call.url + ": " + message);
  }
  HttpReply reply;
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  reply.status = static_cast<int>(status);
  char* content_type = nullptr;
  if (curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &content_type) == CURLE_OK && content_type != nullptr) {
    reply.content_type = content_type;
  }
  reply.body = std::move(body);
  return reply;
}

ApiClient::ApiClient(std::unique_ptr<HttpClient> client, std::string base_url, std::string token)
    : client_(std::move(client)), base_url_(std::move(base_url)), token_(std::move(token)) {
  while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
}

Result<ApiReply> ApiClient::Exchange(HttpCall call) {
  call.headers.emplace_back("Accept", "application/json");
  if (!token_.empty()) call.headers.emplace_back("Authorization", "Bearer " + token_);
  SF_ASSIGN_OR_RETURN(HttpReply reply, client_->Send(call));
  ApiReply out;
  out.status = reply.status;
  if (reply.content_type.rfind("application/json", 0) == 0) {
    // The server's answers wrap accepted values (an instance in a list).
    Result<Value> v = Value::FromJson(reply.body, kMaxEnvelopedValueDepth);
    if (!v.ok()) return Status::Internal("the server sent invalid JSON (HTTP " + std::to_string(reply.status) + ")");
    out.json = std::move(v).value();
  }
  return out;
}

Result<ApiReply> ApiClient::Get(const std::string& path) {
  HttpCall call;
  call.method = "GET";
  call.url = base_url_ + path;
  return Exchange(std::move(call));
}

Result<ApiReply> ApiClient::Post(const std::string& path, const std::string& json_body,
                                 const std::vector<std::pair<std::string, std::string>>& headers) {
  HttpCall call;
  call.method = "POST";
  call.url = base_url_ + path;
  call.headers = headers;
  call.headers.emplace_back("Content-Type", "application/json");
  call.body = json_body;
  return Exchange(std::move(call));
}

std::string UrlEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                      c == '_' || c == '.' || c == '~';
    if (unreserved) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  return out;
}

}  // namespace steadfast::cli
