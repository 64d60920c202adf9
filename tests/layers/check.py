#!/usr/bin/env python3
"""The layering of the sources (docs/DESIGN.md, "Layers"), checked from their #include lines.

- analyzer/LAYER/*.{c,h} include headers of their own folder, of the layers LAYER may use
  (ALLOWED below), of include/mfu/ and of the system; nothing else.
- shim/ includes include/mfu/ headers and the headers of shim modules below its own
  (SHIM_LEVELS: a module may use only lower levels); include/mfu/ only its own.
- No include cycle among the project's headers.
- Below cli/, no analyzer file writes to stderr (library code returns its errors); the one
  exception is util/alloc.h, which ends the process when memory runs out.
- No source file of analyzer/ or shim/ is longer than MAX_LINES.

Exits 1 with one line per violation.
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MAX_LINES = 600

# Each analyzer layer and the layers below it that it may include.
ALLOWED = {
    "util": set(),
    "trace": {"util"},
    "symbols": {"util"},
    "model": {"util"},
    "timeline": {"util"},
    "steps": {"timeline", "trace", "util"},
    "job": {"steps", "timeline", "trace", "util"},
    "metrics": {"job", "steps", "timeline", "model", "trace", "util"},
    "gpu": {"model", "util"},
    "callsites": {"job", "steps", "symbols", "trace", "util"},
    "report": {"metrics", "callsites", "symbols", "job", "steps", "timeline", "model", "trace", "util"},
    "cli": {"report", "metrics", "callsites", "symbols", "gpu", "job", "steps", "timeline", "model", "trace", "util"},
}
# The shim's modules, lowest first: a module may include only lower levels (and its own header).
SHIM_LEVELS = {
    "config": 0, "clock": 1, "compress": 1, "files": 1, "resolve": 1, "libmap": 1, "unwind": 1, "pyframes": 1,
    "encode": 2, "ring": 2, "stacks": 2, "window": 2, "writer": 3,
    "device": 4, "gpu_timeline": 4, "capture": 4, "gemm_describe": 4,
    "lifecycle": 5, "call": 6,
    "cublas": 7, "cublaslt": 7, "nccl": 7, "graphs": 7, "markers": 7, "exits": 7,
}
STDERR_ALLOWED = {"analyzer/util/alloc.h"}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def sources(folder):
    for dirpath, _, names in os.walk(os.path.join(ROOT, folder)):
        for n in sorted(names):
            if n.endswith((".c", ".h")):
                yield os.path.relpath(os.path.join(dirpath, n), ROOT)


def resolve(path, inc):
    """The repository path a quoted include of `path` names, as the compiler finds it."""
    here = os.path.join(os.path.dirname(path), inc)
    if os.path.exists(os.path.join(ROOT, here)):
        return os.path.normpath(here)
    for base in ("include", "analyzer", "shim"):
        p = os.path.join(base, inc)
        if os.path.exists(os.path.join(ROOT, p)):
            return os.path.normpath(p)
    return None


def main():
    problems = []
    graph = {}
    files = list(sources("analyzer")) + list(sources("shim")) + list(sources("include/mfu"))
    for path in files:
        text = open(os.path.join(ROOT, path), encoding="utf-8").read()
        lines = text.count("\n")
        if not path.startswith("include/") and lines > MAX_LINES:
            problems.append(f"{path}: {lines} lines, more than {MAX_LINES}: split it")
        parts = path.split("/")
        deps = graph.setdefault(path, [])
        for inc in INCLUDE.findall(text):
            target = resolve(path, inc)
            if target is None:
                problems.append(f"{path}: includes \"{inc}\", which is no project header")
                continue
            deps.append(target)
            t = target.split("/")
            if parts[0] == "include":
                ok = t[0] == "include"
            elif parts[0] == "shim":
                module = os.path.splitext(parts[1])[0]
                if module not in SHIM_LEVELS:
                    problems.append(f"{path}: shim module {module} has no level: add it to SHIM_LEVELS")
                    break
                dep = os.path.splitext(t[-1])[0]
                ok = t[0] == "include" or (t[0] == "shim" and (
                    dep == module or SHIM_LEVELS.get(dep, 99) < SHIM_LEVELS[module]))
            else:
                layer = parts[1]
                if layer not in ALLOWED:
                    problems.append(f"{path}: analyzer/{layer}/ is no layer: add it to ALLOWED")
                    break
                ok = t[0] == "include" or (t[0] == "analyzer" and
                                           (t[1] == layer or t[1] in ALLOWED[layer]))
            if not ok:
                problems.append(f"{path}: includes {target}, a layer it may not use")
        if (parts[0] == "analyzer" and parts[1] != "cli" and path not in STDERR_ALLOWED
                and re.search(r"\bstderr\b", text)):
            problems.append(f"{path}: writes to stderr below cli/: return the error instead")

    # Include cycles, by depth-first search.
    state = {}

    def visit(node, stack):
        state[node] = 1
        for d in graph.get(node, []):
            if state.get(d) == 1:
                cycle = stack[stack.index(d):] + [d]
                problems.append("include cycle: " + " -> ".join(cycle))
            elif d not in state:
                visit(d, stack + [d])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])

    for p in problems:
        print(p)
    print(f"{len(files)} files checked, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
