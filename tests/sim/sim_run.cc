// SimRun: the seeded loop (chaos, then calm), restarts, and the checks.
#include "sim_run.h"

#include <cinttypes>
#include <cstdio>
#include <memory>
#include <random>

#include <fmt/format.h>

#include "invariants.h"
#include "sim_disk.h"
#include "sim_engine.h"
#include "sim_network.h"
#include "sim_random.h"
#include "steadfast/time_text.h"
#include "workload.h"

namespace steadfast::sim {
namespace {

constexpr int kChaosSteps = 160;
constexpr int kCalmSteps = 6000;

// Logs into the trace (warnings and errors: they are part of what a seed
// did) and, verbose, to stderr.
class SimLogger final : public Logger {
 public:
  SimLogger(const Clock& clock, bool verbose, std::string& trace) : clock_(clock), verbose_(verbose), trace_(trace) {}
  void Log(LogLevel level, std::string_view message) override {
    if (level < LogLevel::kWarn && !verbose_) return;
    std::string line = fmt::format("{} log{}: {}\n", clock_.NowMs(), static_cast<int>(level), message);
    if (level >= LogLevel::kWarn) trace_ += line;
    if (verbose_) std::fputs(line.c_str(), stderr);
  }

 private:
  const Clock& clock_;
  bool verbose_;
  std::string& trace_;
};

uint64_t Fnv(uint64_t h, std::string_view s) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

// The refund workflows, parsed once per process: definitions are
// immutable, and parsing YAML for every seed would cost more than the run.
Result<WorkflowCatalog*> SharedCatalog(const std::string& source_root) {
  static std::map<std::string, std::unique_ptr<WorkflowCatalog>> catalogs;
  std::unique_ptr<WorkflowCatalog>& c = catalogs[source_root];
  if (!c) {
    auto fresh = std::make_unique<WorkflowCatalog>(nullptr);
    for (const char* name : {"reservation_refund", "return_refund", "marketplace_cancellation"}) {
      SF_RETURN_IF_ERROR(fresh->AddFile(source_root + "/workflows/" + name + ".yaml").status());
    }
    c = std::move(fresh);
  }
  return c.get();
}

class Run {
 public:
  explicit Run(const SimOptions& options)
      : options_(options),
        clock_(ParseRfc3339("2026-11-25T00:00:00Z").value()),
        engine_random_(options.seed * 0x9e3779b97f4a7c15ULL + 1),
        chaos_(options.seed),
        logger_(clock_, options.verbose, trace_) {}

  SimOutcome Execute();

 private:
  uint64_t Roll(uint64_t n) { return chaos_() % n; }
  void Trace(const std::string& what) {
    std::string line = fmt::format("{} {}\n", clock_.NowMs(), what);
    trace_ += line;
    if (options_.verbose) std::fputs(line.c_str(), stderr);
  }
  void Violation(std::string what) {
    Trace("VIOLATION " + what);
    violations_.push_back(std::move(what));
  }
  Status Setup();
  bool Open();
  void Restart(const std::string& why);
  // Time passes (a jump, or a request held on the wire); the watchdog looks.
  void Advance(int64_t ms) {
    if (ms <= 0) return;
    clock_.Advance(ms);
    if (engine_) engine_->Watchdog();
  }
  void ChaosStep();
  // Another worker, a client or time acting while a request is at the PSP:
  // the interleavings Engine's threads produce.
  void WhileOnTheWire();
  bool CalmStep();
  void StartInstance(PlannedInstance& p);
  bool ClientAct(bool calm);
  void CancelOne();
  void ArmDiskFault();
  void AdvanceToNextDue(bool calm);
  void RunOrClaim();
  // A commit returned: what it made durable is read back at once (nothing
  // else runs in between), so a later power cut must keep exactly that.
  void OnAck(const InstanceRecord& rec, const std::vector<HistoryEvent>&) {
    Acknowledged& a = acked_[rec.id];
    a.version = std::max(a.version, rec.version);
    if (!engine_) return;
    const int64_t known = a.events.empty() ? 0 : a.events.rbegin()->first;
    Result<std::vector<HistoryEvent>> fresh = engine_->store().GetHistory(rec.id, known, 0);
    if (!fresh.ok()) return;  // the disk died just after the commit: the version still counts
    for (const HistoryEvent& e : *fresh) a.events[e.seq] = e.type;
  }

  const SimOptions options_;
  ManualClock clock_;
  SeededRandom engine_random_;
  std::mt19937_64 chaos_;
  std::string trace_;
  SimLogger logger_;
  WorkflowCatalog* catalog_ = nullptr;
  std::unique_ptr<SimNetwork> network_;
  Value refund_config_;
  std::unique_ptr<SimEngine> engine_;
  std::vector<PlannedInstance> planned_;
  AcknowledgedCommits acked_;
  std::vector<std::string> violations_;
  int restarts_ = 0;
  int concurrency_pct_ = 0;  // how often something acts while a request is on the wire
  bool on_wire_ = false;     // inside WhileOnTheWire (no nesting deeper than one)
  bool calm_ = false;
  int interleavings_ = 0;
  std::map<std::string, int> ended_;  // final status -> instances
  int handed_to_reconcile_ = 0;  // drift the design leaves to reconcile --repair
  int incarnation_ = 0;
};

Status Run::Setup() {
  SimDisk& disk = SimDisk::Instance();
  disk.Reset(options_.seed ^ 0x5151);
  disk.SetTimeSource([this] { return clock_.NowMs(); });
  SF_ASSIGN_OR_RETURN(catalog_, SharedCatalog(options_.source_root));
  SF_ASSIGN_OR_RETURN(network_, SimNetwork::Create(options_.seed, clock_, [this](int64_t ms) { Advance(ms); }));
  if (options_.breakage == Breakage::kPspIgnoresIdempotency) network_->BreakIdempotency();
  network_->SetTrace([this](const std::string& line) { Trace(line); });
  network_->SetOnWire([this] { WhileOnTheWire(); });

  // The PSP's weather for this seed.
  const double rates[] = {0.0, 0.05, 0.15};
  nlohmann::json faults{{"error_rate", rates[Roll(3)]},
                        {"drop_rate", rates[Roll(3)]},
                        {"timeout_rate", rates[Roll(2)]},
                        {"timeout_hold_ms", 60000},
                        {"rate_limit_rate", rates[Roll(2)]},
                        {"retry_after_s", 1}};
  SF_RETURN_IF_ERROR(network_->Configure("/sandbox/faults", faults));
  const int64_t delays[] = {0, 0, 3000, 20000};
  nlohmann::json settlement{{"delay_ms", delays[Roll(4)]}, {"fail_rate", Roll(4) == 0 ? 0.2 : 0.0}};
  SF_RETURN_IF_ERROR(network_->Configure("/sandbox/settlement", settlement));
  Trace("psp faults " + faults.dump() + " settlement " + settlement.dump());

  // The refund plugin's configuration: a PSP timeout beyond the step's 30 s
  // start-to-close timeout lets a held request meet the watchdog.
  const int64_t psp_timeout_ms = Roll(3) == 0 ? 45000 : 10000;
  Value psp = Value::Map{{"base_url", kPspBaseUrl},        {"secret_key", kPspSecretKey},
                         {"timeout", psp_timeout_ms},      {"settle_wait", int64_t{0}},
                         {"pending_retry_after", int64_t{5000}}, {"breaker_failures", int64_t{5}},
                         {"breaker_open", int64_t{5000}}};
  refund_config_ = Value::Map{{"policies", options_.source_root + "/config/refund_policies.yaml"},
                              {"risk_rules", options_.source_root + "/config/risk_rules.yaml"},
                              {"psp", psp},
                              {"inventory_url", kPspBaseUrl},
                              {"notification_url", kPspBaseUrl},
                              {"service_timeout", int64_t{5000}},
                              {"notify", Value::Map{{"max_tries", int64_t{1}}, {"backoff", int64_t{200}}}}};

  const int concurrency[] = {0, 10, 30};
  concurrency_pct_ = concurrency[Roll(3)];
  SF_ASSIGN_OR_RETURN(planned_, PlanInstances(options_.source_root + "/workflows/examples",
                                              2 + static_cast<int>(Roll(4)), chaos_));
  for (const PlannedInstance& p : planned_) {
    SF_RETURN_IF_ERROR(network_->SeedCharge(p.charge, p.charge_amount, p.currency));
  }
  return Status::Ok();
}

bool Run::Open() {
  EngineParts parts;
  parts.refund_config = &refund_config_;
  parts.catalog = catalog_;
  parts.http = network_.get();
  parts.clock = &clock_;
  parts.random = &engine_random_;
  parts.logger = &logger_;
  parts.sleep = [this](int64_t ms) { Advance(ms); };
  const std::string owner = fmt::format("{}/{:04d}", kNodeName, ++incarnation_);
  Result<std::unique_ptr<SimEngine>> opened = SimEngine::Open(parts, owner);
  if (!opened.ok()) {
    Trace("open failed: " + opened.status().ToString());
    return false;
  }
  engine_ = std::move(opened).value();
  engine_->SetAckObserver([this](const InstanceRecord& r, const std::vector<HistoryEvent>& e) { OnAck(r, e); });
  engine_->SetAttemptObserver([this](const AttemptReport& r) {
    Trace(fmt::format("attempt {} {}{} #{}: {}", r.instance.id, r.step_id, r.compensation ? " (compensation)" : "",
                      r.attempt, r.result.ok() ? "ok" : r.result.error().code + " (" + r.result.error().message + ")"));
  });
  Trace("opened as " + owner);
  return true;
}

void Run::Restart(const std::string& why) {
  ++restarts_;
  Trace("crash: " + why);
  SimDisk& disk = SimDisk::Instance();
  disk.Crash();    // kill -9: nothing more reaches the disk, not even a close
  engine_.reset();
  if (options_.breakage == Breakage::kDiskLosesSyncedWrite) disk.BreakDurabilityOnce();
  disk.PowerCut();
  for (int tries = 0; !engine_; ++tries) {
    if (!Open() && tries >= 3) {
      Violation("acknowledged_commit_lost: the store does not open after a power cut");
      return;
    }
  }
  std::vector<std::string> lost;
  CheckAcknowledged(engine_->store(), acked_, lost);
  for (std::string& v : lost) Violation(std::move(v));
}

void Run::StartInstance(PlannedInstance& p) {
  StartOptions so;
  so.workflow = p.workflow;
  so.input = p.input;
  so.id = p.id;
  so.requested_by = "requester-" + p.id;
  Result<StartResult> r = engine_->service().Start(so);
  if (r.ok()) {
    p.acknowledged = true;
    OnAck(r->instance, {});
    Trace("start " + p.id + " ok");
  } else {
    Trace("start " + p.id + " failed: " + r.status().ToString());
  }
}

// A reviewer or the warehouse acts on one parked instance; true if one did.
bool Run::ClientAct(bool calm) {
  std::vector<InstanceRecord> parked;
  for (const PlannedInstance& p : planned_) {
    if (!p.acknowledged) continue;
    Result<std::optional<InstanceRecord>> rec = engine_->store().GetInstance(p.id);
    if (!rec.ok() || !rec->has_value()) continue;
    InstanceStatus s = (*rec)->status;
    if (s == InstanceStatus::kWaitingApproval || s == InstanceStatus::kWaitingSignal) parked.push_back(**rec);
  }
  if (!calm && Roll(8) == 0) {
    // The warehouse is early: a signal the instance is not waiting for yet
    // is buffered (or refused once the instance has ended).
    for (const PlannedInstance& p : planned_) {
      if (!p.acknowledged || p.workflow != "return_refund") continue;
      SignalRequest s;
      s.instance_id = p.id;
      s.name = Roll(2) == 0 ? "item_received" : "inspection_result";
      s.payload = s.name == "item_received" ? Value(Value::Map{{"carrier", "sim-post"}})
                                            : Value(Value::Map{{"result", "good"}});
      s.idempotency_key = p.id + "/" + s.name;
      s.principal = "warehouse";
      Result<SignalOutcome> r = engine_->service().Signal(s);
      Trace(fmt::format("early signal {} {}: {}", p.id, s.name,
                        r.ok() ? std::to_string(static_cast<int>(*r)) : r.status().ToString()));
      return true;
    }
  }
  if (parked.empty()) return false;
  const InstanceRecord& rec = parked[Roll(parked.size())];
  ClientAction a = NextClientAction(rec, chaos_);
  if (a.kind == ClientAction::Kind::kDecide) {
    Result<InstanceRecord> r = engine_->service().Decide(a.decision);
    Trace(fmt::format("decide {} {} by {}: {}", rec.id, a.decision.decision == Decision::kApprove ? "approve" : "reject",
                      a.decision.principal, r.ok() ? "ok" : r.status().ToString()));
  } else if (a.kind == ClientAction::Kind::kSignal) {
    SignalRequest s;
    s.instance_id = rec.id;
    s.name = a.signal;
    s.payload = a.payload;
    s.idempotency_key = rec.id + "/" + a.signal;
    s.principal = "warehouse";
    Result<SignalOutcome> r = engine_->service().Signal(s);
    Trace(fmt::format("signal {} {}: {}", rec.id, a.signal, r.ok() ? std::to_string(static_cast<int>(*r))
                                                                    : r.status().ToString()));
  }
  (void)calm;
  return true;
}

void Run::CancelOne() {
  std::vector<PlannedInstance*> live;
  for (PlannedInstance& p : planned_) {
    if (p.acknowledged) live.push_back(&p);
  }
  if (live.empty()) return;
  PlannedInstance& p = *live[Roll(live.size())];
  Result<InstanceRecord> r = engine_->service().Cancel(p.id, "operator", "simulated cancel");
  Trace("cancel " + p.id + ": " + (r.ok() ? std::string(InstanceStatusName(r->status)) : r.status().ToString()));
}

void Run::ArmDiskFault() {
  static constexpr DiskFault kFaults[] = {DiskFault::kWriteFull, DiskFault::kWriteIoErr, DiskFault::kSyncIoErr,
                                          DiskFault::kLockBusy};
  DiskFault f = kFaults[Roll(4)];
  int64_t k = 1 + static_cast<int64_t>(Roll(f == DiskFault::kLockBusy ? 3 : 40));
  SimDisk::Instance().ScheduleFault(f, k);
  Trace(fmt::format("disk fault {} at +{}", static_cast<int>(f), k));
}

void Run::AdvanceToNextDue(bool calm) {
  const TimeMs now = clock_.NowMs();
  if (!engine_->ready().empty()) {
    // Claimed tasks wait for a worker: time passes, but not the days to the
    // next timer (the store does not count leased tasks as due).
    Advance(static_cast<int64_t>(Roll(3000)));
    return;
  }
  Result<std::optional<TimeMs>> due = engine_->store().NextDueAt(now);
  if (due.ok() && due->has_value() && **due > now) {
    Advance(**due - now + (calm ? 0 : static_cast<int64_t>(Roll(50))));
  } else if (!calm) {
    Advance(static_cast<int64_t>(Roll(3000)));
  }
}

void Run::RunOrClaim() {
  if (engine_->ready().empty()) {
    Result<int> n = engine_->ClaimDue(1 + static_cast<int>(Roll(4)));
    if (!n.ok()) Trace("claim failed: " + n.status().ToString());
  }
  if (!engine_->ready().empty()) {
    const TaskRecord& t = engine_->ready().front();
    Trace(fmt::format("run {} {} #{} token {}", t.instance_id, t.step_id, t.attempt, t.lease_token));
    engine_->RunNext();
  }
}

void Run::WhileOnTheWire() {
  if (on_wire_ || !engine_ || Roll(100) >= static_cast<uint64_t>(concurrency_pct_)) return;
  on_wire_ = true;
  ++interleavings_;
  Trace("while on the wire:");
  const uint64_t roll = Roll(100);
  if (roll < 40) {
    RunOrClaim();  // another worker
  } else if (roll < 65) {
    ClientAct(calm_);
  } else if (roll < 80 && !calm_) {
    CancelOne();
  } else {
    // The call is slow (the watchdog may act) or the worker stalls past
    // its lease (the task may be claimed again beside it).
    Advance(static_cast<int64_t>(Roll(Roll(4) == 0 ? 150000 : 40000)));
  }
  on_wire_ = false;
}

void Run::ChaosStep() {
  const uint64_t roll = Roll(100);
  if (roll < 35) {
    RunOrClaim();
  } else if (roll < 50) {
    AdvanceToNextDue(false);
  } else if (roll < 60) {
    std::vector<PlannedInstance*> waiting;
    for (PlannedInstance& p : planned_) {
      if (!p.acknowledged) waiting.push_back(&p);
    }
    if (!waiting.empty()) StartInstance(*waiting[Roll(waiting.size())]);
  } else if (roll < 72) {
    ClientAct(false);
  } else if (roll < 75) {
    CancelOne();
  } else if (roll < 82) {
    ArmDiskFault();
  } else if (roll < 86) {
    const int64_t k = 1 + static_cast<int64_t>(Roll(60));
    SimDisk::Instance().ScheduleCrash(k);
    Trace(fmt::format("crash armed at +{} I/O", k));
  } else if (roll < 88) {
    Restart("kill -9 between steps");
  } else {
    RunOrClaim();
  }
}

// One step of the calm phase; false when there is nothing left to do.
bool Run::CalmStep() {
  for (PlannedInstance& p : planned_) {
    if (!p.acknowledged) {
      StartInstance(p);
      if (!p.acknowledged) Violation("instance_lost: " + p.id + " cannot be started without faults");
      return true;
    }
  }
  if (engine_->RunNext()) return true;
  Result<int> claimed = engine_->ClaimDue(8);
  if (!claimed.ok()) {
    Violation("instance_lost: claiming without faults failed: " + claimed.status().ToString());
    return false;
  }
  if (*claimed > 0) return true;
  if (ClientAct(true)) return true;
  const TimeMs now = clock_.NowMs();
  Result<std::optional<TimeMs>> due = engine_->store().NextDueAt(now);
  if (!due.ok() || !due->has_value()) return false;
  Advance(std::max<int64_t>(1, **due - now));
  return true;
}

SimOutcome Run::Execute() {
  SimOutcome out;
  if (Status s = Setup(); !s.ok()) {
    out.violations.push_back("setup: " + s.ToString());
    return out;
  }
  if (!Open()) {
    out.violations.push_back("setup: the engine does not open on an empty disk");
    return out;
  }
  SimDisk& disk = SimDisk::Instance();
  for (int step = 0; step < kChaosSteps; ++step) {
    ChaosStep();
    if (disk.dead()) Restart("the disk died mid-operation");
  }

  // Calm: no more faults; one last power cut; time runs on.
  Trace("calm");
  calm_ = true;
  if (Status s = network_->Configure("/sandbox/faults", nlohmann::json{{"reset", true}}); !s.ok()) {
    Violation("setup: " + s.ToString());
  }
  disk.ClearFaults();
  Restart("last power cut before the calm phase");
  int steps = 0;
  while (engine_ && steps < kCalmSteps && CalmStep()) ++steps;
  if (steps >= kCalmSteps) Trace("calm phase did not settle");

  if (engine_) {
    std::vector<std::string> found;
    CheckAcknowledged(engine_->store(), acked_, found);
    CheckFinalInvariants(engine_->store(), *catalog_, *network_, clock_, planned_, found, &handed_to_reconcile_);
    for (std::string& v : found) Violation(std::move(v));
    for (const PlannedInstance& p : planned_) {
      Result<std::optional<InstanceRecord>> rec = engine_->store().GetInstance(p.id);
      if (rec.ok() && rec->has_value()) ++ended_[std::string(InstanceStatusName((*rec)->status))];
    }
    engine_.reset();  // a clean shutdown: the final bytes are the digest's
  }

  std::string ended;
  for (const auto& [status, n] : ended_) ended += fmt::format(" {} {}", status, n);
  const DiskStats& ds = disk.stats();
  const NetworkStats& ns = network_->stats();
  out.violations = violations_;
  out.digest = Fnv(Fnv(1469598103934665603ULL, trace_), std::to_string(disk.Digest()));
  out.summary = fmt::format(
      "instances {} ({}) restarts {} disk: writes {} syncs {} faults {} torn {} dropped {} psp: requests {} lost {} "
      "timeouts {} errors {} interleavings {} handed_to_reconcile {}",
      planned_.size(), ended.empty() ? "" : ended.substr(1), restarts_, ds.writes, ds.syncs, ds.faults, ds.torn_writes, ds.dropped_writes, ns.requests,
      ns.lost_responses, ns.timeouts, ns.error_answers, interleavings_, handed_to_reconcile_);
  return out;
}

}  // namespace

SimOutcome RunSimulation(const SimOptions& options) {
  Run run(options);
  return run.Execute();
}

}  // namespace steadfast::sim
