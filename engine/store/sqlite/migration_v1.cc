// Schema version 1: the tables and indexes of the first release.
//
// Column notes (docs/store.md has the full picture):
// - Values (input, output, event data, signal payloads) are the cereal
//   binary of steadfast/value_codec.h; instances.state is the runtime's own
//   opaque blob.
// - Every column is NOT NULL with "" / 0 for "none", matching the records,
//   so reads never special-case NULL.
// - instances.last_seq is the highest history seq of the instance: appending
//   events needs no MAX(seq) read, only the instance row the commit reads
//   anyway for its version check.
// - tasks and signals use AUTOINCREMENT so an id is never reused: a stale
//   worker's (task id, lease token) must never match a later task.
#include "store/sqlite/migrations.h"

namespace steadfast {

Status MigrateToV1(Connection& conn) {
  return conn.Exec(R"sql(
CREATE TABLE definitions (
  hash       TEXT PRIMARY KEY NOT NULL,
  name       TEXT NOT NULL,
  version    INTEGER NOT NULL,
  source     TEXT NOT NULL,
  created_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE instances (
  id               TEXT PRIMARY KEY NOT NULL,
  workflow_name    TEXT NOT NULL,
  workflow_version INTEGER NOT NULL,
  definition_hash  TEXT NOT NULL,
  status           INTEGER NOT NULL,
  current_step     TEXT NOT NULL,
  input            BLOB NOT NULL,
  output           BLOB NOT NULL,
  error_code       TEXT NOT NULL,
  error_message    TEXT NOT NULL,
  state            BLOB NOT NULL,
  idempotency_key  TEXT NOT NULL,
  requested_by     TEXT NOT NULL,
  traceparent      TEXT NOT NULL,
  version          INTEGER NOT NULL,
  last_seq         INTEGER NOT NULL,
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL,
  deadline_at      INTEGER NOT NULL
);
CREATE UNIQUE INDEX instances_idempotency_key ON instances(idempotency_key) WHERE idempotency_key <> '';
CREATE INDEX instances_created ON instances(created_at, id);
CREATE INDEX instances_status ON instances(status, created_at, id);
CREATE INDEX instances_workflow ON instances(workflow_name, created_at, id);

CREATE TABLE tasks (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  instance_id     TEXT NOT NULL,
  kind            INTEGER NOT NULL,
  step_id         TEXT NOT NULL,
  attempt         INTEGER NOT NULL,
  due_at          INTEGER NOT NULL,
  lease_owner     TEXT NOT NULL,
  lease_until     INTEGER NOT NULL,
  lease_token     INTEGER NOT NULL,
  step_started_at INTEGER NOT NULL
);
CREATE INDEX tasks_due ON tasks(due_at, lease_until);
CREATE INDEX tasks_instance ON tasks(instance_id);

CREATE TABLE history (
  instance_id TEXT NOT NULL,
  seq         INTEGER NOT NULL,
  at          INTEGER NOT NULL,
  type        TEXT NOT NULL,
  step_id     TEXT NOT NULL,
  attempt     INTEGER NOT NULL,
  data        BLOB NOT NULL,
  PRIMARY KEY (instance_id, seq)
) WITHOUT ROWID;

CREATE TABLE signals (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  instance_id     TEXT NOT NULL,
  name            TEXT NOT NULL,
  payload         BLOB NOT NULL,
  idempotency_key TEXT NOT NULL,
  principal       TEXT NOT NULL,
  received_at     INTEGER NOT NULL,
  consumed        INTEGER NOT NULL
);
CREATE UNIQUE INDEX signals_idempotency_key ON signals(instance_id, idempotency_key) WHERE idempotency_key <> '';
CREATE INDEX signals_pending ON signals(instance_id, name, consumed, id);
)sql");
}

}  // namespace steadfast
