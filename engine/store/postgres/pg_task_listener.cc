// LISTEN steadfast_tasks on a connection of its own (store/postgres/pg_task_listener.h).
#include "store/postgres/pg_task_listener.h"

#include <libpq-fe.h>
#include <poll.h>

#include <chrono>
#include <utility>

#include <fmt/format.h>

namespace steadfast {
namespace {

// How often the thread looks at stopping_ while nothing arrives, and how
// long it waits before reconnecting.
constexpr int kPollMs = 200;
constexpr auto kReconnectPause = std::chrono::milliseconds(500);

}  // namespace

PgTaskListener::PgTaskListener(PgConnectionOptions options, std::function<void()> on_notify)
    : options_(std::move(options)), on_notify_(std::move(on_notify)) {
  thread_ = std::thread([this] { Loop(); });
}

PgTaskListener::~PgTaskListener() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

void PgTaskListener::Loop() {
  std::unique_ptr<PgConnection> conn;
  while (!stopping_) {
    if (conn == nullptr || !conn->healthy()) {
      conn.reset();
      Result<std::unique_ptr<PgConnection>> opened = PgConnection::Open(options_);
      if (!opened.ok() || !(*opened)->Exec(fmt::format("LISTEN {}", kPgTaskChannel)).ok()) {
        std::this_thread::sleep_for(kReconnectPause);
        continue;
      }
      conn = std::move(opened).value();
      // Whatever was written while nobody listened is found by this wake.
      on_notify_();
    }
    pollfd fd{PQsocket(conn->raw()), POLLIN, 0};
    if (fd.fd < 0) {
      conn.reset();
      continue;
    }
    if (poll(&fd, 1, kPollMs) <= 0) continue;
    if (PQconsumeInput(conn->raw()) == 0) {
      conn.reset();  // the connection broke: reopen
      continue;
    }
    bool notified = false;
    while (PGnotify* n = PQnotifies(conn->raw())) {
      notified = true;
      PQfreemem(n);
    }
    if (notified) on_notify_();
  }
}

}  // namespace steadfast
