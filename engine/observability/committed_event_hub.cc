// CommittedEventHub: fan-out of committed events to plugin subscribers.
#include "observability/committed_event_hub.h"

namespace steadfast {

void CommittedEventHub::Subscribe(CommittedEventFn fn) {
  std::lock_guard<std::mutex> lock(mu_);
  subscribers_.push_back(std::move(fn));
}

bool CommittedEventHub::empty() const {
  std::lock_guard<std::mutex> lock(mu_);
  return subscribers_.empty();
}

void CommittedEventHub::Deliver(const ObservedEvent& o) {
  const CommittedEvent event{o.instance.id,         o.instance.workflow_name, o.instance.workflow_version,
                             o.instance.created_at, o.event,                  o.activity,
                             o.compensation};
  // Subscriptions happen before the engine starts; no lock on the hot path.
  for (const CommittedEventFn& fn : subscribers_) {
    try {
      fn(event);
    } catch (...) {
      // A plugin's bug must not fail a commit that is already durable.
    }
  }
}

EventListener CommittedEventHub::Listener() {
  return [this](const ObservedEvent& o) { Deliver(o); };
}

}  // namespace steadfast
