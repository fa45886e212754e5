// InstanceCache: parents waiting for their child workflows, kept loaded
// between their tasks.
//
// A for_each parent gets a task for every element that ends, and loading
// the parent decodes its whole input, which holds the list: thousands of
// elements made thousands of decodes of thousands of items, each held by
// whichever worker thread ran it. The executor parks such a parent here
// after a commit and takes it back for the parent's next task when the
// store's version is still the one it committed: every change to an
// instance bumps its version, so what is taken is exactly what a load
// would read. Taken, never copied: one worker at a time holds it. Bounded
// by count; the least recently parked goes first.
#ifndef STEADFAST_RUNTIME_INSTANCE_CACHE_H_
#define STEADFAST_RUNTIME_INSTANCE_CACHE_H_

#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "runtime/transition.h"
#include "store/store.h"

namespace steadfast {

class InstanceCache {
 public:
  explicit InstanceCache(size_t capacity) : capacity_(capacity) {}
  InstanceCache(const InstanceCache&) = delete;
  InstanceCache& operator=(const InstanceCache&) = delete;

  // Keeps inst, which must be what the store holds at inst.rec.version.
  void Park(LoadedInstance inst);
  // The parked instance `id`, if the store's version is still its own;
  // nullopt otherwise (a stale one is dropped).
  std::optional<LoadedInstance> Take(const std::string& id, Store& store);
  size_t size() const;

 private:
  const size_t capacity_;
  mutable std::mutex mu_;
  std::list<LoadedInstance> parked_;  // GUARDED_BY(mu_): most recently parked first
  std::unordered_map<std::string, std::list<LoadedInstance>::iterator> by_id_;  // GUARDED_BY(mu_)
};

}  // namespace steadfast

#endif  // STEADFAST_RUNTIME_INSTANCE_CACHE_H_
