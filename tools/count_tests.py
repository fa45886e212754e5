#!/usr/bin/env python3
"""Prints the closing line "tests: N passed, N failed, N skipped" for one or
more meson test runs (one meson-logs directory each, summed): GoogleTest
cases from meson's JUnit log, plus one failure for each meson test that
failed without a failing case to show for it (crashed, timed out, or not a
GoogleTest program), one for a run that left no log (its build failed), and
one for each sanitizer report file a run left in meson-logs/sanitizer-reports."""
import json
import os
import sys
import xml.etree.ElementTree as ET

def count(log_dir):
    passed = failed = skipped = 0
    failing_suites = set()
    try:
        root = ET.parse(os.path.join(log_dir, "testlog.junit.xml")).getroot()
        for suite in root.iter("testsuite"):
            for case in suite.findall("testcase"):
                if case.find("failure") is not None or case.find("error") is not None:
                    failed += 1
                    failing_suites.add(suite.get("name", "").split(" / ")[-1].split(".")[0])
                elif case.find("skipped") is not None:
                    skipped += 1
                else:
                    passed += 1
    except (OSError, ET.ParseError):
        pass
    try:
        with open(os.path.join(log_dir, "testlog.json")) as f:
            for line in f:
                t = json.loads(line)
                if t.get("result") in ("OK", "SKIP", "EXPECTEDFAIL"):
                    continue
                if t.get("name", "").split(":")[-1].strip().split(" / ")[-1] not in failing_suites:
                    failed += 1
    except (OSError, ValueError):
        failed += 1
    # A sanitizer report written by any process of the run (tools/test_sanitizers.sh).
    reports = os.path.join(log_dir, "sanitizer-reports")
    if os.path.isdir(reports):
        failed += len(os.listdir(reports))
    return passed, failed, skipped

def main(log_dirs):
    totals = [sum(n) for n in zip(*(count(d) for d in log_dirs))]
    passed, failed, skipped = totals
    print(f"tests: {passed} passed, {failed} failed, {skipped} skipped")
    return 0 if failed == 0 and passed > 0 else 1

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
