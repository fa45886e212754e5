#!/usr/bin/env python3
"""Compiles every ```cpp block of the given Markdown files on its own.

Each block must be a complete translation unit: it is written to a file and
compiled with `<compiler> -std=c++20 -I <source root>/engine/include -c`, the
public headers and nothing else, as a plugin author would. A failure names
the doc and the line of the block's opening fence.

A block whose first line is `// plugins/<path>...` shows that file of the
repository: it must be identical to it (so the walkthrough cannot drift from
the code the tests run), and it is compiled from the file's directory's
point of view (`-iquote` that directory) so its own "x.h" includes resolve.
A ```yaml block whose first line is `# plugins/<path>...` must likewise be
identical to that file (it is not compiled).

usage: doc_code_blocks_test.py --source-root DIR DOC.md... -- COMPILER [ARGS...]
"""
import concurrent.futures
import os
import re
import subprocess
import sys
import tempfile

SHOWN_FILE = {"cpp": re.compile(r"^// (plugins/[^\s:]+)"), "yaml": re.compile(r"^# (plugins/[^\s:]+)")}


def blocks(doc_path):
    """Yields (line of the opening fence, language, code) for each ```cpp or ```yaml block."""
    with open(doc_path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    i = 0
    while i < len(lines):
        fence = lines[i].strip()
        if fence in ("```cpp", "```yaml"):
            start = i + 1
            j = start
            while j < len(lines) and lines[j].strip() != "```":
                j += 1
            if j == len(lines):
                raise SystemExit(f"{doc_path}:{i + 1}: {fence} block is never closed")
            yield i + 1, fence[3:], "\n".join(lines[start:j]) + "\n"
            i = j
        i += 1


def check(doc, line, language, code, source_root, compiler, work):
    """Returns None when the block is fine, else a message."""
    where = f"{doc}:{line}"
    extra = []
    first = code.split("\n", 1)[0]
    shown = SHOWN_FILE[language].match(first)
    if shown:
        path = os.path.join(source_root, shown.group(1))
        if not os.path.isfile(path):
            return f"{where}: the block says it shows {shown.group(1)}, which does not exist"
        with open(path, encoding="utf-8") as f:
            actual = f.read()
        if actual != code:
            want, got = actual.split("\n"), code.split("\n")
            n = next((k for k in range(min(len(want), len(got))) if want[k] != got[k]), min(len(want), len(got)))
            return (f"{where}: the block differs from {shown.group(1)} at its line {n + 1}:\n"
                    f"  file:  {want[n] if n < len(want) else '(end of file)'}\n"
                    f"  block: {got[n] if n < len(got) else '(end of block)'}")
        extra = ["-iquote", os.path.dirname(path)]
    if language != "cpp":
        return None
    source = os.path.join(work, f"block_{os.path.basename(doc)}_{line}.cc")
    with open(source, "w", encoding="utf-8") as f:
        f.write(code)
    cmd = compiler + ["-std=c++20", "-Wall", "-Wextra", "-I", os.path.join(source_root, "engine/include")] + extra + \
        ["-c", source, "-o", source + ".o"]
    run = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if run.returncode != 0:
        return f"{where}: this ```cpp block does not compile on its own:\n{run.stdout}"
    return None


def main(argv):
    if "--" not in argv or argv[:1] != ["--source-root"] or len(argv) < 4:
        raise SystemExit(__doc__)
    split = argv.index("--")
    source_root, docs, compiler = argv[1], argv[2:split], argv[split + 1:]
    if not docs or not compiler:
        raise SystemExit(__doc__)
    found = [(doc, line, language, code) for doc in docs for line, language, code in blocks(doc)
             if language == "cpp" or SHOWN_FILE[language].match(code)]
    if not any(language == "cpp" for _, _, language, _ in found):
        print("no ```cpp blocks found in " + ", ".join(docs), file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="doc_blocks_") as work:
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
            results = list(pool.map(lambda b: check(*b, source_root, compiler, work), found))
    failures = [r for r in results if r is not None]
    for (doc, line, _, _), r in zip(found, results):
        print(f"{doc}:{line}: {'FAILED' if r else 'ok'}")
    for r in failures:
        print("\n" + r, file=sys.stderr)
    print(f"{len(found) - len(failures)} of {len(found)} blocks are fine", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
