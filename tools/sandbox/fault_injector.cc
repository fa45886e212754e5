// FaultInjector: configuration, JSON patching and per-request decisions.
#include "fault_injector.h"

#include <nlohmann/json.hpp>

namespace steadfast::sandbox {

namespace {

Status CheckRate(std::string_view name, double value) {
  if (!(value >= 0.0 && value <= 1.0)) {
    return Status::InvalidArgument(std::string(name) + " must be in [0, 1]");
  }
  return Status::Ok();
}

Status CheckCount(std::string_view name, int64_t value, int64_t max) {
  if (value < 0 || value > max) {
    return Status::InvalidArgument(std::string(name) + " must be in [0, " + std::to_string(max) + "]");
  }
  return Status::Ok();
}

constexpr int64_t kMaxCount = 1'000'000;

}  // namespace

Status ValidateFaultConfig(const FaultConfig& c) {
  SF_RETURN_IF_ERROR(CheckRate("error_rate", c.error_rate));
  SF_RETURN_IF_ERROR(CheckRate("timeout_rate", c.timeout_rate));
  SF_RETURN_IF_ERROR(CheckRate("rate_limit_rate", c.rate_limit_rate));
  SF_RETURN_IF_ERROR(CheckRate("drop_rate", c.drop_rate));
  SF_RETURN_IF_ERROR(CheckCount("burst_5xx", c.burst_5xx, kMaxCount));
  SF_RETURN_IF_ERROR(CheckCount("timeout_next", c.timeout_next, kMaxCount));
  SF_RETURN_IF_ERROR(CheckCount("rate_limit_next", c.rate_limit_next, kMaxCount));
  SF_RETURN_IF_ERROR(CheckCount("drop_next", c.drop_next, kMaxCount));
  SF_RETURN_IF_ERROR(CheckCount("latency_ms", c.latency_ms, kMaxFaultDelayMs));
  SF_RETURN_IF_ERROR(CheckCount("latency_jitter_ms", c.latency_jitter_ms, kMaxFaultDelayMs));
  SF_RETURN_IF_ERROR(CheckCount("timeout_hold_ms", c.timeout_hold_ms, kMaxFaultDelayMs));
  SF_RETURN_IF_ERROR(CheckCount("retry_after_s", c.retry_after_s, 3600));
  if (c.latency_ms + c.latency_jitter_ms > kMaxFaultDelayMs) {
    return Status::InvalidArgument("latency_ms + latency_jitter_ms must not exceed " +
                                   std::to_string(kMaxFaultDelayMs));
  }
  for (const auto& prefix : c.scope) {
    if (prefix.empty() || prefix.front() != '/') {
      return Status::InvalidArgument("scope entries must be path prefixes starting with '/'");
    }
  }
  return Status::Ok();
}

Result<FaultConfig> PatchFaultConfig(const FaultConfig& base, const nlohmann::json& patch) {
  if (!patch.is_object()) return Status::InvalidArgument("faults must be a JSON object");
  FaultConfig c = base;
  if (auto it = patch.find("reset"); it != patch.end()) {
    if (!it->is_boolean()) return Status::InvalidArgument("reset must be a boolean");
    if (it->get<bool>()) {
      FaultConfig fresh;
      fresh.scope = base.scope;
      c = fresh;
    }
  }
  for (const auto& [key, value] : patch.items()) {
    if (key == "reset") continue;
    double* rate = nullptr;
    int64_t* number = nullptr;
    if (key == "error_rate") rate = &c.error_rate;
    else if (key == "timeout_rate") rate = &c.timeout_rate;
    else if (key == "rate_limit_rate") rate = &c.rate_limit_rate;
    else if (key == "drop_rate") rate = &c.drop_rate;
    else if (key == "burst_5xx") number = &c.burst_5xx;
    else if (key == "latency_ms") number = &c.latency_ms;
    else if (key == "latency_jitter_ms") number = &c.latency_jitter_ms;
    else if (key == "timeout_next") number = &c.timeout_next;
    else if (key == "timeout_hold_ms") number = &c.timeout_hold_ms;
    else if (key == "rate_limit_next") number = &c.rate_limit_next;
    else if (key == "retry_after_s") number = &c.retry_after_s;
    else if (key == "drop_next") number = &c.drop_next;
    else if (key == "scope") {
      if (!value.is_array()) return Status::InvalidArgument("scope must be an array of path prefixes");
      c.scope.clear();
      for (const auto& entry : value) {
        if (!entry.is_string()) return Status::InvalidArgument("scope must be an array of path prefixes");
        c.scope.push_back(entry.get<std::string>());
      }
      continue;
    } else {
      return Status::InvalidArgument("unknown fault setting '" + key + "'");
    }
    if (rate != nullptr) {
      if (!value.is_number()) return Status::InvalidArgument(key + " must be a number");
      *rate = value.get<double>();
    } else {
      if (!value.is_number_integer()) return Status::InvalidArgument(key + " must be an integer");
      *number = value.get<int64_t>();
    }
  }
  SF_RETURN_IF_ERROR(ValidateFaultConfig(c));
  return c;
}

nlohmann::json FaultConfigToJson(const FaultConfig& c) {
  return nlohmann::json{
      {"error_rate", c.error_rate},
      {"burst_5xx", c.burst_5xx},
      {"latency_ms", c.latency_ms},
      {"latency_jitter_ms", c.latency_jitter_ms},
      {"timeout_rate", c.timeout_rate},
      {"timeout_next", c.timeout_next},
      {"timeout_hold_ms", c.timeout_hold_ms},
      {"rate_limit_rate", c.rate_limit_rate},
      {"rate_limit_next", c.rate_limit_next},
      {"retry_after_s", c.retry_after_s},
      {"drop_rate", c.drop_rate},
      {"drop_next", c.drop_next},
      {"scope", c.scope},
  };
}

std::string_view FaultKindName(FaultKind kind) {
  switch (kind) {
    case FaultKind::kNone: return "none";
    case FaultKind::kRateLimited: return "rate_limited";
    case FaultKind::kServerError: return "5xx";
    case FaultKind::kDropped: return "dropped";
    case FaultKind::kTimeout: return "timeout";
  }
  return "unknown";
}

FaultInjector::FaultInjector(FaultConfig config, uint64_t seed) : config_(std::move(config)), rng_(seed) {}

FaultConfig FaultInjector::config() const {
  std::lock_guard lock(mu_);
  return config_;
}

void FaultInjector::Set(FaultConfig config) {
  std::lock_guard lock(mu_);
  config_ = std::move(config);
}

bool FaultInjector::InScope(std::string_view path) const {
  for (const auto& prefix : config_.scope) {
    if (path.substr(0, prefix.size()) == prefix) return true;
  }
  return false;
}

bool FaultInjector::Roll(double probability) {
  if (probability <= 0.0) return false;
  if (probability >= 1.0) return true;
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng_) < probability;
}

FaultDecision FaultInjector::Decide(std::string_view path) {
  std::lock_guard lock(mu_);
  FaultDecision d;
  if (!InScope(path)) return d;
  if (config_.rate_limit_next > 0 || Roll(config_.rate_limit_rate)) {
    if (config_.rate_limit_next > 0) --config_.rate_limit_next;
    d.kind = FaultKind::kRateLimited;
    d.retry_after_s = config_.retry_after_s;
    return d;
  }
  if (config_.burst_5xx > 0 || Roll(config_.error_rate)) {
    if (config_.burst_5xx > 0) --config_.burst_5xx;
    d.kind = FaultKind::kServerError;
    return d;
  }
  if (config_.drop_next > 0 || Roll(config_.drop_rate)) {
    if (config_.drop_next > 0) --config_.drop_next;
    d.kind = FaultKind::kDropped;
    return d;
  }
  if (config_.timeout_next > 0 || Roll(config_.timeout_rate)) {
    if (config_.timeout_next > 0) --config_.timeout_next;
    d.kind = FaultKind::kTimeout;
    d.delay_ms = config_.timeout_hold_ms;
    return d;
  }
  int64_t latency = config_.latency_ms;
  if (config_.latency_jitter_ms > 0) {
    latency += std::uniform_int_distribution<int64_t>(0, config_.latency_jitter_ms)(rng_);
  }
  if (latency > 0) {
    d.delay_ms = latency;
    d.delayed_by_latency = true;
  }
  return d;
}

}  // namespace steadfast::sandbox
