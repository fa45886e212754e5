#!/usr/bin/env python3
"""Which B-trees a lone checkpoint writes (docs/PERFORMANCE.md, "Pages and bytes per checkpoint").

`steadfast bench` counts the pages a workflow writes; this says where they go. It copies a
database left by `steadfast bench --dir DIR` (DIR/bench.db), replays the write path's statements
for sequential 5-step workflows on it (the SQL of engine/store/sqlite/write_ops.cc as of the
commit that added this script: a start, then checkpoints that finish the task, append two
events, write the next task and the instance row, each its own transaction), and maps every WAL
frame of each checkpoint's commit to the B-tree owning that page (dbstat). Counts, not timings:
valid on a busy machine.

  python3 tools/pages_by_btree.py DIR/bench.db --layout before   # DELETE + INSERT, status always
  python3 tools/pages_by_btree.py DIR/bench.db --layout after    # row reuse, status when changed
  python3 tools/pages_by_btree.py DIR/bench.db --sql "DROP INDEX tasks_activity"   # an experiment

The replay is a model of the write path, not the engine: when write_ops.cc changes, check the
numbers against `steadfast bench`'s pages_written_per_request before trusting a difference.
"""
import argparse
import collections
import os
import shutil
import sqlite3
import struct
import tempfile

PAGE = 4096
TASK_COLUMNS = ("instance_id, kind, step_id, attempt, due_at, lease_owner, lease_until, lease_token, "
                "step_started_at, activity, priority")
INSERT_TASK = ("INSERT INTO tasks(%s) VALUES (?, 1, ?, 1, ?, ?, ?, ?, ?, 'std.noop', "
               "coalesce((SELECT priority FROM instances WHERE id = ?), 3))" % TASK_COLUMNS)
REUSE_TASK = ("UPDATE tasks SET kind = 1, step_id = ?, attempt = 1, due_at = ?, lease_owner = ?, lease_until = ?, "
              "lease_token = ?, step_started_at = ?, activity = 'std.noop', "
              "priority = coalesce((SELECT priority FROM instances WHERE id = ?), 3) WHERE id = ?")
UPDATE_ROW = ("UPDATE instances SET {status}current_step = ?, output = ?, error_code = '', error_message = '', "
              "state = ?, deadline_at = 0, version = version + 1, last_seq = ?, updated_at = ? WHERE id = ?")


def wal_pages(path):
    """Page numbers of the WAL's frames, in order."""
    if not os.path.exists(path):
        return []
    data = open(path, "rb").read()
    return [struct.unpack(">I", data[off:off + 4])[0] for off in range(32, len(data) - 23, 24 + PAGE)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("db", help="a bench database (steadfast bench --dir DIR leaves DIR/bench.db)")
    ap.add_argument("--layout", choices=["before", "after"], default="after")
    ap.add_argument("--workflows", type=int, default=40)
    ap.add_argument("--sql", default="", help="statements run on the copy first (index experiments)")
    args = ap.parse_args()

    work = tempfile.mkdtemp(prefix="pages-by-btree-")
    db = os.path.join(work, "copy.db")
    shutil.copy(args.db, db)
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA wal_autocheckpoint = 0")  # keep every frame for the count
    if args.sql:
        conn.executescript(args.sql)

    columns = [d[0] for d in conn.execute("SELECT * FROM instances LIMIT 0").description]
    template = conn.execute("SELECT * FROM instances ORDER BY created_at DESC LIMIT 1").fetchone()
    if template is None:
        raise SystemExit("no instance to copy: run steadfast bench with --dir first")
    events = conn.execute("SELECT type, step_id, attempt, data FROM history WHERE instance_id = ? ORDER BY seq",
                          (template[columns.index("id")],)).fetchall()
    col = columns.index
    totals = collections.Counter()
    checkpoints = 0
    now = 4_000_000_000_000
    for n in range(args.workflows):
        iid = "zzzz-%010d" % n  # after every id of the copy: ids arrive in start order, as the engine's do
        row = list(template)
        row[col("id")], row[col("status")], row[col("created_at")] = iid, 1, now + n
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO instances(%s) VALUES (%s)" % (",".join(columns), ",".join("?" * len(columns))), row)
        conn.execute("INSERT INTO history VALUES (?, 1, ?, ?, ?, ?, ?)", (iid, now, *events[0]))
        conn.execute(INSERT_TASK, (iid, "s1", now, "bench", now + 30000, 1, now, iid))
        task, token, seq = conn.execute("SELECT last_insert_rowid()").fetchone()[0], 1, 1
        conn.execute("COMMIT")
        for step in range(1, 6):
            t, last = now + step, step == 5
            first = len(wal_pages(db + "-wal"))
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("SELECT version, last_seq, status FROM instances WHERE id = ?", (iid,)).fetchone()
            if args.layout == "after" and not last:
                token = (((token >> 32) + 1) << 32) + 1
                conn.execute(REUSE_TASK, ("s%d" % (step + 1), t, "bench", t + 30000, token, t, iid, task))
            else:
                conn.execute("DELETE FROM tasks WHERE id = ? AND lease_token = ? AND instance_id = ?", (task, token, iid))
                if not last:
                    conn.execute(INSERT_TASK, (iid, "s%d" % (step + 1), t, "bench", t + 30000, 1, t, iid))
                    task, token = conn.execute("SELECT last_insert_rowid()").fetchone()[0], 1
            for e in events[2 * step:2 * step + 2]:  # attempt_succeeded + the next step_scheduled / workflow_completed
                seq += 1
                conn.execute("INSERT INTO history VALUES (?, ?, ?, ?, ?, ?, ?)", (iid, seq, t, *e))
            keeps_status = args.layout == "after" and not last
            params = (("s%d" % (step + 1)) if not last else "", row[col("output")], row[col("state")], seq, t, iid)
            if keeps_status:
                conn.execute(UPDATE_ROW.format(status=""), params)
            else:
                conn.execute(UPDATE_ROW.format(status="status = %d, " % (1 if not last else 3)), params)
            conn.execute("COMMIT")
            owner = {pageno: name for name, pageno in conn.execute("SELECT name, pageno FROM dbstat")}
            for page in wal_pages(db + "-wal")[first:]:
                totals["page 1" if page == 1 else owner.get(page, "(free)")] += 1
            checkpoints += 1
    conn.close()
    shutil.rmtree(work)
    print("layout %s, %d checkpoints: %.2f pages per checkpoint" % (args.layout, checkpoints,
                                                                     sum(totals.values()) / checkpoints))
    for name, count in totals.most_common():
        print("  %-28s %.2f" % (name, count / checkpoints))


if __name__ == "__main__":
    main()
