#include "runtime/instance_cache.h"

namespace steadfast {

void InstanceCache::Park(LoadedInstance inst) {
  if (capacity_ == 0) return;
  inst.tasks.reset();  // read afresh by whoever needs them
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_id_.find(inst.rec.id);
  if (it != by_id_.end()) {
    // Two workers each loaded it: the later version is the one to keep.
    if (it->second->rec.version > inst.rec.version) return;
    parked_.erase(it->second);
    by_id_.erase(it);
  }
  parked_.push_front(std::move(inst));
  by_id_[parked_.front().rec.id] = parked_.begin();
  while (parked_.size() > capacity_) {
    by_id_.erase(parked_.back().rec.id);
    parked_.pop_back();
  }
}

std::optional<LoadedInstance> InstanceCache::Take(const std::string& id, Store& store) {
  std::optional<LoadedInstance> taken;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = by_id_.find(id);
    if (it == by_id_.end()) return std::nullopt;
    taken = std::move(*it->second);
    parked_.erase(it->second);
    by_id_.erase(it);
  }
  Result<std::optional<int64_t>> version = store.GetInstanceVersion(id);
  if (!version.ok() || !version->has_value() || **version != taken->rec.version) return std::nullopt;
  return taken;
}

size_t InstanceCache::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return parked_.size();
}

}  // namespace steadfast
