// PostgreSQL schema version 1: SQLite's schema at its version 12 in one step.
//
// Same tables, columns (in the same order, with the same defaults), indexes
// and names as store/sqlite/migration_v1.cc .. migration_v12.cc, so the
// PostgreSQL store can share the SQLite store's column lists and most of its
// queries. The translation (docs/store.md, "PostgreSQL"):
//   INTEGER -> bigint (SQLite integers are 64-bit; enums and flags too, so
//     every integer column reads with one getter);
//   BLOB -> bytea; TEXT -> text COLLATE "C" (bytewise order, as SQLite's
//     BINARY collation: cursors and ORDER BY id give the same order on both
//     backends, and the server's locale cannot change it);
//   INTEGER PRIMARY KEY AUTOINCREMENT -> bigint GENERATED ALWAYS AS IDENTITY
//     (ids never reused; the store never inserts an id of its own);
//   WITHOUT ROWID -> a plain table (PostgreSQL tables have no rowid).
#include "store/postgres/pg_migrations.h"

namespace steadfast {

Status MigratePgToV1(PgConnection& conn) {
  return conn.Exec(R"sql(
CREATE TABLE definitions (
  hash       text COLLATE "C" PRIMARY KEY,
  name       text COLLATE "C" NOT NULL,
  version    bigint NOT NULL,
  source     text COLLATE "C" NOT NULL,
  created_at bigint NOT NULL
);

CREATE TABLE instances (
  id               text COLLATE "C" PRIMARY KEY,
  workflow_name    text COLLATE "C" NOT NULL,
  workflow_version bigint NOT NULL,
  definition_hash  text COLLATE "C" NOT NULL,
  status           bigint NOT NULL,
  current_step     text COLLATE "C" NOT NULL,
  input            bytea NOT NULL,
  output           bytea NOT NULL,
  error_code       text COLLATE "C" NOT NULL,
  error_message    text COLLATE "C" NOT NULL,
  state            bytea NOT NULL,
  idempotency_key  text COLLATE "C" NOT NULL,
  requested_by     text COLLATE "C" NOT NULL,
  traceparent      text COLLATE "C" NOT NULL,
  version          bigint NOT NULL,
  last_seq         bigint NOT NULL,
  created_at       bigint NOT NULL,
  updated_at       bigint NOT NULL,
  deadline_at      bigint NOT NULL,
  links            text COLLATE "C" NOT NULL DEFAULT '',
  started_by       text COLLATE "C" NOT NULL DEFAULT '',
  search_keys      text COLLATE "C" NOT NULL DEFAULT '',
  priority         bigint NOT NULL DEFAULT 3,
  parent_id        text COLLATE "C" NOT NULL DEFAULT '',
  parent_step      text COLLATE "C" NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX instances_idempotency_key ON instances(idempotency_key) WHERE idempotency_key <> '';
CREATE INDEX instances_created ON instances(created_at, id);
CREATE INDEX instances_status ON instances(status, created_at, id);
CREATE INDEX instances_workflow ON instances(workflow_name, created_at, id);
CREATE INDEX instances_parent ON instances(parent_id, created_at, id) WHERE parent_id <> '';

CREATE TABLE tasks (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  instance_id     text COLLATE "C" NOT NULL,
  kind            bigint NOT NULL,
  step_id         text COLLATE "C" NOT NULL,
  attempt         bigint NOT NULL,
  due_at          bigint NOT NULL,
  lease_owner     text COLLATE "C" NOT NULL,
  lease_until     bigint NOT NULL,
  lease_token     bigint NOT NULL,
  step_started_at bigint NOT NULL,
  activity        text COLLATE "C" NOT NULL DEFAULT '',
  priority        bigint NOT NULL DEFAULT 3
);
CREATE INDEX tasks_due ON tasks(due_at, lease_until);
CREATE INDEX tasks_instance ON tasks(instance_id);
CREATE INDEX tasks_activity ON tasks(activity, lease_until, due_at);
CREATE INDEX tasks_priority ON tasks(priority, due_at) WHERE priority <> 3;

CREATE TABLE history (
  instance_id text COLLATE "C" NOT NULL,
  seq         bigint NOT NULL,
  at          bigint NOT NULL,
  type        text COLLATE "C" NOT NULL,
  step_id     text COLLATE "C" NOT NULL,
  attempt     bigint NOT NULL,
  data        bytea NOT NULL,
  PRIMARY KEY (instance_id, seq)
);

CREATE TABLE signals (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  instance_id     text COLLATE "C" NOT NULL,
  name            text COLLATE "C" NOT NULL,
  payload         bytea NOT NULL,
  idempotency_key text COLLATE "C" NOT NULL,
  principal       text COLLATE "C" NOT NULL,
  received_at     bigint NOT NULL,
  consumed        bigint NOT NULL
);
CREATE UNIQUE INDEX signals_idempotency_key ON signals(instance_id, idempotency_key) WHERE idempotency_key <> '';
CREATE INDEX signals_pending ON signals(instance_id, name, consumed, id);

CREATE TABLE plugin_migrations (
  plugin      text COLLATE "C" NOT NULL,
  version     bigint NOT NULL,
  description text COLLATE "C" NOT NULL,
  applied_at  bigint NOT NULL,
  PRIMARY KEY (plugin, version)
);

CREATE TABLE schedules (
  name             text COLLATE "C" PRIMARY KEY,
  workflow         text COLLATE "C" NOT NULL,
  cursor_at        bigint NOT NULL,
  paused           bigint NOT NULL DEFAULT 0,
  paused_by        text COLLATE "C" NOT NULL DEFAULT '',
  pause_reason     text COLLATE "C" NOT NULL DEFAULT '',
  paused_at        bigint NOT NULL DEFAULT 0,
  last_instance_id text COLLATE "C" NOT NULL DEFAULT '',
  created_at       bigint NOT NULL,
  updated_at       bigint NOT NULL
);

CREATE TABLE schedule_ticks (
  schedule    text COLLATE "C" NOT NULL,
  kind        bigint NOT NULL,
  tick_at     bigint NOT NULL,
  outcome     bigint NOT NULL,
  reason      text COLLATE "C" NOT NULL DEFAULT '',
  instance_id text COLLATE "C" NOT NULL DEFAULT '',
  ticks       bigint NOT NULL DEFAULT 1,
  principal   text COLLATE "C" NOT NULL DEFAULT '',
  recorded_at bigint NOT NULL,
  PRIMARY KEY (schedule, kind, tick_at)
);

CREATE TABLE instance_keys (
  key_name       text COLLATE "C" NOT NULL,
  key_value      text COLLATE "C" NOT NULL,
  key_created_at bigint NOT NULL,
  instance_id    text COLLATE "C" NOT NULL,
  PRIMARY KEY (key_name, key_value, key_created_at, instance_id)
);

CREATE TABLE bulk_operations (
  id          text COLLATE "C" PRIMARY KEY,
  action      text COLLATE "C" NOT NULL,
  filter      text COLLATE "C" NOT NULL,
  reason      text COLLATE "C" NOT NULL,
  principal   text COLLATE "C" NOT NULL,
  state       text COLLATE "C" NOT NULL,
  total       bigint NOT NULL,
  done        bigint NOT NULL,
  skipped     bigint NOT NULL,
  failed      bigint NOT NULL,
  failures    text COLLATE "C" NOT NULL,
  cursor      text COLLATE "C" NOT NULL,
  created_at  bigint NOT NULL,
  updated_at  bigint NOT NULL,
  finished_at bigint NOT NULL
);
CREATE INDEX bulk_operations_created ON bulk_operations(created_at, id);

CREATE TABLE activity_holds (
  activity text COLLATE "C" PRIMARY KEY,
  reason   text COLLATE "C" NOT NULL,
  held_by  text COLLATE "C" NOT NULL,
  held_at  bigint NOT NULL
);

CREATE TABLE activity_hold_log (
  id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  activity  text COLLATE "C" NOT NULL,
  action    text COLLATE "C" NOT NULL,
  principal text COLLATE "C" NOT NULL,
  reason    text COLLATE "C" NOT NULL,
  at        bigint NOT NULL
);

CREATE TABLE activity_rates (
  activity text COLLATE "C" PRIMARY KEY,
  tat_us   bigint NOT NULL
);

CREATE TABLE deployed_definitions (
  name        text COLLATE "C" NOT NULL,
  version     bigint NOT NULL,
  hash        text COLLATE "C" NOT NULL REFERENCES definitions(hash),
  deployed_by text COLLATE "C" NOT NULL,
  deployed_at bigint NOT NULL,
  PRIMARY KEY (name, version)
);

CREATE TABLE activity_fair_turns (
  activity text COLLATE "C" NOT NULL,
  fair_key text COLLATE "C" NOT NULL,
  served   bigint NOT NULL,
  PRIMARY KEY (activity, fair_key)
);

CREATE TABLE instance_inputs (
  instance_id text COLLATE "C" PRIMARY KEY,
  input       bytea NOT NULL
);
)sql")
      .status();
}

}  // namespace steadfast
