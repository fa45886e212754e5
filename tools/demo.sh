#!/usr/bin/env bash
# The Steadfast demo: two guest cancellations refunded through the sandbox PSP.
#
#   bash tools/demo.sh
#
# 1. builds (tools/setup.sh; STEADFAST_BUILD_DIR picks another build dir),
# 2. starts steadfast-sandbox on a free loopback port with a fresh database
#    and seeds the two charges,
# 3. writes a temporary engine config pointing the refund plugin at it,
# 4. runs workflows/reservation_refund.yaml for a small refund (straight
#    through) and for a large one (held for approval, approved by this script
#    as "reviewer" from a second process, as a person would),
# 5. prints the refund breakdown, the ledger entries and the sandbox's view,
# 6. reconciles the ledger, the workflow states and the PSP's refund list
#    (steadfast reconcile: exits non-zero, and so fails the demo, on any drift),
#    and stops the sandbox. Everything lives in a temporary directory.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=tools/setup.sh
source "$ROOT/tools/setup.sh"
BUILD="${STEADFAST_BUILD_DIR:-$ROOT/build}"
SF="$BUILD/tools/steadfast/steadfast"
SANDBOX="$BUILD/tools/sandbox/steadfast-sandbox"

WORK="$(mktemp -d /tmp/steadfast-demo.XXXXXX)"
SANDBOX_PID=""
RUN_PID=""
cleanup() {
  [ -n "$RUN_PID" ] && kill "$RUN_PID" 2>/dev/null || true
  if [ -n "$SANDBOX_PID" ]; then
    kill -TERM "$SANDBOX_PID" 2>/dev/null || true
    wait "$SANDBOX_PID" 2>/dev/null || true
  fi
  [ "${KEEP_DEMO_DIR:-0}" = 1 ] || rm -rf "$WORK"
}
trap cleanup EXIT

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

# The sandbox's Stripe secret key, and the engine's copy of it: both only in
# the environment, never in a file or on a command line.
export STEADFAST_SANDBOX_SECRET_KEY="sk_test_demo_$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
export STEADFAST_PSP_SECRET_KEY="$STEADFAST_SANDBOX_SECRET_KEY"

say "starting the sandbox PSP"
"$SANDBOX" --port 0 --db "$WORK/sandbox.sqlite3" >"$WORK/sandbox.out" 2>"$WORK/sandbox.err" &
SANDBOX_PID=$!
for _ in $(seq 1 100); do
  grep -q '^listening on ' "$WORK/sandbox.out" 2>/dev/null && break
  kill -0 "$SANDBOX_PID" 2>/dev/null || { cat "$WORK/sandbox.err"; exit 1; }
  sleep 0.1
done
ADDR="$(sed -n 's/^listening on //p' "$WORK/sandbox.out")"
[ -n "$ADDR" ] || { echo "demo: the sandbox did not start"; cat "$WORK/sandbox.err"; exit 1; }
S="http://$ADDR"
echo "sandbox at $S (database $WORK/sandbox.sqlite3)"

say "seeding the guests' charges"
curl -fsS -X POST "$S/sandbox/charges" \
  -d '{"id": "ch_r1001", "payment_intent": "pi_r1001", "amount": 27000, "currency": "EUR"}' >/dev/null
curl -fsS -X POST "$S/sandbox/charges" \
  -d '{"id": "ch_r1002", "payment_intent": "pi_r1002", "amount": 78500, "currency": "EUR"}' >/dev/null
echo "ch_r1001 270.00 EUR (reservation r-1001), ch_r1002 785.00 EUR (reservation r-1002)"

cat >"$WORK/steadfast.yaml" <<YAML
database: $WORK/engine.db
workflows_dir: $ROOT/workflows
poll_interval: 100ms
log_level: warn
plugin_config:
  refund:
    policies: $ROOT/config/refund_policies.yaml
    risk_rules: $ROOT/config/risk_rules.yaml
    psp: { base_url: "$S", secret_key_env: STEADFAST_PSP_SECRET_KEY, timeout: 10s }
    inventory_url: "$S"
    notification_url: "$S"
YAML
CFG=(--config "$WORK/steadfast.yaml" --db "$WORK/engine.db")

say "1. a small refund: straight through (below EUR's 500.00 review threshold, config/risk_rules.yaml)"
"$SF" run "$ROOT/workflows/reservation_refund.yaml" --input "@$ROOT/workflows/examples/reservation.json" \
  --id demo-r1001 --requested-by guest-17 "${CFG[@]}"

say "2. a large refund: held for a reviewer, approved by this script"
"$SF" run "$ROOT/workflows/reservation_refund.yaml" --input "@$ROOT/workflows/examples/reservation_large.json" \
  --id demo-r1002 --requested-by guest-42 "${CFG[@]}" &
RUN_PID=$!
held=0
for _ in $(seq 1 300); do
  if "$SF" status demo-r1002 --json "${CFG[@]}" 2>/dev/null | grep -q '"waiting_approval"'; then held=1; break; fi
  sleep 0.1
done
[ "$held" = 1 ] || { echo "demo: r-1002 was not held for approval"; exit 1; }
echo "  (reviewer) steadfast approve demo-r1002 review --as reviewer"
"$SF" approve demo-r1002 review --as reviewer --comment "checked the booking; ok" "${CFG[@]}"
wait "$RUN_PID"
RUN_PID=""

say "the breakdown of r-1002 (steadfast refund quote)"
python3 - "$ROOT/workflows/examples/reservation_large.json" "$WORK" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
json.dump(doc["reservation"], open(sys.argv[2] + "/r-1002.json", "w"))
open(sys.argv[2] + "/r-1002.cancel_at", "w").write(doc["cancel_at"])
PY
"$SF" refund quote --reservation "@$WORK/r-1002.json" --cancel-at "$(cat "$WORK/r-1002.cancel_at")" \
  --policies "$ROOT/config/refund_policies.yaml"

say "the ledger (steadfast refund ledger)"
"$SF" refund ledger --db "$WORK/engine.db"

say "what the PSP saw (GET /sandbox/stats)"
curl -fsS "$S/sandbox/stats" >"$WORK/stats.json"
python3 - "$WORK/stats.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
for ch, r in sorted(s["refunds"]["by_charge"].items()):
    print(f"  {ch}: {r['count']} refund(s), {r['amount_refunded']} of {r['charge_amount']} {r['currency']} (minor units) refunded")
print(f"  inventory releases: {s['inventory']['releases']}, notifications: {s['notifications']['count']}")
PY

say "reconciliation: ledger vs workflow states vs the PSP's refunds (steadfast reconcile)"
# No settle margin: every workflow of the demo has finished, and the default
# (15m) would only list their fresh refunds as pending.
"$SF" reconcile "${CFG[@]}" --settle-margin 0s
echo
echo "demo finished; the sandbox stops now."
