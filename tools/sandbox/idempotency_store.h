// IdempotencyStore: Stripe-style idempotency keys for the sandbox.
//
// The first request that begins executing with a key saves its status and
// body; a later request with the same key and the same parameters gets that
// saved response again (marked Idempotent-Replayed), and one with different
// parameters or another endpoint is refused with an idempotency_error. While
// a request holding a key is still executing (e.g. held by a timeout fault),
// another request with that key is refused with 409 idempotency_key_in_use.
// Keys live in namespaces (the PSP API, inventory, notifications), as the
// services they imitate would not share keys. Records are written through to
// SQLite and survive a restart.
//
// Not thread-safe: SandboxService serializes every call with its mutex.
#ifndef STEADFAST_TOOLS_SANDBOX_IDEMPOTENCY_STORE_H_
#define STEADFAST_TOOLS_SANDBOX_IDEMPOTENCY_STORE_H_

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "sandbox_database.h"
#include "steadfast/clock.h"
#include "steadfast/status.h"

namespace steadfast::sandbox {

struct IdempotencyRecord {
  std::string method;       // of the first request
  std::string path;         // of the first request
  std::string fingerprint;  // canonical form of its parameters
  int status = 0;           // saved response
  std::string body;         // saved response
  std::string request_id;   // Request-Id of the first response
  TimeMs created_ms = 0;
};

class IdempotencyStore {
 public:
  explicit IdempotencyStore(Connection& db) : db_(db) {}
  IdempotencyStore(const IdempotencyStore&) = delete;
  IdempotencyStore& operator=(const IdempotencyStore&) = delete;

  // Creates the table if needed and loads saved records.
  Status Load();

  // The saved record, or nullptr.
  const IdempotencyRecord* Find(std::string_view space, std::string_view key) const;
  Status Save(std::string_view space, std::string_view key, IdempotencyRecord record);

  // In-flight tracking (memory only): true if the key was free and is now held.
  bool TryHold(std::string_view space, std::string_view key);
  void Release(std::string_view space, std::string_view key);
  bool IsHeld(std::string_view space, std::string_view key) const;

 private:
  using Key = std::pair<std::string, std::string>;
  Connection& db_;
  std::map<Key, IdempotencyRecord> records_;
  std::set<Key> in_flight_;
};

}  // namespace steadfast::sandbox

#endif  // STEADFAST_TOOLS_SANDBOX_IDEMPOTENCY_STORE_H_
