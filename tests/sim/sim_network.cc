// SimNetwork: HttpRequest -> SandboxRequest (RESTinio's parsers, as the
// sandbox's own front end), admission, simulated wire time, the answer.
#include "sim_network.h"

#include <restinio/helpers/http_field_parsers/authorization.hpp>
#include <restinio/helpers/http_field_parsers/bearer_auth.hpp>
#include <restinio/helpers/http_field_parsers/content-type.hpp>
#include <restinio/uri_helpers.hpp>

#include <algorithm>
#include <cctype>

#include "sandbox_database.h"

namespace steadfast::sim {
namespace {

namespace hfp = restinio::http_field_parsers;

template <class Target>
bool ParseParams(std::string_view text, Target& out) {
  auto parsed = restinio::try_parse_query<restinio::parse_query_traits::relaxed>(text);
  if (!parsed) return false;
  for (const auto& [name, value] : *parsed) out.emplace_back(std::string(name), std::string(value));
  return true;
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

sandbox::SandboxRequest Translate(const HttpRequest& request, std::string_view target) {
  sandbox::SandboxRequest r;
  r.method = request.method == HttpMethod::kPost ? "POST" : "GET";
  size_t q = target.find('?');
  r.path = std::string(target.substr(0, q));
  if (q != std::string_view::npos) r.raw_query = std::string(target.substr(q + 1));
  r.query_valid = ParseParams(r.raw_query, r.query);
  if (request.method == HttpMethod::kPost) r.body = request.body;
  for (const auto& [name, value] : request.headers) {
    const std::string n = Lower(name);
    if (n == "content-type") {
      const auto parsed = hfp::content_type_value_t::try_parse(value);
      r.is_form = parsed && parsed->media_type.type == "application" &&
                  parsed->media_type.subtype == "x-www-form-urlencoded";
    } else if (n == "authorization") {
      r.has_authorization = true;
      if (const auto parsed = hfp::authorization_value_t::try_parse(value); parsed && parsed->auth_scheme == "bearer") {
        if (const auto bearer = hfp::bearer_auth::try_extract_params(*parsed)) r.api_key = bearer->token;
      }
    } else if (n == "idempotency-key") {
      r.idempotency_key = value;
    } else if (n == "traceparent") {
      r.traceparent = value;
    }
  }
  if (r.is_form) r.form_valid = ParseParams(r.body, r.form);
  return r;
}

HttpResponse ToResponse(const sandbox::SandboxResponse& s) {
  HttpResponse r;
  r.status = s.status;
  r.body = s.body;
  r.headers["content-type"] = "application/json";
  for (const auto& [name, value] : s.headers) r.headers[Lower(name)] = value;
  return r;
}

}  // namespace

Result<std::unique_ptr<SimNetwork>> SimNetwork::Create(uint64_t seed, const Clock& clock,
                                                       std::function<void(int64_t)> advance) {
  std::unique_ptr<SimNetwork> net(new SimNetwork(clock, std::move(advance)));
  SF_ASSIGN_OR_RETURN(std::unique_ptr<Connection> db, sandbox::OpenSandboxDatabase(":memory:"));
  sandbox::ServiceOptions options;
  options.secret_key = kPspSecretKey;
  options.seed = seed;
  SF_ASSIGN_OR_RETURN(net->service_, sandbox::SandboxService::Create(options, std::move(db), clock));
  return net;
}

sandbox::SandboxResponse SimNetwork::Control(const std::string& method, const std::string& path,
                                             const std::string& body) {
  sandbox::SandboxRequest r;
  r.method = method;
  r.path = path;
  r.body = body;
  sandbox::Admission a = service_->Admit(r);
  if (a.immediate) return *a.immediate;
  return service_->Handle(r, a);
}

Status SimNetwork::SeedCharge(const std::string& id, int64_t amount_minor, const std::string& currency) {
  nlohmann::json body{{"id", id}, {"amount", amount_minor}, {"currency", currency}};
  sandbox::SandboxResponse r = Control("POST", "/sandbox/charges", body.dump());
  if (r.status != 200) return Status::Internal("seeding charge " + id + ": " + r.body);
  return Status::Ok();
}

Status SimNetwork::Configure(const std::string& path, const nlohmann::json& body) {
  sandbox::SandboxResponse r = Control("POST", path, body.dump());
  if (r.status != 200) return Status::Internal("configuring " + path + ": " + r.body);
  return Status::Ok();
}

void SimNetwork::RecordEffect(const sandbox::SandboxRequest& request, const std::string& key,
                              const sandbox::SandboxResponse& response) {
  if (request.method != "POST" || request.path != "/v1/refunds" || response.status != 200) return;
  for (const auto& [name, value] : response.headers) {
    if (Lower(name) == "idempotent-replayed" && value == "true") return;
  }
  nlohmann::json body = nlohmann::json::parse(response.body, nullptr, false);
  if (body.is_object() && body.contains("id") && body["id"].is_string()) {
    refunds_by_key_[key].insert(body["id"].get<std::string>());
  }
}

TransportResult SimNetwork::Send(const HttpRequest& request) {
  ++stats_.requests;
  const std::string_view url = request.url;
  const std::string_view base = kPspBaseUrl;
  if (url.substr(0, base.size()) != base) {
    return TransportError{TransportErrorKind::kConnectFailed, "no such host in the simulation"};
  }
  sandbox::SandboxRequest r = Translate(request, url.substr(base.size()));
  const std::string key = r.idempotency_key;
  if (ignore_idempotency_ && r.path == "/v1/refunds") r.idempotency_key.clear();
  auto trace = [&](const std::string& what) {
    if (trace_) trace_("net " + r.method + " " + r.path + " key " + key + ": " + what);
  };
  sandbox::Admission a = service_->Admit(r);
  if (a.immediate) {
    ++stats_.error_answers;
    trace(std::to_string(a.immediate->status) + " at once");
    return ToResponse(*a.immediate);
  }
  if (on_wire_) on_wire_();
  if (a.fault.kind == sandbox::FaultKind::kDropped) {
    sandbox::SandboxResponse lost = service_->Handle(r, a);
    RecordEffect(r, key, lost);
    ++stats_.lost_responses;
    trace(std::to_string(lost.status) + " lost");
    return TransportError{TransportErrorKind::kConnectionLost, "simulated: connection closed without an answer"};
  }
  if (a.fault.delay_ms > 0) {
    if (a.fault.delay_ms >= request.timeout_ms) {
      // The caller gives up at its timeout; the PSP acts on the request anyway.
      advance_(request.timeout_ms);
      sandbox::SandboxResponse late = service_->Handle(r, a);
      RecordEffect(r, key, late);
      ++stats_.timeouts;
      trace(std::to_string(late.status) + " after the caller's timeout");
      return TransportError{TransportErrorKind::kTimeout, "simulated: no answer within the timeout"};
    }
    advance_(a.fault.delay_ms);
  }
  sandbox::SandboxResponse response = service_->Handle(r, a);
  RecordEffect(r, key, response);
  if (response.status >= 400) ++stats_.error_answers;
  trace(std::to_string(response.status));
  return ToResponse(response);
}

}  // namespace steadfast::sim
