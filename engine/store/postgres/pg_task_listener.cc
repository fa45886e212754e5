// LISTEN on the store's channel on a connection of its own (store/postgres/pg_task_listener.h).
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

// PostgreSQL's NAMEDATALEN - 1: longer channel names are refused by pg_notify.
constexpr size_t kMaxChannelBytes = 63;

}  // namespace

std::string PgTaskChannel(std::string_view schema) {
  std::string channel = "steadfast_tasks:" + std::string(schema);
  if (channel.size() <= kMaxChannelBytes) return channel;
  uint64_t hash = 14695981039346656037ull;  // FNV-1a, 64 bits
  for (unsigned char c : schema) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return fmt::format("steadfast_tasks:#{:016x}", hash);
}

PgTaskListener::PgTaskListener(PgConnectionOptions options, std::string channel, std::function<void()> on_notify)
    : options_(std::move(options)), channel_(std::move(channel)), on_notify_(std::move(on_notify)) {
  thread_ = std::thread([this] { Loop(); });
}

PgTaskListener::~PgTaskListener() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

bool PgTaskListener::Listen(PgConnection& conn) const {
  // The channel is an identifier: quoted by libpq, never spliced as is.
  char* quoted = PQescapeIdentifier(conn.raw(), channel_.data(), channel_.size());
  if (quoted == nullptr) return false;
  const bool ok = conn.Exec(std::string("LISTEN ") + quoted).ok();
  PQfreemem(quoted);
  return ok;
}

void PgTaskListener::Loop() {
  std::unique_ptr<PgConnection> conn;
  while (!stopping_) {
    if (conn == nullptr || !conn->healthy()) {
      conn.reset();
      Result<std::unique_ptr<PgConnection>> opened = PgConnection::Open(options_);
      if (!opened.ok() || !Listen(**opened)) {
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
