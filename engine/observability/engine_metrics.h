// EngineMetrics: the engine's Prometheus metrics, counted from what the
// engine commits.
//
// Every count comes from the history events of durable commits (a
// CommitObserver, see Engine::AddObserver), never from attempts in memory:
// an attempt lost to a crash is counted once, as the attempt_abandoned its
// successor records, and nothing is counted that did not become durable.
// Counters cover this process's commits since it started (Prometheus'
// rate() handles restarts); gauges that describe the whole store
// (in-flight, waiting, oldest waiting approval) are read with cheap store
// queries at scrape time, so they include other processes' work too.
//
// Activity names come from the instance's definition (by content hash), so
// every event of a step is labelled with its activity even when the event
// itself does not name it. Listeners (e.g. the refund plugin's SLIs) get
// each event with that resolution done.
//
// Labels are bounded: workflow names, versions, activity names, step kinds,
// error codes (capped per family), never instance ids. The metric list with
// meanings is docs/observability.md.
#ifndef STEADFAST_OBSERVABILITY_ENGINE_METRICS_H_
#define STEADFAST_OBSERVABILITY_ENGINE_METRICS_H_

#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/registry.h"
#include "runtime/workflow_catalog.h"
#include "steadfast/clock.h"
#include "store/store.h"

namespace steadfast {

// One committed history event, with what it is about resolved.
struct ObservedEvent {
  const InstanceRecord& instance;  // the instance row as committed
  const HistoryEvent& event;
  std::string_view activity;       // the step's activity (its compensation's for compensation events); "" if none
  bool compensation = false;       // the event is about a compensation attempt
};
using EventListener = std::function<void(const ObservedEvent&)>;

// What the engine's ready queue holds right now (Engine::ready_queue_stats()).
struct QueueSnapshot {
  int64_t depth = 0;         // tasks leased and waiting for a worker
  TimeMs oldest_due_at = 0;  // earliest due time among them; 0 when empty
};

class EngineMetrics {
 public:
  // registry, catalog, store and clock must outlive this object.
  EngineMetrics(metrics::Registry& registry, WorkflowCatalog& catalog, Store& store, const Clock& clock);
  EngineMetrics(const EngineMetrics&) = delete;
  EngineMetrics& operator=(const EngineMetrics&) = delete;

  // The CommitObserver body: counts one commit's events. Thread-safe.
  void OnCommit(const InstanceRecord& instance, const std::vector<HistoryEvent>& events);
  // Called for every event after the engine's own counting. Add before the
  // engine starts.
  void AddListener(EventListener listener);
  // Where the scrape-time collector reads the ready queue from; unset = the
  // queue gauges stay 0.
  void SetQueueProbe(std::function<QueueSnapshot()> probe);
  // The scrape-time collector (store counts, oldest approval, queue): run
  // by the registry before each render; public for tests.
  void Collect();

 private:
  std::string ActivityOf(const InstanceRecord& instance, const HistoryEvent& event, bool* compensation,
                         bool* is_approval);

  metrics::Registry& registry_;
  WorkflowCatalog& catalog_;
  Store& store_;
  const Clock& clock_;

  metrics::Family<metrics::Counter>& started_;
  metrics::Family<metrics::Counter>& finished_;
  metrics::Family<metrics::Counter>& paused_;
  metrics::Family<metrics::Histogram>& workflow_seconds_;
  metrics::Family<metrics::Counter>& attempts_;
  metrics::Family<metrics::Counter>& failures_;
  metrics::Family<metrics::Counter>& retries_;
  metrics::Family<metrics::Counter>& timeouts_;
  metrics::Family<metrics::Counter>& steps_failed_;
  metrics::Family<metrics::Histogram>& activity_seconds_;
  metrics::Counter& reclaims_;
  metrics::Family<metrics::Counter>& waits_;
  metrics::Family<metrics::Counter>& wait_timeouts_;
  metrics::Family<metrics::Counter>& approval_checks_;
  metrics::Family<metrics::Counter>& approval_decisions_;
  metrics::Family<metrics::Counter>& signals_;
  metrics::Family<metrics::Counter>& compensations_;
  metrics::Family<metrics::Counter>& deadlines_;
  metrics::Gauge& in_flight_;
  metrics::Family<metrics::Gauge>& waiting_;
  metrics::Gauge& oldest_approval_age_;
  metrics::Family<metrics::Gauge>& activity_held_;
  std::set<std::string> held_seen_;  // GUARDED_BY(mu_): activities ever shown held (shown 0 once released)
  metrics::Gauge& queue_depth_;
  metrics::Gauge& queue_oldest_age_;

  std::mutex mu_;
  std::vector<EventListener> listeners_;          // GUARDED_BY(mu_) (read without it once running)
  std::function<QueueSnapshot()> queue_probe_;    // GUARDED_BY(mu_)
};

}  // namespace steadfast

#endif  // STEADFAST_OBSERVABILITY_ENGINE_METRICS_H_
