// PostgreSQL schema version 2: the checks a checkpoint makes, as functions
// that raise instead of answering.
//
// A pipelined checkpoint (store/postgres/pg_checkpoint_statements.h) sends
// all its statements without waiting for any answer, so a precondition
// cannot be read and judged by the engine between two statements: each one
// is a function that takes its row lock, checks, and raises an error with a
// SQLSTATE of the class "SF" when the check fails. The error ends the
// pipeline's transaction (nothing of it commits) and the engine maps the
// SQLSTATE back to its Status (store/postgres/pg_status.h):
//   SF404 NotFound, SF409 Conflict, SF410 LeaseLost, SF412 and SF303
//   AlreadyExists (SF303: a pipelined start's id or key is taken).
// The messages are the ones the interactive commit (pg_write_ops.cc) gives.
#include "store/postgres/pg_migrations.h"

namespace steadfast {

Status MigratePgToV2(PgConnection& conn) {
  return conn.Exec(R"sql(
-- A checkpoint's first statement: the instance's row locked for the rest
-- of the transaction (commits of one instance are serial), its version
-- checked when one is expected (p_expect_version NULL: none), then the
-- lease fence when the checkpoint finishes a task (p_task NULL: none): the
-- task is deleted only if it is still held with the token its worker was
-- given (a claim in progress is waited for, then its new token seen).
-- Returns the row's version.
CREATE FUNCTION steadfast_begin_checkpoint(p_id text, p_expect_version bigint, p_task bigint, p_token bigint,
                                           OUT version bigint)
LANGUAGE plpgsql AS $fn$
BEGIN
  SELECT i.version INTO version FROM instances i WHERE i.id = p_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'instance % not found', p_id USING ERRCODE = 'SF404';
  END IF;
  IF p_expect_version IS NOT NULL AND version <> p_expect_version THEN
    RAISE EXCEPTION 'instance % is at version %, expected version %', p_id, version, p_expect_version
      USING ERRCODE = 'SF409';
  END IF;
  IF p_task IS NOT NULL THEN
    DELETE FROM tasks WHERE id = p_task AND lease_token = p_token AND instance_id = p_id;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'task % of instance % is gone or no longer held with lease token %', p_task, p_id, p_token
        USING ERRCODE = 'SF410';
    END IF;
  END IF;
END
$fn$;

-- No attempt of the instance claimed: its attempt tasks (kinds 1, run step,
-- and 3, compensate) locked, so no claim can take one until the transaction
-- ends, then their tokens read.
CREATE FUNCTION steadfast_require_no_attempt(p_instance text) RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
  claimed bigint;
BEGIN
  SELECT min(id) INTO claimed FROM (
    SELECT id, lease_token FROM tasks WHERE instance_id = p_instance AND kind IN (1, 3) ORDER BY id FOR UPDATE
  ) attempts WHERE lease_token > 0;
  IF claimed IS NOT NULL THEN
    RAISE EXCEPTION 'instance % has an attempt in flight (task %)', p_instance, claimed USING ERRCODE = 'SF409';
  END IF;
END
$fn$;

-- A pipelined start inserts its row ON CONFLICT DO NOTHING: when another
-- start took the id or the idempotency key first, nothing was inserted and
-- the batch must not go on (the start is then answered interactively).
CREATE FUNCTION steadfast_require_inserted(p_inserted bigint, p_id text) RETURNS void
LANGUAGE plpgsql AS $fn$
BEGIN
  IF p_inserted = 0 THEN
    RAISE EXCEPTION 'instance % or its idempotency key exists already', p_id USING ERRCODE = 'SF303';
  END IF;
END
$fn$;

CREATE FUNCTION steadfast_require_new_signal_key(p_instance text, p_key text) RETURNS void
LANGUAGE plpgsql AS $fn$
BEGIN
  IF p_key <> '' AND EXISTS (SELECT 1 FROM signals WHERE instance_id = p_instance AND idempotency_key = p_key) THEN
    RAISE EXCEPTION 'instance % already received a signal with idempotency key %', p_instance, p_key
      USING ERRCODE = 'SF412';
  END IF;
END
$fn$;

CREATE FUNCTION steadfast_consume_signal(p_signal bigint, p_instance text) RETURNS void
LANGUAGE plpgsql AS $fn$
BEGIN
  UPDATE signals SET consumed = 1 WHERE id = p_signal AND instance_id = p_instance AND consumed = 0;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'signal % of instance % is not pending (unknown or already consumed)', p_signal, p_instance
      USING ERRCODE = 'SF409';
  END IF;
END
$fn$;
)sql")
      .status();
}

}  // namespace steadfast
