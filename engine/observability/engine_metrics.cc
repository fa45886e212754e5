// Engine metrics from committed history events (docs/history.md) and
// scrape-time store reads.
#include "observability/engine_metrics.h"

#include <algorithm>

#include "steadfast/history.h"

namespace steadfast {
namespace {

constexpr int kOldestApprovalScan = 500;  // instances read per scrape for the oldest waiting approval

double Seconds(int64_t ms) { return static_cast<double>(ms) / 1000.0; }

std::string Version(const InstanceRecord& r) { return std::to_string(r.workflow_version); }

}  // namespace

EngineMetrics::EngineMetrics(metrics::Registry& registry, WorkflowCatalog& catalog, Store& store, const Clock& clock)
    : registry_(registry),
      catalog_(catalog),
      store_(store),
      clock_(clock),
      started_(registry.AddCounterFamily("steadfast_workflows_started_total",
                                         "Workflow instances started by this process.", {"workflow", "version"})),
      finished_(registry.AddCounterFamily(
          "steadfast_workflows_finished_total",
          "Workflow instances that reached a terminal status (completed, failed, compensated, cancelled).",
          {"workflow", "version", "outcome"})),
      paused_(registry.AddCounterFamily("steadfast_workflows_paused_total",
                                        "Workflow instances paused by a step's on_exhausted: pause or by an operator.",
                                        {"workflow", "version"})),
      workflow_seconds_(registry.AddHistogramFamily(
          "steadfast_workflow_duration_seconds", "End-to-end time from start to a terminal status.",
          {"workflow", "outcome"}, metrics::WorkflowLatencyBuckets())),
      attempts_(registry.AddCounterFamily("steadfast_activity_attempts_total",
                                          "Activity attempts by outcome (succeeded, failed, abandoned).",
                                          {"activity", "outcome"})),
      failures_(registry.AddCounterFamily("steadfast_activity_failures_total",
                                          "Failed activity attempts by error code.", {"activity", "code"})),
      retries_(registry.AddCounterFamily("steadfast_activity_retries_total",
                                         "Retries scheduled after a failed attempt.", {"activity"})),
      timeouts_(registry.AddCounterFamily(
          "steadfast_activity_timeouts_total",
          "Activity timeouts: start_to_close (one attempt) and schedule_to_close (the whole step).",
          {"activity", "kind"})),
      steps_failed_(registry.AddCounterFamily("steadfast_steps_failed_total",
                                              "Steps that failed for good (retries exhausted or non-retryable).",
                                              {"activity", "code"})),
      activity_seconds_(registry.AddHistogramFamily("steadfast_activity_duration_seconds",
                                                    "Duration of activity attempts (succeeded and failed).",
                                                    {"activity"}, metrics::LatencyBuckets())),
      reclaims_(registry.AddCounter(
          "steadfast_lease_reclaims_total",
          "Attempts whose task was taken over after the engine running them crashed or stopped "
          "(attempt_abandoned events).")),
      waits_(registry.AddCounterFamily("steadfast_waits_started_total",
                                       "Instances that started waiting for a signal or an approval.",
                                       {"workflow", "kind"})),
      wait_timeouts_(registry.AddCounterFamily("steadfast_wait_timeouts_total",
                                               "Signal or approval waits that timed out.", {"workflow", "kind"})),
      approval_checks_(registry.AddCounterFamily(
          "steadfast_approval_checks_total",
          "Approval steps reached: held for a person (held) or passed by their condition (not_required).",
          {"workflow", "result"})),
      approval_decisions_(registry.AddCounterFamily("steadfast_approval_decisions_total",
                                                    "Reviewer decisions on held approvals.",
                                                    {"workflow", "decision"})),
      signals_(registry.AddCounterFamily("steadfast_signals_received_total",
                                         "External signals delivered to instances (buffered ones included).",
                                         {"workflow"})),
      compensations_(registry.AddCounterFamily(
          "steadfast_compensations_total",
          "Compensation: sagas started (started) and compensation attempts (succeeded, failed).",
          {"workflow", "outcome"})),
      deadlines_(registry.AddCounterFamily("steadfast_deadlines_exceeded_total",
                                           "Instances stopped by their workflow deadline.", {"workflow"})),
      in_flight_(registry.AddGauge("steadfast_workflows_in_flight",
                                   "Instances in the store not yet in a terminal status (read at scrape time).")),
      waiting_(registry.AddGaugeFamily(
          "steadfast_workflows_waiting",
          "Instances in the store waiting for a signal, an approval or a sleep step's timer.", {"kind"})),
      oldest_approval_age_(registry.AddGauge(
          "steadfast_oldest_waiting_approval_age_seconds",
          "How long the longest-waiting held approval has waited (0 when none); scans the 500 oldest.")),
      activity_held_(registry.AddGaugeFamily("steadfast_activity_held",
                                             "1 while an operator holds the activity (the kill switch; \"*\" = "
                                             "every activity), 0 once released.",
                                             {"activity"})),
      queue_depth_(registry.AddGauge("steadfast_ready_queue_depth",
                                     "Due tasks leased by this engine and waiting for a worker.")),
      queue_oldest_age_(registry.AddGauge("steadfast_ready_queue_oldest_age_seconds",
                                          "Age (now - due time) of the oldest task in the ready queue; 0 when empty.")) {
  waiting_.WithLabels({"signal"});
  waiting_.WithLabels({"approval"});
  waiting_.WithLabels({"sleep"});
  registry.SetCollector("steadfast_engine", [this] { Collect(); });
}

void EngineMetrics::AddListener(EventListener listener) {
  std::lock_guard<std::mutex> lock(mu_);
  listeners_.push_back(std::move(listener));
}

void EngineMetrics::SetQueueProbe(std::function<QueueSnapshot()> probe) {
  std::lock_guard<std::mutex> lock(mu_);
  queue_probe_ = std::move(probe);
}

std::string EngineMetrics::ActivityOf(const InstanceRecord& instance, const HistoryEvent& event, bool* compensation,
                                      bool* is_approval) {
  *compensation = event.data.Get("compensation").BoolOr(false) || event.type == history::kCompensationSucceeded ||
                  event.type == history::kCompensationFailed;
  std::string named = event.data.Get("activity").StringOr("");
  if (!named.empty() && event.type != history::kCompensationFailed) return named;
  if (event.step_id.empty()) return "";
  Result<DefPtr> def = catalog_.ByHash(instance.definition_hash, store_);
  if (!def.ok()) return "";
  const StepDef* step = (*def)->FindStep(event.step_id);
  if (step == nullptr) return "";
  *is_approval = step->kind == StepKind::kApproval;
  return *compensation ? step->compensate : step->activity;
}

void EngineMetrics::OnCommit(const InstanceRecord& rec, const std::vector<HistoryEvent>& events) {
  const std::string& wf = rec.workflow_name;
  for (const HistoryEvent& e : events) {
    bool compensation = false;
    bool is_approval = false;
    const std::string activity = ActivityOf(rec, e, &compensation, &is_approval);
    const std::string& type = e.type;
    const TimeMs at = e.at != 0 ? e.at : clock_.NowMs();
    if (type == history::kWorkflowStarted) {
      started_.WithLabels({wf, Version(rec)}).Inc();
    } else if (type == history::kWorkflowCompleted || type == history::kWorkflowFailed ||
               type == history::kWorkflowCompensated || type == history::kWorkflowCancelled) {
      std::string outcome = type.substr(type.find('_') + 1);  // "completed", "failed", ...
      finished_.WithLabels({wf, Version(rec), outcome}).Inc();
      workflow_seconds_.WithLabels({wf, outcome}).Observe(Seconds(std::max<int64_t>(0, at - rec.created_at)));
    } else if (type == history::kWorkflowPaused) {
      paused_.WithLabels({wf, Version(rec)}).Inc();
    } else if (type == history::kAttemptSucceeded) {
      attempts_.WithLabels({activity, "succeeded"}).Inc();
      activity_seconds_.WithLabels({activity}).Observe(Seconds(e.data.Get("duration_ms").IntOr(0)));
    } else if (type == history::kAttemptFailed) {
      const std::string code = e.data.Get("code").StringOr("unknown");
      attempts_.WithLabels({activity, "failed"}).Inc();
      failures_.WithLabels({activity, code}).Inc();
      activity_seconds_.WithLabels({activity}).Observe(Seconds(e.data.Get("duration_ms").IntOr(0)));
      if (code == "start_to_close_timeout") timeouts_.WithLabels({activity, "start_to_close"}).Inc();
    } else if (type == history::kAttemptAbandoned) {
      attempts_.WithLabels({activity, "abandoned"}).Inc();
      reclaims_.Inc();
    } else if (type == history::kRetryScheduled) {
      retries_.WithLabels({activity}).Inc();
    } else if (type == history::kStepFailed) {
      const std::string code = e.data.Get("code").StringOr("unknown");
      steps_failed_.WithLabels({activity, code}).Inc();
      if (code == "schedule_to_close_timeout") timeouts_.WithLabels({activity, "schedule_to_close"}).Inc();
    } else if (type == history::kWaitStarted) {
      const std::string kind = e.data.Get("kind").StringOr("signal");
      waits_.WithLabels({wf, kind}).Inc();
      if (kind == "approval") approval_checks_.WithLabels({wf, "held"}).Inc();
    } else if (type == history::kWaitTimedOut) {
      wait_timeouts_.WithLabels({wf, is_approval ? "approval" : "signal"}).Inc();
    } else if (type == history::kApprovalNotRequired) {
      approval_checks_.WithLabels({wf, "not_required"}).Inc();
    } else if (type == history::kApprovalDecided) {
      approval_decisions_.WithLabels({wf, e.data.Get("decision").StringOr("unknown")}).Inc();
    } else if (type == history::kSignalReceived || type == history::kSignalBuffered) {
      if (!(type == history::kSignalReceived && e.data.Get("buffered").BoolOr(false))) {
        signals_.WithLabels({wf}).Inc();  // a buffered signal counts once, when it arrives
      }
    } else if (type == history::kCompensationStarted) {
      compensations_.WithLabels({wf, "started"}).Inc();
    } else if (type == history::kCompensationSucceeded) {
      compensations_.WithLabels({wf, "succeeded"}).Inc();
      attempts_.WithLabels({activity, "succeeded"}).Inc();
      activity_seconds_.WithLabels({activity}).Observe(Seconds(e.data.Get("duration_ms").IntOr(0)));
    } else if (type == history::kCompensationFailed) {
      compensations_.WithLabels({wf, "failed"}).Inc();
    } else if (type == history::kDeadlineExceeded) {
      deadlines_.WithLabels({wf}).Inc();
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (!listeners_.empty()) {
      ObservedEvent observed{rec, e, activity, compensation};
      for (const EventListener& l : listeners_) l(observed);
    }
  }
}

void EngineMetrics::Collect() {
  const TimeMs now = clock_.NowMs();
  auto counts = store_.CountByStatus();
  if (counts.ok()) {
    int64_t in_flight = 0, signal = 0, approval = 0, sleeping = 0, child = 0;
    for (const auto& [status, n] : *counts) {
      if (!IsTerminal(status)) in_flight += n;
      if (status == InstanceStatus::kWaitingSignal) signal += n;
      if (status == InstanceStatus::kWaitingApproval) approval += n;
      if (status == InstanceStatus::kSleeping) sleeping += n;
      if (status == InstanceStatus::kWaitingChild) child += n;
    }
    in_flight_.Set(static_cast<double>(in_flight));
    waiting_.WithLabels({"signal"}).Set(static_cast<double>(signal));
    waiting_.WithLabels({"approval"}).Set(static_cast<double>(approval));
    waiting_.WithLabels({"sleep"}).Set(static_cast<double>(sleeping));
    waiting_.WithLabels({"child"}).Set(static_cast<double>(child));
  }
  ListFilter filter;
  filter.statuses = {InstanceStatus::kWaitingApproval};
  filter.limit = kOldestApprovalScan;
  auto waiting = store_.ListInstances(filter);
  if (waiting.ok()) {
    // updated_at of a parked instance is when it started waiting (nothing else writes it meanwhile).
    TimeMs oldest = 0;
    for (const InstanceRecord& r : *waiting) {
      if (oldest == 0 || r.updated_at < oldest) oldest = r.updated_at;
    }
    oldest_approval_age_.Set(oldest == 0 ? 0.0 : Seconds(std::max<int64_t>(0, now - oldest)));
  }
  auto holds = store_.ListActivityHolds();
  std::function<QueueSnapshot()> probe;
  {
    std::lock_guard<std::mutex> lock(mu_);
    probe = queue_probe_;
    if (holds.ok()) {
      std::set<std::string> held;
      for (const ActivityHold& h : *holds) held.insert(h.activity);
      held_seen_.insert(held.begin(), held.end());
      for (const std::string& a : held_seen_) activity_held_.WithLabels({a}).Set(held.count(a) != 0 ? 1.0 : 0.0);
    }
  }
  if (probe) {
    QueueSnapshot q = probe();
    queue_depth_.Set(static_cast<double>(q.depth));
    queue_oldest_age_.Set(q.depth == 0 || q.oldest_due_at == 0 ? 0.0
                                                               : Seconds(std::max<int64_t>(0, now - q.oldest_due_at)));
  }
}

}  // namespace steadfast
