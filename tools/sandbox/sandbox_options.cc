// SandboxOptions: flag and environment parsing.
#include "sandbox_options.h"

#include <optional>
#include <string_view>

#include "text_parse.h"

namespace steadfast::sandbox {

namespace {

std::vector<std::string> SplitComma(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const size_t comma = text.find(',');
    std::string_view part = text.substr(0, comma);
    if (!part.empty()) out.emplace_back(part);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

}  // namespace

std::string SandboxUsage() {
  return R"(usage: steadfast-sandbox [flags]

A PSP-like HTTP server (Stripe Refunds API subset, inventory and notification
endpoints) with fault injection. See docs/sandbox.md.

  --address A            listen address (default 127.0.0.1)
  --port N               listen port; 0 picks a free one (default 12111)
  --db PATH              SQLite file for calls and state (default steadfast-sandbox.sqlite3)
  --secret-key KEY       Stripe secret key clients must present
                         (env STEADFAST_SANDBOX_SECRET_KEY; default sk_test_sandbox)
  --service-token TOKEN  bearer token required on /inventory and /notifications
                         (env STEADFAST_SANDBOX_SERVICE_TOKEN; default: none required)
  --seed N               seed for ids and random faults (default: random)

settlement:
  --settle-delay-ms N    refunds stay pending for N ms (default 0: succeed at once)
  --settle-fail-rate X   probability a refund fails at settlement (default 0)
  --payout-settle-delay-ms N
                         payouts (transfers) stay pending for N ms (default 0: paid at once);
                         a payout to acct_frozen... fails at settlement (account_frozen)

faults (also at run time: POST /sandbox/faults):
  --error-rate X         probability of a 500 per request
  --burst-5xx N          the next N requests answer 500
  --rate-limit-rate X    probability of a 429
  --rate-limit-next N    the next N requests answer 429
  --retry-after-s N      Retry-After seconds on 429s (default 1)
  --latency-ms N         delay each request by N ms
  --latency-jitter-ms N  plus a random 0..N ms
  --timeout-rate X       probability a request is held for --timeout-hold-ms
  --timeout-next N       the next N requests are held
  --timeout-hold-ms N    how long a held request waits (default 10000)
  --drop-rate X          probability a request is committed, then its connection dropped
  --drop-next N          the next N requests are committed, then dropped
  --fault-scope P,Q      path prefixes faults apply to (default /v1/refunds,/v1/transfers,/inventory,/notifications)
  --help                 this text
)";
}

Result<SandboxOptions> ParseSandboxOptions(const std::vector<std::string>& args,
                                           const std::function<const char*(const char*)>& getenv) {
  SandboxOptions o;
  o.service.secret_key = kDefaultSecretKey;
  if (const char* key = getenv("STEADFAST_SANDBOX_SECRET_KEY"); key != nullptr && *key != '\0') {
    o.service.secret_key = key;
  }
  if (const char* token = getenv("STEADFAST_SANDBOX_SERVICE_TOKEN"); token != nullptr) {
    o.service.service_token = token;
  }
  FaultConfig& f = o.service.faults;
  SettlementConfig& s = o.service.settlement;

  for (size_t i = 0; i < args.size(); ++i) {
    std::string name = args[i];
    std::optional<std::string> inline_value;
    if (name == "--help" || name == "-h") {
      o.show_help = true;
      continue;
    }
    if (name.rfind("--", 0) != 0) return Status::InvalidArgument("unexpected argument '" + name + "'");
    if (const size_t eq = name.find('='); eq != std::string::npos) {
      inline_value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    auto value = [&]() -> Result<std::string> {
      if (inline_value) return *inline_value;
      if (i + 1 >= args.size()) return Status::InvalidArgument(name + " needs a value");
      return args[++i];
    };
    auto integer = [&](int64_t& out) -> Status {
      SF_ASSIGN_OR_RETURN(std::string text, value());
      const auto parsed = ParseInt(text);
      if (!parsed) return Status::InvalidArgument(name + " needs an integer, got '" + text + "'");
      out = *parsed;
      return Status::Ok();
    };
    auto real = [&](double& out) -> Status {
      SF_ASSIGN_OR_RETURN(std::string text, value());
      const auto parsed = ParseDouble(text);
      if (!parsed) return Status::InvalidArgument(name + " needs a number, got '" + text + "'");
      out = *parsed;
      return Status::Ok();
    };
    auto text = [&](std::string& out) -> Status {
      SF_ASSIGN_OR_RETURN(out, value());
      return Status::Ok();
    };

    Status st;
    if (name == "--address") {
      st = text(o.address);
    } else if (name == "--port") {
      int64_t port = 0;
      st = integer(port);
      if (st.ok() && (port < 0 || port > 65535)) st = Status::InvalidArgument("--port must be in [0, 65535]");
      o.port = static_cast<int>(port);
    } else if (name == "--db") {
      st = text(o.db_path);
    } else if (name == "--secret-key") {
      st = text(o.service.secret_key);
    } else if (name == "--service-token") {
      st = text(o.service.service_token);
    } else if (name == "--seed") {
      int64_t seed = 0;
      st = integer(seed);
      o.service.seed = static_cast<uint64_t>(seed);
      o.seed_given = true;
    } else if (name == "--settle-delay-ms") {
      st = integer(s.delay_ms);
    } else if (name == "--payout-settle-delay-ms") {
      st = integer(s.payout_delay_ms);
    } else if (name == "--settle-fail-rate") {
      st = real(s.fail_rate);
    } else if (name == "--error-rate") {
      st = real(f.error_rate);
    } else if (name == "--burst-5xx") {
      st = integer(f.burst_5xx);
    } else if (name == "--rate-limit-rate") {
      st = real(f.rate_limit_rate);
    } else if (name == "--rate-limit-next") {
      st = integer(f.rate_limit_next);
    } else if (name == "--retry-after-s") {
      st = integer(f.retry_after_s);
    } else if (name == "--latency-ms") {
      st = integer(f.latency_ms);
    } else if (name == "--latency-jitter-ms") {
      st = integer(f.latency_jitter_ms);
    } else if (name == "--timeout-rate") {
      st = real(f.timeout_rate);
    } else if (name == "--timeout-next") {
      st = integer(f.timeout_next);
    } else if (name == "--timeout-hold-ms") {
      st = integer(f.timeout_hold_ms);
    } else if (name == "--drop-rate") {
      st = real(f.drop_rate);
    } else if (name == "--drop-next") {
      st = integer(f.drop_next);
    } else if (name == "--fault-scope") {
      std::string scope;
      st = text(scope);
      f.scope = SplitComma(scope);
    } else {
      return Status::InvalidArgument("unknown flag '" + name + "' (see --help)");
    }
    SF_RETURN_IF_ERROR(st);
  }
  if (o.service.secret_key.empty()) return Status::InvalidArgument("--secret-key must not be empty");
  SF_RETURN_IF_ERROR(ValidateFaultConfig(f));
  SF_RETURN_IF_ERROR(ValidateSettlement(s));
  return o;
}

}  // namespace steadfast::sandbox
