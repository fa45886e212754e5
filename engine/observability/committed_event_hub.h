// CommittedEventHub: the engine's CommittedEvents (steadfast/history.h).
// Plugins subscribe at init; the composition root feeds it every committed
// event EngineMetrics resolves (EngineMetrics::AddListener(hub.Listener())),
// so plugins see exactly what the engine counts: durable events only.
#ifndef STEADFAST_OBSERVABILITY_COMMITTED_EVENT_HUB_H_
#define STEADFAST_OBSERVABILITY_COMMITTED_EVENT_HUB_H_

#include <mutex>
#include <vector>

#include "observability/engine_metrics.h"
#include "steadfast/history.h"

namespace steadfast {

class CommittedEventHub final : public CommittedEvents {
 public:
  void Subscribe(CommittedEventFn fn) override;

  // Hands `observed` to every subscriber, in subscription order. An
  // exception from a subscriber is swallowed: it must not fail a commit that
  // is already durable, nor starve the subscribers after it.
  void Deliver(const ObservedEvent& observed);
  // Deliver, as a listener for EngineMetrics::AddListener. The hub must
  // outlive the EngineMetrics.
  EventListener Listener();

  bool empty() const;

 private:
  mutable std::mutex mu_;
  std::vector<CommittedEventFn> subscribers_;  // GUARDED_BY(mu_) for writes; read without it once running
};

}  // namespace steadfast

#endif  // STEADFAST_OBSERVABILITY_COMMITTED_EVENT_HUB_H_
