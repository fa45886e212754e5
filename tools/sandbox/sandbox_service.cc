// SandboxService: admission, routing, control endpoints and call recording.
#include "sandbox_service.h"

#include <cstdio>

#include "text_parse.h"

namespace steadfast::sandbox {

namespace {

bool StartsWith(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }

// "****abcd": enough to tell keys apart, never the key.
std::string MaskKey(std::string_view key) {
  if (key.size() < 12) return "****";
  return "****" + std::string(key.substr(key.size() - 4));
}

Outcome NotFound(const SandboxRequest& request) {
  if (StartsWith(request.path, "/v1/")) {
    return ErrorOutcome(404, "invalid_request_error", "",
                        "Unrecognized request URL (" + request.method + ": " + request.path +
                            "). The sandbox implements POST/GET /v1/refunds, GET /v1/refunds/{id}, "
                            "GET /v1/charges/{id}, POST /v1/transfers, GET /v1/transfers/{id} and "
                            "POST /v1/transfers/{id}/reversals, GET /v1/disputes and GET /v1/disputes/{id}.");
  }
  return ErrorOutcome(404, "invalid_request_error", "not_found",
                      "No route for " + request.method + " " + request.path + " (see docs/sandbox.md).");
}

Outcome MethodNotAllowed(const SandboxRequest& request) {
  return ErrorOutcome(405, "invalid_request_error", "method_not_allowed",
                      request.method + " is not allowed on " + request.path + ".");
}

Result<nlohmann::json> JsonBody(const SandboxRequest& request) {
  nlohmann::json body = nlohmann::json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object()) return Status::InvalidArgument("The body must be a JSON object.");
  return body;
}

Outcome InvalidJson(const Status& status) {
  return ErrorOutcome(400, "invalid_request_error", "invalid_json", status.message());
}

Outcome InvalidSetting(const Status& status) {
  return ErrorOutcome(400, "invalid_request_error", "parameter_invalid", status.message());
}

}  // namespace

std::string_view KeySpace(std::string_view method, std::string_view path) {
  if (method != "POST") return "";
  if (StartsWith(path, "/v1/")) return "psp";
  if (StartsWith(path, "/inventory/")) return "inventory";
  if (path == "/notifications") return "notifications";
  return "";
}

SandboxService::SandboxService(ServiceOptions options, std::unique_ptr<Connection> db, const Clock& clock)
    : options_(std::move(options)),
      db_(std::move(db)),
      clock_(clock),
      ids_(options_.seed),
      faults_(options_.faults, options_.seed ^ 0x9e3779b97f4a7c15ULL),
      settlements_(*db_),
      book_(*db_, ids_),
      transfers_(*db_, ids_),
      disputes_(*db_, ids_, book_),
      idempotency_(*db_),
      records_(*db_),
      calls_(*db_),
      stripe_(book_, idempotency_),
      stripe_transfers_(transfers_, idempotency_),
      services_(records_, idempotency_, ids_),
      dispute_api_(disputes_) {}

Result<std::unique_ptr<SandboxService>> SandboxService::Create(ServiceOptions options, std::unique_ptr<Connection> db,
                                                               const Clock& clock) {
  SF_RETURN_IF_ERROR(ValidateFaultConfig(options.faults));
  SF_RETURN_IF_ERROR(ValidateSettlement(options.settlement));
  if (options.secret_key.empty()) return Status::InvalidArgument("a secret key is required");
  std::unique_ptr<SandboxService> service(new SandboxService(std::move(options), std::move(db), clock));
  SF_RETURN_IF_ERROR(service->Load());
  return service;
}

Status SandboxService::Load() {
  SF_RETURN_IF_ERROR(settlements_.Load());
  SF_RETURN_IF_ERROR(book_.Load());
  SF_RETURN_IF_ERROR(transfers_.Load());
  SF_RETURN_IF_ERROR(disputes_.Load());
  SF_RETURN_IF_ERROR(idempotency_.Load());
  SF_RETURN_IF_ERROR(records_.Load());
  return calls_.Load();
}

std::optional<SandboxResponse> SandboxService::CheckAuth(const SandboxRequest& request) const {
  if (StartsWith(request.path, "/v1/")) {
    Outcome denied;
    if (!request.has_authorization || request.api_key.empty()) {
      denied = ErrorOutcome(401, "invalid_request_error", "",
                            "You did not provide an API key. You need to provide your API key in the Authorization "
                            "header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').");
    } else if (request.api_key != options_.secret_key) {
      denied = ErrorOutcome(401, "invalid_request_error", "api_key_invalid",
                            "Invalid API Key provided: " + MaskKey(request.api_key));
    } else {
      return std::nullopt;
    }
    denied.response.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"Stripe\"");
    return denied.response;
  }
  const bool service_path = StartsWith(request.path, "/inventory/") || request.path == "/notifications";
  if (service_path && !options_.service_token.empty() && request.api_key != options_.service_token) {
    return ErrorOutcome(401, "authentication_error", "unauthorized", "A valid bearer token is required.").response;
  }
  return std::nullopt;
}

Admission SandboxService::Admit(const SandboxRequest& request) {
  Admission admission;
  admission.arrived_ms = clock_.NowMs();

  std::lock_guard lock(mu_);
  const std::string request_id = ids_.Next("req", 14);
  auto answer_now = [&](Outcome outcome) {
    RecordCall(request, admission, outcome, clock_.NowMs());
    admission.immediate = Finish(std::move(outcome), request_id);
    return admission;
  };

  if (auto denied = CheckAuth(request)) {
    Outcome outcome;
    outcome.response = std::move(*denied);
    return answer_now(std::move(outcome));
  }
  const std::string_view space = KeySpace(request.method, request.path);
  if (!space.empty() && !request.idempotency_key.empty() &&
      idempotency_.Find(space, request.idempotency_key) == nullptr) {
    if (!idempotency_.TryHold(space, request.idempotency_key)) {
      return answer_now(ErrorOutcome(409, "invalid_request_error", "idempotency_key_in_use",
                                     "There is currently another in-progress request using this Idempotent Key "
                                     "(that probably means you submitted twice, and the other request is still "
                                     "going through): '" + request.idempotency_key + "'. Please try again later."));
    }
    admission.held_space = std::string(space);
  }

  // Faults are drawn only for requests that got this far, so "next N"
  // counters are spent on requests that would otherwise have been handled.
  admission.fault = faults_.Decide(request.path);
  const FaultKind kind = admission.fault.kind;
  if (kind == FaultKind::kRateLimited || kind == FaultKind::kServerError) {
    // Answered before the request executes: nothing runs, nothing is saved.
    if (!admission.held_space.empty()) idempotency_.Release(admission.held_space, request.idempotency_key);
    admission.held_space.clear();
    if (kind == FaultKind::kServerError) {
      return answer_now(ErrorOutcome(500, "api_error", "",
                                     "An unknown error occurred while processing your request (sandbox fault)."));
    }
    Outcome limited = ErrorOutcome(429, "invalid_request_error", "rate_limit",
                                   "Too many requests hit the API too quickly. We recommend an exponential backoff "
                                   "of your requests.");
    limited.response.headers.emplace_back("Retry-After", std::to_string(admission.fault.retry_after_s));
    return answer_now(std::move(limited));
  }
  return admission;
}

SandboxResponse SandboxService::Handle(const SandboxRequest& request, const Admission& admission) {
  std::lock_guard lock(mu_);
  const TimeMs now = clock_.NowMs();
  CallContext ctx{ids_.Next("req", 14), now};
  Outcome outcome;
  Status settled = book_.SettleDue(now, settlements_);
  if (settled.ok()) settled = transfers_.SettleDue(now, settlements_);
  if (!settled.ok()) {
    outcome = ErrorOutcome(500, "api_error", "", "sandbox storage failure: " + settled.ToString());
  } else {
    outcome = Route(request, ctx);
  }
  if (!admission.held_space.empty()) idempotency_.Release(admission.held_space, request.idempotency_key);
  RecordCall(request, admission, outcome, clock_.NowMs());
  return Finish(std::move(outcome), ctx.request_id);
}

void SandboxService::Abandon(const SandboxRequest& request, const Admission& admission) {
  std::lock_guard lock(mu_);
  if (!admission.held_space.empty()) idempotency_.Release(admission.held_space, request.idempotency_key);
  Outcome none;
  none.response.status = 0;
  RecordCall(request, admission, none, clock_.NowMs());
}

SandboxResponse SandboxService::Finish(Outcome outcome, const std::string& request_id) const {
  outcome.response.headers.emplace_back("Request-Id", request_id);
  return std::move(outcome.response);
}

void SandboxService::RecordCall(const SandboxRequest& request, const Admission& admission, const Outcome& outcome,
                                TimeMs now_ms) {
  CallRecord call;
  call.at_ms = admission.arrived_ms;
  call.method = request.method;
  call.path = request.path;
  call.query = request.raw_query;
  call.idempotency_key = request.idempotency_key;
  call.traceparent = request.traceparent;
  call.status = outcome.response.status;
  if (admission.fault.kind != FaultKind::kNone) {
    call.fault = std::string(FaultKindName(admission.fault.kind));
  } else if (admission.fault.delayed_by_latency) {
    call.fault = "latency";
  }
  call.replayed = outcome.replayed;
  call.duration_ms = now_ms - admission.arrived_ms;
  call.object_id = outcome.object_id;
  if (Status recorded = calls_.Record(call); !recorded.ok()) {
    std::fprintf(stderr, "steadfast-sandbox: could not record a call: %s\n", recorded.ToString().c_str());
  }
}

Outcome SandboxService::Route(const SandboxRequest& request, const CallContext& ctx) {
  const std::string& method = request.method;
  const std::string_view path = request.path;
  const bool get = method == "GET";
  const bool post = method == "POST";

  if (path == "/v1/refunds") {
    if (post) return stripe_.CreateRefund(request, ctx, options_.settlement);
    if (get) return stripe_.ListRefunds(request);
    return NotFound(request);
  }
  for (const std::string_view prefix : {std::string_view("/v1/refunds/"), std::string_view("/v1/charges/")}) {
    if (!StartsWith(path, prefix)) continue;
    const std::string_view id = path.substr(prefix.size());
    if (!get || id.empty() || id.find('/') != std::string_view::npos) return NotFound(request);
    return prefix == "/v1/refunds/" ? stripe_.GetRefund(id) : stripe_.GetCharge(id);
  }
  if (path == "/v1/transfers" || StartsWith(path, "/v1/transfers/")) return RouteTransfers(request, ctx);
  if (path == "/v1/settlements") return get ? ListSettlements(request) : NotFound(request);
  if (path == "/v1/disputes" || StartsWith(path, "/v1/disputes/") || path == "/sandbox/disputes" ||
      StartsWith(path, "/sandbox/disputes/")) {
    return RouteDisputes(request, ctx);
  }
  if (StartsWith(path, "/v1/")) return NotFound(request);

  if (path == "/inventory/release") return post ? services_.InventoryRelease(request, ctx) : MethodNotAllowed(request);
  if (path == "/inventory/hold") return post ? services_.InventoryHold(request, ctx) : MethodNotAllowed(request);
  if (path == "/notifications") return post ? services_.Notify(request, ctx) : MethodNotAllowed(request);

  if (path == "/sandbox/charges") return post ? SeedCharge(request) : MethodNotAllowed(request);
  if (path == "/sandbox/faults") {
    if (get) return JsonOutcome(200, FaultConfigToJson(faults_.config()));
    if (post || method == "DELETE") return PatchFaults(request);
    return MethodNotAllowed(request);
  }
  if (path == "/sandbox/settlement") {
    if (get) return JsonOutcome(200, SettlementToJson(options_.settlement));
    if (post) return PatchSettlementConfig(request);
    return MethodNotAllowed(request);
  }
  if (path == "/sandbox/settle") return post ? SettleNow() : MethodNotAllowed(request);
  if (path == "/sandbox/calls") return get ? ListCalls(request) : MethodNotAllowed(request);
  if (path == "/sandbox/stats") return get ? Stats() : MethodNotAllowed(request);
  if (path == "/sandbox/inventory") {
    return get ? ListRecords(RecordKind::kInventoryRelease, RecordKind::kInventoryHold) : MethodNotAllowed(request);
  }
  if (path == "/sandbox/notifications") {
    return get ? ListRecords(RecordKind::kNotification, RecordKind::kNotification) : MethodNotAllowed(request);
  }
  if (path == "/sandbox/health") return get ? JsonOutcome(200, {{"ok", true}}) : MethodNotAllowed(request);
  return NotFound(request);
}

// /v1/transfers, /v1/transfers/{id} and /v1/transfers/{id}/reversals.
Outcome SandboxService::RouteTransfers(const SandboxRequest& request, const CallContext& ctx) {
  constexpr std::string_view kPrefix = "/v1/transfers/";
  constexpr std::string_view kReversals = "/reversals";
  const std::string_view path = request.path;
  if (path == "/v1/transfers") {
    return request.method == "POST" ? stripe_transfers_.CreateTransfer(request, ctx, options_.settlement.payout_delay_ms) : NotFound(request);
  }
  std::string_view rest = path.substr(kPrefix.size());
  const bool reversals = rest.size() > kReversals.size() && rest.substr(rest.size() - kReversals.size()) == kReversals;
  if (reversals) rest = rest.substr(0, rest.size() - kReversals.size());
  if (rest.empty() || rest.find('/') != std::string_view::npos) return NotFound(request);
  if (reversals) {
    return request.method == "POST" ? stripe_transfers_.CreateReversal(rest, request, ctx) : NotFound(request);
  }
  return request.method == "GET" ? stripe_transfers_.GetTransfer(rest) : NotFound(request);
}

// /v1/disputes[/{id}] (read, as the PSP's API) and /sandbox/disputes[/{id}]
// (open and close, as the cardholder's bank).
Outcome SandboxService::RouteDisputes(const SandboxRequest& request, const CallContext& ctx) {
  const std::string_view path = request.path;
  const bool v1 = StartsWith(path, "/v1/");
  const std::string_view base = v1 ? "/v1/disputes" : "/sandbox/disputes";
  std::string_view id = path.size() > base.size() ? path.substr(base.size() + 1) : std::string_view();
  if (id.find('/') != std::string_view::npos || (path.size() > base.size() && id.empty())) return NotFound(request);
  if (v1) {
    if (request.method != "GET") return NotFound(request);
    return id.empty() ? dispute_api_.List(request) : dispute_api_.Get(id);
  }
  if (request.method != "POST") return MethodNotAllowed(request);
  return id.empty() ? dispute_api_.Open(request, ctx) : dispute_api_.Close(id, request);
}

Outcome SandboxService::SeedCharge(const SandboxRequest& request) {
  Result<nlohmann::json> parsed = JsonBody(request);
  if (!parsed.ok()) return InvalidJson(parsed.status());
  const nlohmann::json& body = *parsed;
  auto bad = [](std::string_view message, std::string_view param) {
    return ErrorOutcome(400, "invalid_request_error", "parameter_invalid", message, param);
  };
  Charge charge;
  for (const auto& [key, value] : body.items()) {
    if (key == "amount") {
      if (!value.is_number_integer() || value.get<int64_t>() < 1) {
        return bad("amount must be a positive integer (minor units)", "amount");
      }
      charge.amount = value.get<int64_t>();
    } else if (key == "currency") {
      const std::string currency = AsciiLower(value.is_string() ? value.get<std::string>() : "");
      bool letters = currency.size() == 3;
      for (const char c : currency) letters = letters && c >= 'a' && c <= 'z';
      if (!letters) return bad("currency must be a three-letter ISO 4217 code", "currency");
      charge.currency = currency;
    } else if (key == "id") {
      if (!value.is_string() || !StartsWith(value.get<std::string>(), "ch_") || value.get<std::string>().size() < 4) {
        return bad("id must be a string starting with ch_", "id");
      }
      charge.id = value.get<std::string>();
    } else if (key == "payment_intent") {
      if (!value.is_string() || !StartsWith(value.get<std::string>(), "pi_") || value.get<std::string>().size() < 4) {
        return bad("payment_intent must be a string starting with pi_", "payment_intent");
      }
      charge.payment_intent = value.get<std::string>();
    } else if (key == "refund_failure") {
      if (!value.is_string() || value.get<std::string>().empty()) {
        return bad("refund_failure must be a failure_reason such as lost_or_stolen_card", "refund_failure");
      }
      charge.refund_failure = value.get<std::string>();
    } else if (key == "metadata") {
      if (!value.is_object()) return bad("metadata must be an object of strings", "metadata");
      for (const auto& [meta_key, meta_value] : value.items()) {
        if (!meta_value.is_string()) return bad("metadata must be an object of strings", "metadata");
        charge.metadata[meta_key] = meta_value.get<std::string>();
      }
    } else {
      return ErrorOutcome(400, "invalid_request_error", "parameter_unknown", "Received unknown parameter: " + key,
                          key);
    }
  }
  if (charge.amount == 0) return ErrorOutcome(400, "invalid_request_error", "parameter_missing", "amount is required", "amount");
  if (charge.currency.empty()) {
    return ErrorOutcome(400, "invalid_request_error", "parameter_missing", "currency is required", "currency");
  }
  Result<Charge> added = book_.AddCharge(charge, clock_.NowMs());
  if (added.ok()) return JsonOutcome(200, ChargeToJson(*added), added->id);
  if (added.status().code() == StatusCode::kAlreadyExists) {
    const Charge* existing = book_.FindCharge(added.status().message());
    return JsonOutcome(200, ChargeToJson(*existing), existing->id);
  }
  if (added.status().code() == StatusCode::kConflict) {
    return ErrorOutcome(409, "invalid_request_error", "resource_already_exists", added.status().message());
  }
  return ErrorOutcome(500, "api_error", "", "sandbox storage failure: " + added.status().ToString());
}

Outcome SandboxService::PatchFaults(const SandboxRequest& request) {
  nlohmann::json patch = nlohmann::json{{"reset", true}};
  if (request.method != "DELETE") {
    Result<nlohmann::json> parsed = JsonBody(request);
    if (!parsed.ok()) return InvalidJson(parsed.status());
    patch = std::move(parsed).value();
  }
  Result<FaultConfig> patched = PatchFaultConfig(faults_.config(), patch);
  if (!patched.ok()) return InvalidSetting(patched.status());
  faults_.Set(*patched);
  return JsonOutcome(200, FaultConfigToJson(*patched));
}

// POST /sandbox/settle: every pending refund and payout settles now, as
// its due time would make it (a test's "settle now"); answers what the feed holds.
Outcome SandboxService::SettleNow() {
  const TimeMs now = clock_.NowMs();
  const size_t before = settlements_.all().size();
  Status settled = book_.SettleDue(now, settlements_, /*now=*/true);
  if (settled.ok()) settled = transfers_.SettleDue(now, settlements_, /*now=*/true);
  if (!settled.ok()) return ErrorOutcome(500, "api_error", "", "sandbox storage failure: " + settled.ToString());
  const int64_t last = settlements_.all().empty() ? 0 : settlements_.all().back().seq;
  return JsonOutcome(200, {{"settled", settlements_.all().size() - before}, {"last_seq", last}});
}

// GET /v1/settlements?since=N&limit=M: the settlement events after N, in order.
Outcome SandboxService::ListSettlements(const SandboxRequest& request) {
  if (!request.query_valid) {
    return ErrorOutcome(400, "invalid_request_error", "", "Invalid request: the query string could not be decoded.");
  }
  int64_t since = 0, limit = 10;
  for (const auto& [name, value] : request.query) {
    const auto number = ParseInt(value);
    if (name == "since" && number && *number >= 0) {
      since = *number;
    } else if (name == "limit" && number && *number >= 1 && *number <= 100) {
      limit = *number;
    } else if (name == "since" || name == "limit") {
      return ErrorOutcome(400, "invalid_request_error", "parameter_invalid_integer",
                          "since must be >= 0 and limit in 1..100 (it currently is '" + value + "').", name);
    } else {
      return ErrorOutcome(400, "invalid_request_error", "parameter_unknown", "Received unknown parameter: " + name,
                          name);
    }
  }
  bool has_more = false;
  nlohmann::ordered_json body;
  body["object"] = "list";
  body["data"] = nlohmann::ordered_json::array();
  int64_t next = since;
  for (const SettlementEvent* e : settlements_.Since(since, static_cast<size_t>(limit), has_more)) {
    body["data"].push_back(SettlementEventToJson(*e));
    next = e->seq;
  }
  body["has_more"] = has_more;
  body["next_since"] = next;
  body["url"] = "/v1/settlements";
  return JsonOutcome(200, body);
}

Outcome SandboxService::PatchSettlementConfig(const SandboxRequest& request) {
  Result<nlohmann::json> parsed = JsonBody(request);
  if (!parsed.ok()) return InvalidJson(parsed.status());
  Result<SettlementConfig> patched = PatchSettlement(options_.settlement, *parsed);
  if (!patched.ok()) return InvalidSetting(patched.status());
  options_.settlement = *patched;
  return JsonOutcome(200, SettlementToJson(options_.settlement));
}

Outcome SandboxService::ListCalls(const SandboxRequest& request) {
  CallFilter filter;
  for (const auto& [name, value] : request.query) {
    if (name == "path_prefix") {
      filter.path_prefix = value;
      continue;
    }
    const auto number = ParseInt(value);
    if (name == "after_id" && number && *number >= 0) {
      filter.after_id = *number;
    } else if (name == "limit" && number && *number >= 1 && *number <= 1000) {
      filter.limit = *number;
    } else {
      return ErrorOutcome(400, "invalid_request_error", "parameter_invalid",
                          "Supported: after_id (>= 0), limit (1..1000), path_prefix.", name);
    }
  }
  auto listed = calls_.List(filter);
  if (!listed.ok()) return ErrorOutcome(500, "api_error", "", listed.status().ToString());
  nlohmann::ordered_json body;
  body["object"] = "list";
  body["data"] = nlohmann::ordered_json::array();
  for (const CallRecord& call : listed->first) body["data"].push_back(CallToJson(call));
  body["has_more"] = listed->second;
  return JsonOutcome(200, body);
}

Outcome SandboxService::Stats() {
  auto totals = calls_.Summarize();
  if (!totals.ok()) return ErrorOutcome(500, "api_error", "", totals.status().ToString());
  nlohmann::ordered_json faults;
  for (const char* label : {"5xx", "rate_limited", "dropped", "timeout", "latency"}) faults[label] = 0;
  for (const auto& [label, count] : totals->faults) faults[label] = count;

  nlohmann::ordered_json by_charge = nlohmann::ordered_json::object();
  int64_t pending = 0, succeeded = 0, failed = 0;
  for (const Refund& r : book_.refunds()) {
    auto& entry = by_charge[r.charge];
    if (entry.is_null()) {
      const Charge& charge = book_.charges().at(r.charge);
      entry["count"] = 0;
      entry["pending"] = 0;
      entry["succeeded"] = 0;
      entry["failed"] = 0;
      entry["currency"] = charge.currency;
      entry["charge_amount"] = charge.amount;
      entry["amount_refunded"] = charge.amount_refunded;
    }
    entry["count"] = entry["count"].get<int64_t>() + 1;
    const char* status = r.status == RefundStatus::kPending     ? "pending"
                         : r.status == RefundStatus::kSucceeded ? "succeeded"
                                                                : "failed";
    entry[status] = entry[status].get<int64_t>() + 1;
    (r.status == RefundStatus::kPending ? pending : r.status == RefundStatus::kSucceeded ? succeeded : failed) += 1;
  }

  int64_t releases = 0, holds = 0, notifications = 0;
  nlohmann::ordered_json releases_by_reservation = nlohmann::ordered_json::object();
  nlohmann::ordered_json notifications_by_recipient = nlohmann::ordered_json::object();
  for (const ServiceRecord& record : records_.all()) {
    switch (record.kind) {
      case RecordKind::kInventoryRelease:
        ++releases;
        if (!record.subject.empty()) {
          auto& count = releases_by_reservation[record.subject];
          count = (count.is_null() ? 0 : count.get<int64_t>()) + 1;
        }
        break;
      case RecordKind::kInventoryHold:
        ++holds;
        break;
      case RecordKind::kNotification: {
        ++notifications;
        auto& count = notifications_by_recipient[record.subject];
        count = (count.is_null() ? 0 : count.get<int64_t>()) + 1;
        break;
      }
    }
  }

  nlohmann::ordered_json body;
  body["calls"] = totals->calls;
  body["replays"] = totals->replays;
  body["faults"] = faults;
  body["charges"] = book_.charges().size();
  body["refunds"] = {{"count", book_.refunds().size()},
                     {"pending", pending},
                     {"succeeded", succeeded},
                     {"failed", failed},
                     {"by_charge", by_charge}};
  body["transfers"] = TransferStats();
  int64_t open_disputes = 0, won = 0, lost = 0;
  for (const Dispute& d : disputes_.all()) {
    (d.status == DisputeStatus::kNeedsResponse ? open_disputes : d.status == DisputeStatus::kWon ? won : lost) += 1;
  }
  body["disputes"] = {{"count", disputes_.all().size()}, {"open", open_disputes}, {"won", won}, {"lost", lost}};
  body["inventory"] = {{"releases", releases}, {"holds", holds}, {"releases_by_reservation", releases_by_reservation}};
  body["notifications"] = {{"count", notifications}, {"by_recipient", notifications_by_recipient}};
  return JsonOutcome(200, body);
}

// Per destination account: how many transfers, how much was sent, how much
// reversed, and by how many reversals, so a test can say "one payout per
// seller" and "that payout reversed once".
nlohmann::ordered_json SandboxService::TransferStats() const {
  nlohmann::ordered_json by_destination = nlohmann::ordered_json::object();
  int64_t reversed_count = 0;
  for (const Transfer& t : transfers_.transfers()) {
    auto& entry = by_destination[t.destination];
    if (entry.is_null()) {
      entry["count"] = 0;
      entry["amount"] = 0;
      entry["amount_reversed"] = 0;
      entry["reversals"] = 0;
      entry["currency"] = t.currency;
    }
    const int64_t reversals = static_cast<int64_t>(transfers_.ReversalsOf(t.id).size());
    entry["count"] = entry["count"].get<int64_t>() + 1;
    entry["amount"] = entry["amount"].get<int64_t>() + t.amount;
    entry["amount_reversed"] = entry["amount_reversed"].get<int64_t>() + t.amount_reversed;
    entry["reversals"] = entry["reversals"].get<int64_t>() + reversals;
    if (t.amount_reversed == t.amount) ++reversed_count;
  }
  return {{"count", transfers_.transfers().size()},
          {"fully_reversed", reversed_count},
          {"reversals", transfers_.reversals().size()},
          {"by_destination", by_destination}};
}

Outcome SandboxService::ListRecords(RecordKind kind, RecordKind other_kind) {
  nlohmann::ordered_json body;
  body["object"] = "list";
  body["data"] = nlohmann::ordered_json::array();
  for (const ServiceRecord& record : records_.all()) {
    if (record.kind == kind || record.kind == other_kind) body["data"].push_back(ServiceRecordToJson(record));
  }
  body["has_more"] = false;
  return JsonOutcome(200, body);
}

}  // namespace steadfast::sandbox
