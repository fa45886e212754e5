// Outcomes, the error envelope, fingerprints and the idempotency wrapper.
#include "api_support.h"

#include <algorithm>

namespace steadfast::sandbox {

Outcome JsonOutcome(int status, const nlohmann::ordered_json& body, std::string object_id) {
  Outcome out;
  out.response.status = status;
  out.response.body = body.dump();
  out.object_id = std::move(object_id);
  return out;
}

Outcome ErrorOutcome(int status, std::string_view type, std::string_view code, std::string_view message,
                     std::string_view param) {
  nlohmann::ordered_json error;
  if (!code.empty()) error["code"] = code;
  error["message"] = message;
  if (!param.empty()) error["param"] = param;
  error["type"] = type;
  return JsonOutcome(status, nlohmann::ordered_json{{"error", error}});
}

std::string FormFingerprint(const Params& form) {
  Params sorted = form;
  std::sort(sorted.begin(), sorted.end());
  nlohmann::json canonical = nlohmann::json::array();
  for (const auto& [key, value] : sorted) canonical.push_back({key, value});
  return canonical.dump();
}

std::string JsonFingerprint(const nlohmann::json& body) {
  return body.dump();  // nlohmann::json keeps object keys sorted: canonical
}

Outcome RunIdempotent(IdempotencyStore& store, std::string_view space, const SandboxRequest& request,
                      const std::string& fingerprint, const CallContext& ctx,
                      const std::function<Execution()>& execute) {
  const std::string& key = request.idempotency_key;
  if (key.empty()) return execute().outcome;

  if (const IdempotencyRecord* saved = store.Find(space, key)) {
    if (saved->method != request.method || saved->path != request.path) {
      return ErrorOutcome(400, "idempotency_error", "",
                          "Keys for idempotent requests can only be used for the same endpoint they were first "
                          "used for ('" + saved->method + " " + saved->path + "' vs '" + request.method + " " +
                              request.path + "'). Try using a key other than '" + key +
                              "' if you meant to execute a different request.");
    }
    if (saved->fingerprint != fingerprint) {
      return ErrorOutcome(400, "idempotency_error", "",
                          "Keys for idempotent requests can only be used with the same parameters they were first "
                          "used with. Try using a key other than '" + key +
                              "' if you meant to execute a different request.");
    }
    Outcome replay;
    replay.response.status = saved->status;
    replay.response.body = saved->body;
    replay.response.headers.emplace_back("Idempotent-Replayed", "true");
    replay.response.headers.emplace_back("Original-Request", saved->request_id);
    replay.replayed = true;
    const auto parsed = nlohmann::json::parse(saved->body, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_object() && parsed.contains("id") && parsed["id"].is_string()) {
      replay.object_id = parsed["id"].get<std::string>();
    }
    return replay;
  }

  Execution result = execute();
  if (!result.save) return std::move(result.outcome);
  IdempotencyRecord record;
  record.method = request.method;
  record.path = request.path;
  record.fingerprint = fingerprint;
  record.status = result.outcome.response.status;
  record.body = result.outcome.response.body;
  record.request_id = ctx.request_id;
  record.created_ms = ctx.now_ms;
  const Status saved = store.Save(space, key, std::move(record));
  if (!saved.ok()) {
    // The effect happened but could not be remembered: say so loudly rather
    // than pretend; a retry may then repeat it (the sandbox's own failure).
    return ErrorOutcome(500, "api_error", "", "sandbox could not save the idempotency record: " + saved.ToString());
  }
  return std::move(result.outcome);
}

}  // namespace steadfast::sandbox
