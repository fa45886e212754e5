// Version 7 of the refund tables: security deposits. Two transaction kinds
// (deposit, depositreturn), and what a settlement did with a deposit on its
// snapshot and its claim.
//
// The kind column's CHECK constraint (version 3) names the kinds, and
// SQLite cannot alter a constraint: the table is rebuilt (new table, rows
// copied, old dropped, new renamed, every index of versions 3 and 6 made
// again), all in the migration's transaction. PostgreSQL replaces the
// constraint in place (its default name for a column's CHECK is
// <table>_<column>_check).
#include "refund/settlement_store.h"

namespace steadfast::refund {

const char* const kDepositSchemaSql = R"sql(
CREATE TABLE refund_settlement_transactions_v7 (
  id TEXT PRIMARY KEY,
  idempotency_key TEXT NOT NULL UNIQUE,
  reservation_id TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('booking', 'guestrefund', 'hostpayout', 'deposit', 'depositreturn')),
  status TEXT NOT NULL CHECK (status IN ('pending', 'completed', 'failed')),
  amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
  currency TEXT NOT NULL,
  charge TEXT NOT NULL DEFAULT '',
  destination TEXT NOT NULL DEFAULT '',
  psp_idempotency_key TEXT NOT NULL DEFAULT '',
  provider_id TEXT NOT NULL DEFAULT '',
  executed_by TEXT NOT NULL DEFAULT '',
  executed_ms INTEGER NOT NULL DEFAULT 0,
  failure_code TEXT NOT NULL DEFAULT '',
  failure_message TEXT NOT NULL DEFAULT '',
  workflow_id TEXT NOT NULL,
  executions INTEGER NOT NULL DEFAULT 0,
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL);
INSERT INTO refund_settlement_transactions_v7 (id, idempotency_key, reservation_id, kind, status, amount_minor,
  currency, charge, destination, psp_idempotency_key, provider_id, executed_by, executed_ms, failure_code,
  failure_message, workflow_id, executions, created_ms, updated_ms)
  SELECT id, idempotency_key, reservation_id, kind, status, amount_minor, currency, charge, destination,
  psp_idempotency_key, provider_id, executed_by, executed_ms, failure_code, failure_message, workflow_id, executions,
  created_ms, updated_ms FROM refund_settlement_transactions;
DROP TABLE refund_settlement_transactions;
ALTER TABLE refund_settlement_transactions_v7 RENAME TO refund_settlement_transactions;
CREATE INDEX IF NOT EXISTS refund_settlement_transactions_reservation
  ON refund_settlement_transactions(reservation_id, kind);
CREATE INDEX IF NOT EXISTS refund_settlement_transactions_status ON refund_settlement_transactions(status);
CREATE INDEX IF NOT EXISTS refund_settlement_transactions_psp_key
  ON refund_settlement_transactions(psp_idempotency_key);
CREATE INDEX IF NOT EXISTS refund_settlement_transactions_provider
  ON refund_settlement_transactions(provider_id);
ALTER TABLE refund_cancellation_details ADD COLUMN deposit_minor INTEGER NOT NULL DEFAULT 0;
ALTER TABLE refund_cancellation_details ADD COLUMN deposit_claimed_minor INTEGER NOT NULL DEFAULT 0;
ALTER TABLE refund_cancellation_details ADD COLUMN deposit_returned_minor INTEGER NOT NULL DEFAULT 0;
ALTER TABLE refund_reservation_claims ADD COLUMN deposit_minor INTEGER NOT NULL DEFAULT 0;
ALTER TABLE refund_reservation_claims ADD COLUMN deposit_claimed_minor INTEGER NOT NULL DEFAULT 0;
ALTER TABLE refund_reservation_claims ADD COLUMN deposit_returned_minor INTEGER NOT NULL DEFAULT 0;
)sql";

const char* const kDepositSchemaPostgresSql = R"sql(
ALTER TABLE refund_settlement_transactions DROP CONSTRAINT refund_settlement_transactions_kind_check;
ALTER TABLE refund_settlement_transactions ADD CONSTRAINT refund_settlement_transactions_kind_check
  CHECK (kind IN ('booking', 'guestrefund', 'hostpayout', 'deposit', 'depositreturn'));
ALTER TABLE refund_cancellation_details ADD COLUMN deposit_minor BIGINT NOT NULL DEFAULT 0;
ALTER TABLE refund_cancellation_details ADD COLUMN deposit_claimed_minor BIGINT NOT NULL DEFAULT 0;
ALTER TABLE refund_cancellation_details ADD COLUMN deposit_returned_minor BIGINT NOT NULL DEFAULT 0;
ALTER TABLE refund_reservation_claims ADD COLUMN deposit_minor BIGINT NOT NULL DEFAULT 0;
ALTER TABLE refund_reservation_claims ADD COLUMN deposit_claimed_minor BIGINT NOT NULL DEFAULT 0;
ALTER TABLE refund_reservation_claims ADD COLUMN deposit_returned_minor BIGINT NOT NULL DEFAULT 0;
)sql";

}  // namespace steadfast::refund
