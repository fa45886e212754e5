// StoreWorkflowReader: the public WorkflowReader (steadfast/commands.h)
// over the engine's Store, for plugin verbs (CommandHost::OpenWorkflows) and
// for activities (PluginContext::workflows), e.g. the refund plugin's
// reconciliation, which must tell finished refund workflows from ones in
// flight.
//
// Thread-safe (the Store is). It may be created before the store is open
// and bound to it later (Bind), as plugins are initialised before the
// engine opens its store; until then every call fails with
// kFailedPrecondition.
#ifndef STEADFAST_STORE_STORE_WORKFLOW_READER_H_
#define STEADFAST_STORE_STORE_WORKFLOW_READER_H_

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "steadfast/commands.h"
#include "store/store.h"

namespace steadfast {

class StoreWorkflowReader final : public WorkflowReader {
 public:
  // Unbound: calls fail until Bind().
  StoreWorkflowReader() = default;
  // Reads `owned`, which it keeps open for as long as it lives.
  explicit StoreWorkflowReader(std::unique_ptr<Store> owned);

  // Reads `store` from now on (null: refuse again); it must outlive the binding.
  void Bind(Store* store) { store_.store(store, std::memory_order_release); }

  Result<std::vector<WorkflowSummary>> List(const std::string& after_id, int limit) override;
  Result<std::vector<HistoryEvent>> History(const std::string& workflow_id) override;

 private:
  Result<Store*> Bound() const;

  std::unique_ptr<Store> owned_;
  std::atomic<Store*> store_{nullptr};
};

}  // namespace steadfast

#endif  // STEADFAST_STORE_STORE_WORKFLOW_READER_H_
