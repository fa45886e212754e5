#!/usr/bin/env python3
"""The load and the measurement of tools/bench_limits.sh.

Holds refund.psp_refund, seeds N charges at the sandbox, starts N
reservation_refund instances over the HTTP API, waits until all of them
wait at the psp step, releases the hold, waits until all are completed, and
then reads the sandbox's call log: every POST /v1/refunds with its arrival
time and duration. Prints the observed PSP calls per second (the whole run
and every whole second) and the most calls in flight at any instant.

With --flood-share F the first F of the refunds belong to one customer
("flood", started first, so oldest) and the rest to --customers others:
it then also prints, per group, how long after the release their refunds
completed. With `fair_by: customer_id` the others' refunds go through
beside the flood; without it they wait behind all of it.
"""
import argparse
import copy
import http.client
import json
import sqlite3
import sys
import time
import urllib.parse


class Api:
    def __init__(self, base, token=None):
        u = urllib.parse.urlparse(base)
        self.conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
        self.token = token

    def call(self, method, path, body=None, key=None):
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = "Bearer " + self.token
        if key:
            headers["Idempotency-Key"] = key
        self.conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        r = self.conn.getresponse()
        data = r.read()
        if r.status >= 300:
            raise RuntimeError(f"{method} {path}: {r.status} {data[:300]!r}")
        return json.loads(data) if data else None


def count(db, sql):
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        return conn.execute(sql).fetchone()[0]
    finally:
        conn.close()


def wait_until(what, fn, timeout_s):
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        if fn():
            return
        time.sleep(0.2)
    raise RuntimeError("timed out waiting until " + what)


def main():
    p = argparse.ArgumentParser()
    for name in ("server", "token", "psp", "engine-db", "sandbox-db", "example"):
        p.add_argument("--" + name, required=True)
    p.add_argument("--refunds", type=int, default=2000)
    p.add_argument("--per-second", type=float, required=True)
    p.add_argument("--burst", type=int, required=True)
    p.add_argument("--max-in-flight", type=int, required=True)
    p.add_argument("--flood-share", type=float, default=0.0)
    p.add_argument("--customers", type=int, default=20)
    a = p.parse_args()
    flood = int(a.refunds * a.flood_share)

    api = Api(a.server, a.token)
    psp = Api(a.psp)
    example = json.load(open(a.example))
    api.call("POST", "/v1/activity-holds", {"activity": "refund.psp_refund", "reason": "bench: build the backlog"})
    t0 = time.time()
    for i in range(a.refunds):
        # Flood first: its refunds are the oldest in the backlog.
        rid = f"f-{i}" if i < flood else f"c{(i - flood) % a.customers}-{i}"
        customer = "flood" if i < flood else f"customer-{(i - flood) % a.customers}"
        charge = "ch_" + rid
        psp.call("POST", "/sandbox/charges", {"id": charge, "amount": 27000, "currency": "EUR"}, key="seed-" + charge)
        inp = copy.deepcopy(example)
        inp["reservation"]["id"] = rid
        inp["reservation"]["payment"]["charge"] = charge
        inp["reservation"]["payment"]["method"] = "pm_" + rid
        inp["reservation"]["customer"]["id"] = customer if a.flood_share > 0 else "guest-" + rid
        inp["requested_by"] = inp["reservation"]["customer"]["id"]
        api.call("POST", "/v1/workflows", {"workflow": "reservation_refund", "id": "wf-" + rid, "input": inp})
    print(f"started {a.refunds} refunds in {time.time() - t0:.1f} s", flush=True)
    wait_until("every refund waits at the psp step",
               lambda: count(a.engine_db, "SELECT count(*) FROM instances WHERE current_step = 'psp'") == a.refunds,
               600)
    if count(a.sandbox_db, "SELECT count(*) FROM calls WHERE method = 'POST' AND path = '/v1/refunds'") != 0:
        print("FAIL: a PSP refund call was made while the activity was held")
        return 1
    released_at = time.time()
    released_ms = int(released_at * 1000)
    api.call("POST", "/v1/activity-holds/refund.psp_refund/release", {"reason": "bench: go"})
    wait_until("every refund completed",
               lambda: count(a.engine_db, "SELECT count(*) FROM instances WHERE status = 6") == a.refunds, 3600)
    drained_s = time.time() - released_at

    conn = sqlite3.connect(f"file:{a.sandbox_db}?mode=ro", uri=True)
    calls = conn.execute("SELECT at_ms, duration_ms FROM calls WHERE method = 'POST' AND path = '/v1/refunds' "
                         "ORDER BY at_ms").fetchall()
    refunds = conn.execute("SELECT count(*) FROM calls WHERE method = 'POST' AND path = '/v1/refunds' "
                           "AND status = 200 AND replayed = 0").fetchone()[0]
    starts = [c[0] for c in calls]
    span_s = (starts[-1] - starts[0]) / 1000.0
    rate = (len(starts) - 1) / span_s if span_s > 0 else float("inf")
    buckets = {}
    for s in starts:
        buckets[(s - starts[0]) // 1000] = buckets.get((s - starts[0]) // 1000, 0) + 1
    whole = [buckets.get(k, 0) for k in range(0, int(span_s))]  # whole seconds only
    # Most calls in flight: sweep over (arrival, +1) and (answer, -1); an answer
    # at the same millisecond as an arrival is counted first.
    edges = sorted([(s, 1) for s, _ in calls] + [(s + d, -1) for s, d in calls], key=lambda e: (e[0], e[1]))
    in_flight = peak = 0
    for _, delta in edges:
        in_flight += delta
        peak = max(peak, in_flight)
    avg_latency = sum(d for _, d in calls) / len(calls)
    bound = "rate" if a.max_in_flight * 1000.0 / avg_latency > a.per_second else "concurrency"
    result = {
        "refunds": a.refunds,
        "psp_refund_calls": len(calls),
        "psp_refunds_created": refunds,
        "drained_seconds": round(drained_s, 1),
        "observed_calls_per_second": round(rate, 2),
        "declared_per_second": a.per_second,
        "burst": a.burst,
        "whole_second_min": min(whole) if whole else None,
        "whole_second_max": max(whole) if whole else None,
        "max_in_flight_observed": peak,
        "declared_max_in_flight": a.max_in_flight,
        "psp_latency_ms_avg": round(avg_latency, 1),
        "binding_limit": bound,
    }
    if a.flood_share > 0:
        # When each group's refunds completed, after the release (the
        # instance's last update is its completion).
        engine = sqlite3.connect(f"file:{a.engine_db}?mode=ro", uri=True)
        for group, pattern in (("flood", "wf-f-%"), ("others", "wf-c%")):
            done = sorted(r[0] - released_ms for r in engine.execute(
                "SELECT updated_at FROM instances WHERE id LIKE ? AND status = 6", (pattern,)))
            if done:
                result[group + "_refunds"] = len(done)
                result[group + "_completed_p50_s"] = round(done[len(done) // 2] / 1000.0, 1)
                result[group + "_completed_max_s"] = round(done[-1] / 1000.0, 1)
    print(json.dumps(result, indent=2))
    ok = peak <= a.max_in_flight and refunds == a.refunds
    if bound == "rate":
        ok = ok and abs(rate - a.per_second) <= 0.05 * a.per_second
        ok = ok and max(whole) <= a.per_second * 1.05 + 0.5
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
