// PgTaskListener: wakes this process when another one wrote work for it.
//
// Commits that create a task no one holds yet notify the store's channel
// (PgTaskChannel: one per schema, so stores in other schemas of the same
// database are not woken), delivered by the server when they commit. The
// listener keeps a connection of its own LISTENing on that channel, on a thread that waits
// on the connection's socket, and calls on_notify for each batch of
// notifications: an idle engine claims new work at once instead of at its
// next poll. A broken connection is reopened (with a pause between tries);
// while it is down the engine's polling still finds the work, only later.
// on_notify is called on the listener's thread and must not block long.
#ifndef STEADFAST_STORE_POSTGRES_PG_TASK_LISTENER_H_
#define STEADFAST_STORE_POSTGRES_PG_TASK_LISTENER_H_

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "store/postgres/pg_connection.h"

namespace steadfast {

// The notification channel of the store in `schema`:
// "steadfast_tasks:<schema>", or "steadfast_tasks:#<hash of schema>" when
// that would be longer than PostgreSQL's 63-byte names (the same on every
// host: FNV-1a). Sent as pg_notify's argument, listened to quoted.
std::string PgTaskChannel(std::string_view schema);
// Notifies channel $1: listeners hear it when the transaction commits.
inline const std::string kPgNotifySql = "SELECT pg_notify($1, '')";

class PgTaskListener {
 public:
  PgTaskListener(PgConnectionOptions options, std::string channel, std::function<void()> on_notify);
  // Stops the thread; on_notify is not called once this returns.
  ~PgTaskListener();
  PgTaskListener(const PgTaskListener&) = delete;
  PgTaskListener& operator=(const PgTaskListener&) = delete;

 private:
  void Loop();
  bool Listen(PgConnection& conn) const;

  const PgConnectionOptions options_;
  const std::string channel_;
  const std::function<void()> on_notify_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace steadfast

#endif  // STEADFAST_STORE_POSTGRES_PG_TASK_LISTENER_H_
