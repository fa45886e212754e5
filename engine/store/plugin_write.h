// Running plugin writes (steadfast/storage.h) inside a store's transaction,
// the same on every backend.
//
// A plugin write is plugin code: it may throw, and it may call back into
// PluginStorage::Transact, which would wait for the very commit it is part
// of. RunPluginWrite turns an exception into an Internal error and marks the
// thread while the write runs (InPluginWrite), so the stores refuse such a
// Transact instead of deadlocking. RunCheckpointWrites runs a Commit's
// plugin_writes after its preconditions passed.
#ifndef STEADFAST_STORE_PLUGIN_WRITE_H_
#define STEADFAST_STORE_PLUGIN_WRITE_H_

#include <functional>
#include <vector>

#include "steadfast/status.h"
#include "steadfast/storage.h"

namespace steadfast {

// True while this thread runs a plugin write.
bool InPluginWrite();

// Runs write(tx); an exception it throws is an Internal error naming it.
Status RunPluginWrite(const PluginWrite& write, PluginTransaction& tx);

// Runs a checkpoint's writes in order on tx: kAborted naming the failing
// write when one returns an error and the transaction survived; the
// store's own error when it did not (transaction_alive() false after a
// write: disk full, connection lost, or a write that ended the
// transaction). Crash point "store.plugin_writes" once they all ran.
Status RunCheckpointWrites(const std::vector<PluginWrite>& writes, PluginTransaction& tx,
                           const std::function<bool()>& transaction_alive);

}  // namespace steadfast

#endif  // STEADFAST_STORE_PLUGIN_WRITE_H_
