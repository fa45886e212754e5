// OtlpReceiver: RESTinio on its own io_context and thread; nlohmann::json
// for the payload; the checks a strict collector would make.
#include "otlp_receiver.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

#include <restinio/all.hpp>
#include <restinio/helpers/http_field_parsers/content-type.hpp>

namespace steadfast::testing {
namespace {

namespace asio = restinio::asio_ns;
namespace hfp = restinio::http_field_parsers;
using json = nlohmann::json;

std::string Lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

bool IsLowerHex(const std::string& s, size_t digits) {
  return s.size() == digits &&
         std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool IsAllZero(const std::string& s) { return std::all_of(s.begin(), s.end(), [](char c) { return c == '0'; }); }

// An int64 from its decimal text (optionally signed); false when it is not one.
bool ParseInt64(const std::string& s, int64_t* out) {
  if (s.empty()) return false;
  const char* end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(s.data(), end, *out);
  return ec == std::errc() && ptr == end;
}

std::string Quoted(const json& j) {
  if (j.is_string()) return "'" + j.get<std::string>() + "'";
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

// Walks one ExportTraceServiceRequest, collecting spans and problems.
class PayloadChecker {
 public:
  explicit PayloadChecker(std::vector<ReceivedSpan>* spans) : spans_(spans) {}

  std::vector<std::string> Check(std::string_view body) {
    const json request = json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (request.is_discarded()) {
      Problem("body is not valid JSON");
      return std::move(problems_);
    }
    if (!request.is_object()) {
      Problem("body is not a JSON object");
      return std::move(problems_);
    }
    const json* resource_spans = NonEmptyArray(request, "resourceSpans", "request");
    if (resource_spans == nullptr) return std::move(problems_);
    for (size_t r = 0; r < resource_spans->size(); ++r) CheckResourceSpans((*resource_spans)[r], r);
    return std::move(problems_);
  }

 private:
  void Problem(std::string text) { problems_.push_back(std::move(text)); }

  // obj[key] when it is a non-empty array; records the problem otherwise.
  const json* NonEmptyArray(const json& obj, const char* key, const std::string& where) {
    const auto it = obj.find(key);
    if (it == obj.end()) {
      Problem(where + ": missing " + key);
      return nullptr;
    }
    if (!it->is_array() || it->empty()) {
      Problem(where + ": " + key + " is not a non-empty array");
      return nullptr;
    }
    return &*it;
  }

  void CheckResourceSpans(const json& rs, size_t r) {
    const std::string where = "resourceSpans[" + std::to_string(r) + "]";
    if (!rs.is_object()) {
      Problem(where + " is not an object");
      return;
    }
    json resource_attributes = json::object();
    const auto resource = rs.find("resource");
    if (resource != rs.end() && resource->is_object()) {
      resource_attributes = Attributes(*resource, where + " resource");
    } else if (resource != rs.end()) {
      Problem(where + ": resource is not an object");
    }
    const auto service = resource_attributes.find("service.name");
    if (service == resource_attributes.end() || !service->is_string() || service->get<std::string>().empty()) {
      Problem(where + ": resource has no service.name string attribute");
    }
    const json* scope_spans = NonEmptyArray(rs, "scopeSpans", where);
    if (scope_spans == nullptr) return;
    for (size_t s = 0; s < scope_spans->size(); ++s) {
      const json& ss = (*scope_spans)[s];
      const std::string scope_where = where + ".scopeSpans[" + std::to_string(s) + "]";
      if (!ss.is_object()) {
        Problem(scope_where + " is not an object");
        continue;
      }
      if (const auto scope = ss.find("scope"); scope != ss.end()) {
        if (!scope->is_object()) {
          Problem(scope_where + ": scope is not an object");
        } else if (const auto name = scope->find("name"); name != scope->end() && !name->is_string()) {
          Problem(scope_where + ": scope.name is not a string");
        }
      }
      const json* spans = NonEmptyArray(ss, "spans", scope_where);
      if (spans == nullptr) continue;
      for (const json& span : *spans) CheckSpan(span, resource_attributes);
    }
  }

  void CheckSpan(const json& span, const json& resource_attributes) {
    const size_t index = span_index_++;
    std::string where = "span " + std::to_string(index);
    if (!span.is_object()) {
      Problem(where + " is not an object");
      return;
    }
    ReceivedSpan out;
    out.resource_attributes = resource_attributes;
    if (const auto name = span.find("name"); name != span.end() && name->is_string()) {
      out.name = name->get<std::string>();
      where += " ('" + out.name + "')";
    }
    if (out.name.empty()) Problem(where + ": name is missing or empty");
    out.trace_id = Id(span, "traceId", 32, /*required=*/true, where);
    out.span_id = Id(span, "spanId", 16, /*required=*/true, where);
    out.parent_span_id = Id(span, "parentSpanId", 16, /*required=*/false, where);

    const auto kind = span.find("kind");
    if (kind == span.end() || !kind->is_number_integer()) {
      Problem(where + ": kind " + (kind == span.end() ? "is missing" : Quoted(*kind) + " is not an integer"));
    } else {
      out.kind = kind->get<int>();
      if (out.kind < 1 || out.kind > 5) Problem(where + ": kind " + std::to_string(out.kind) + " is not 1..5");
    }

    const bool have_start = Time(span, "startTimeUnixNano", where, &out.start_ns);
    const bool have_end = Time(span, "endTimeUnixNano", where, &out.end_ns);
    if (have_start && have_end && out.end_ns < out.start_ns) {
      Problem(where + ": endTimeUnixNano " + std::to_string(out.end_ns) + " is before startTimeUnixNano " +
              std::to_string(out.start_ns));
    }

    out.attributes = Attributes(span, where);

    if (const auto links = span.find("links"); links != span.end()) {
      if (!links->is_array()) {
        Problem(where + ": links is not an array");
      } else {
        for (size_t l = 0; l < links->size(); ++l) {
          const json& link = (*links)[l];
          const std::string link_where = where + " link " + std::to_string(l);
          if (!link.is_object()) {
            Problem(link_where + " is not an object");
            continue;
          }
          std::string trace_id = Id(link, "traceId", 32, /*required=*/true, link_where);
          std::string span_id = Id(link, "spanId", 16, /*required=*/true, link_where);
          Attributes(link, link_where);
          out.links.emplace_back(std::move(trace_id), std::move(span_id));
        }
      }
    }

    if (const auto status = span.find("status"); status != span.end()) {
      if (!status->is_object()) {
        Problem(where + ": status is not an object");
      } else {
        if (const auto code = status->find("code"); code != status->end()) {
          if (!code->is_number_integer() || code->get<int>() < 0 || code->get<int>() > 2) {
            Problem(where + ": status.code " + Quoted(*code) + " is not an integer 0..2");
          } else {
            out.status_code = code->get<int>();
          }
        }
        if (const auto message = status->find("message"); message != status->end()) {
          if (!message->is_string()) {
            Problem(where + ": status.message is not a string");
          } else {
            out.status_message = message->get<std::string>();
          }
        }
      }
    }
    spans_->push_back(std::move(out));
  }

  // A hex id field: `digits` lowercase hex digits, not all zero. Absent or
  // "" is fine when not required (parentSpanId of a root span).
  std::string Id(const json& obj, const char* key, size_t digits, bool required, const std::string& where) {
    const auto it = obj.find(key);
    if (it == obj.end() || (it->is_string() && it->get_ref<const std::string&>().empty())) {
      if (required) Problem(where + ": " + key + " is missing");
      return "";
    }
    if (!it->is_string() || !IsLowerHex(it->get<std::string>(), digits)) {
      Problem(where + ": " + key + " " + Quoted(*it) + " is not " + std::to_string(digits) + " lowercase hex digits");
      return it->is_string() ? it->get<std::string>() : "";
    }
    std::string id = it->get<std::string>();
    if (IsAllZero(id)) Problem(where + ": " + key + " is all zeros (an invalid id)");
    return id;
  }

  // A fixed64 time: a decimal string in OTLP JSON.
  bool Time(const json& obj, const char* key, const std::string& where, int64_t* out) {
    const auto it = obj.find(key);
    if (it == obj.end()) {
      Problem(where + ": " + key + " is missing");
      return false;
    }
    const bool digits_only = it->is_string() && !it->get_ref<const std::string&>().empty() &&
                             std::all_of(it->get_ref<const std::string&>().begin(),
                                         it->get_ref<const std::string&>().end(),
                                         [](char c) { return c >= '0' && c <= '9'; });
    if (!digits_only || !ParseInt64(it->get<std::string>(), out)) {
      Problem(where + ": " + key + " " + Quoted(*it) + " is not a decimal string");
      return false;
    }
    if (*out == 0) {
      Problem(where + ": " + key + " is 0");
      return false;
    }
    return true;
  }

  // obj.attributes (absent = none) as key -> value; records bad entries.
  json Attributes(const json& obj, const std::string& where) {
    json out = json::object();
    const auto it = obj.find("attributes");
    if (it == obj.end()) return out;
    if (!it->is_array()) {
      Problem(where + ": attributes is not an array");
      return out;
    }
    KeyValues(*it, where + " attribute", &out);
    return out;
  }

  void KeyValues(const json& list, const std::string& where, json* out) {
    std::set<std::string> seen;
    for (const json& kv : list) {
      if (!kv.is_object() || !kv.contains("key") || !kv["key"].is_string()) {
        Problem(where + " " + Quoted(kv) + " has no string key");
        continue;
      }
      const std::string key = kv["key"].get<std::string>();
      const std::string kv_where = where + " '" + key + "'";
      if (!seen.insert(key).second) Problem(kv_where + " appears twice");
      if (!kv.contains("value")) {
        Problem(kv_where + " has no value");
        continue;
      }
      json value;
      if (AnyValue(kv["value"], kv_where, &value)) (*out)[key] = std::move(value);
    }
  }

  // One OTLP AnyValue: an object with exactly one of the value fields.
  bool AnyValue(const json& v, const std::string& where, json* out) {
    static const std::set<std::string> kForms = {"stringValue", "boolValue",   "intValue",  "doubleValue",
                                                 "arrayValue",  "kvlistValue", "bytesValue"};
    if (!v.is_object() || v.size() != 1 || kForms.count(v.begin().key()) == 0) {
      Problem(where + ": value " + Quoted(v) + " is not an OTLP AnyValue (one of stringValue, boolValue, intValue, "
              "doubleValue, arrayValue, kvlistValue, bytesValue)");
      return false;
    }
    const std::string& form = v.begin().key();
    const json& x = v.begin().value();
    bool ok = false;
    if (form == "stringValue") {
      ok = x.is_string();
      if (ok) *out = x;
    } else if (form == "boolValue") {
      ok = x.is_boolean();
      if (ok) *out = x;
    } else if (form == "intValue") {  // int64: a decimal string (a JSON integer is accepted too)
      int64_t n = 0;
      ok = x.is_number_integer() || (x.is_string() && ParseInt64(x.get<std::string>(), &n));
      if (ok) *out = x.is_string() ? n : x.get<int64_t>();
    } else if (form == "doubleValue") {
      ok = x.is_number() || (x.is_string() && (x == "NaN" || x == "Infinity" || x == "-Infinity"));
      if (ok) *out = x.is_number() ? x.get<double>() : std::stod(x.get<std::string>());
    } else if (form == "bytesValue") {
      ok = x.is_string() && std::all_of(x.get_ref<const std::string&>().begin(),
                                        x.get_ref<const std::string&>().end(), [](char c) {
                                          return std::isalnum(static_cast<unsigned char>(c)) || c == '+' ||
                                                 c == '/' || c == '=' || c == '-' || c == '_';
                                        });
      if (ok) *out = x;
    } else if (form == "arrayValue") {
      ok = x.is_object() && (!x.contains("values") || x["values"].is_array());
      if (ok) {
        *out = json::array();
        if (x.contains("values")) {
          for (size_t i = 0; i < x["values"].size(); ++i) {
            json element;
            if (AnyValue(x["values"][i], where + "[" + std::to_string(i) + "]", &element)) out->push_back(element);
          }
        }
      }
    } else if (form == "kvlistValue") {
      ok = x.is_object() && (!x.contains("values") || x["values"].is_array());
      if (ok) {
        *out = json::object();
        if (x.contains("values")) KeyValues(x["values"], where + " entry", out);
      }
    }
    if (!ok) Problem(where + ": " + form + " " + Quoted(x) + " is not a valid " + form);
    return ok;
  }

  std::vector<ReceivedSpan>* spans_;
  std::vector<std::string> problems_;
  size_t span_index_ = 0;
};

const char* ReasonPhrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 415: return "Unsupported Media Type";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Status";
  }
}

}  // namespace

std::vector<std::string> CheckOtlpTraces(std::string_view body, std::vector<ReceivedSpan>* spans) {
  return PayloadChecker(spans).Check(body);
}

class OtlpReceiver::Impl {
 public:
  ~Impl() { Stop(); }

  void Open() {
    int bound_port = 0;
    auto settings = restinio::server_settings_t<restinio::default_traits_t>{};
    settings.address("127.0.0.1")
        .port(0)
        .protocol(asio::ip::tcp::v4())
        .acceptor_post_bind_hook(
            [&bound_port](asio::ip::tcp::acceptor& acceptor) { bound_port = acceptor.local_endpoint().port(); })
        .request_handler([this](restinio::request_handle_t req) { return OnRequest(std::move(req)); });
    server_ = std::make_unique<restinio::http_server_t<restinio::default_traits_t>>(
        restinio::external_io_context(io_), std::move(settings));
    server_->open_sync();  // throws when it cannot listen
    url_ = "http://127.0.0.1:" + std::to_string(bound_port);
    thread_ = std::thread([this] { io_.run(); });
  }

  void Stop() {
    if (!thread_.joinable()) return;
    auto closed = std::make_shared<std::promise<void>>();
    std::future<void> done = closed->get_future();
    asio::post(io_, [this, closed] {
      try {
        server_->close_sync();
      } catch (const std::exception&) {
        // Closing a listener that failed is not the test's concern.
      }
      closed->set_value();
    });
    done.wait_for(std::chrono::seconds(5));
    io_.stop();
    thread_.join();
  }

  const std::string& url() const { return url_; }

  mutable std::mutex mu;
  mutable std::condition_variable spans_cv;
  std::vector<ReceivedSpan> spans;                         // GUARDED_BY(mu)
  std::vector<std::string> problems;                       // GUARDED_BY(mu)
  std::vector<std::pair<std::string, std::string>> headers;  // GUARDED_BY(mu): lower-case name, value
  std::deque<std::pair<int, std::string>> scripted;        // GUARDED_BY(mu): RespondOnce answers
  int standing_status = 0;                                 // GUARDED_BY(mu)
  std::chrono::milliseconds delay{0};                      // GUARDED_BY(mu)
  int request_count = 0;                                   // GUARDED_BY(mu)

 private:
  restinio::request_handling_status_t OnRequest(restinio::request_handle_t req) {
    const auto& header = req->header();
    std::vector<std::string> found;
    int status = 0;
    std::string body = "{}";

    const bool right_target = header.path() == "/v1/traces";
    const bool right_method = header.method() == restinio::http_method_post();
    if (!right_target) found.push_back("path '" + std::string(header.path()) + "' is not /v1/traces");
    if (!right_method) found.push_back(std::string("method ") + header.method().c_str() + " is not POST");

    const auto content_type = header.opt_value_of(restinio::http_field::content_type);
    if (!content_type) {
      found.push_back("no Content-Type header");
    } else {
      const auto parsed = hfp::content_type_value_t::try_parse(*content_type);
      if (!parsed || Lower(parsed->media_type.type) != "application" || Lower(parsed->media_type.subtype) != "json") {
        found.push_back("Content-Type '" + std::string(*content_type) + "' is not application/json");
      }
    }

    std::vector<ReceivedSpan> received;
    if (right_target && right_method) {
      for (std::string& p : CheckOtlpTraces(req->body(), &received)) found.push_back(std::move(p));
    }

    std::chrono::milliseconds wait{0};
    {
      std::lock_guard<std::mutex> lock(mu);
      const int n = ++request_count;
      header.for_each_field(
          [this](const auto& field) { headers.emplace_back(Lower(field.name()), field.value()); });
      for (std::string& p : found) problems.push_back("request " + std::to_string(n) + ": " + p);
      if (!right_target) {
        status = 404;
      } else if (!right_method) {
        status = 405;
      } else if (!scripted.empty()) {
        std::tie(status, body) = scripted.front();
        scripted.pop_front();
        if (body.empty()) body = "{}";
      } else {
        status = standing_status;
      }
      if (status == 0) status = 200;
      if (status >= 200 && status < 300) {
        for (ReceivedSpan& span : received) spans.push_back(std::move(span));
        spans_cv.notify_all();
      }
      wait = delay;
    }

    auto respond = [req, status, body = std::move(body)]() {
      const restinio::http_status_code_t code{static_cast<std::uint16_t>(status)};
      req->create_response(restinio::http_status_line_t{code, ReasonPhrase(status)})
          .append_header(restinio::http_field::content_type, "application/json")
          .set_body(body)
          .done();
    };
    if (wait.count() == 0) {
      respond();
    } else {
      // A slow collector without a blocked thread: answer from a timer.
      auto timer = std::make_shared<asio::steady_timer>(io_, wait);
      timer->async_wait([timer, respond](const asio::error_code& ec) {
        if (!ec) respond();
      });
    }
    return restinio::request_accepted();
  }

  asio::io_context io_;
  std::unique_ptr<restinio::http_server_t<restinio::default_traits_t>> server_;
  std::thread thread_;
  std::string url_;
};

OtlpReceiver::OtlpReceiver(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

OtlpReceiver::~OtlpReceiver() = default;

std::unique_ptr<OtlpReceiver> OtlpReceiver::Start() {
  auto impl = std::make_unique<Impl>();
  try {
    impl->Open();
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("OtlpReceiver: cannot listen on 127.0.0.1: ") + e.what());
  }
  return std::unique_ptr<OtlpReceiver>(new OtlpReceiver(std::move(impl)));
}

std::string OtlpReceiver::url() const { return impl_->url(); }

std::vector<ReceivedSpan> OtlpReceiver::Spans() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->spans;
}

bool OtlpReceiver::WaitForSpans(size_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(impl_->mu);
  return impl_->spans_cv.wait_for(lock, timeout, [&] { return impl_->spans.size() >= n; });
}

void OtlpReceiver::RespondWith(int http_status) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->standing_status = http_status;
}

void OtlpReceiver::RespondOnce(int http_status, std::string body) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->scripted.emplace_back(http_status, std::move(body));
}

void OtlpReceiver::SetDelay(std::chrono::milliseconds delay) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->delay = delay;
}

int OtlpReceiver::requests() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->request_count;
}

std::vector<std::string> OtlpReceiver::Problems() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->problems;
}

std::vector<std::string> OtlpReceiver::Headers(const std::string& name) const {
  const std::string wanted = Lower(name);
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::vector<std::string> out;
  for (const auto& [n, value] : impl_->headers) {
    if (n == wanted) out.push_back(value);
  }
  return out;
}

}  // namespace steadfast::testing
