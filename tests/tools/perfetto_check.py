#!/usr/bin/env python3
"""Checks that a file is a Chrome trace-event JSON timeline as Perfetto and chrome://tracing
read it, the way `mfu export` promises (analyzer/report/perfetto.h):

- one object with "traceEvents" (a list) and "displayTimeUnit"; gzip-compressed when the name
  ends in .gz;
- every event has a known phase (M X C s f), integer pid and tid, a string name; X, C, s and f
  have a numeric ts >= 0; X a dur >= 0 and a category; C numeric args;
- on each track (pid, tid) the X events come in time order and nest (none overlaps another
  partially); each counter (pid, name) comes in time order;
- every flow has one start and one end, each inside a slice of its own track;
- every process and track with events is named (process_name, thread_name).

Prints a one-line summary as JSON ({"processes", "slices", "counters", "flows"}) and exits 1
with one line per problem.
"""
import gzip
import json
import sys
from collections import defaultdict

EPS = 1e-6  # microseconds: the JSON's ts and dur are ns / 1000 in decimal


def load(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        return json.load(f)


def check(doc):
    problems = []
    if not isinstance(doc, dict) or not isinstance(doc.get("traceEvents"), list):
        return ["no traceEvents list"], {}
    if doc.get("displayTimeUnit") not in ("ns", "ms"):
        problems.append(f"displayTimeUnit {doc.get('displayTimeUnit')!r}")
    tracks = defaultdict(list)     # (pid, tid) -> [(ts, end)] of X events in file order
    counters = defaultdict(list)   # (pid, name) -> [ts]
    flows = defaultdict(dict)      # id -> {"s": (pid, tid, ts), "f": ...}
    named_threads, named_processes, used_processes = set(), set(), set()
    for i, e in enumerate(doc["traceEvents"]):
        where = f"event {i} ({e.get('ph')} {e.get('name')!r})"
        ph = e.get("ph")
        if ph not in ("M", "X", "C", "s", "f"):
            problems.append(f"{where}: unknown phase")
            continue
        if not isinstance(e.get("pid"), int) or not isinstance(e.get("tid"), int):
            problems.append(f"{where}: pid and tid must be integers")
            continue
        if not isinstance(e.get("name"), str):
            problems.append(f"{where}: no name")
        pid, tid = e["pid"], e["tid"]
        if ph == "M":
            if e["name"] == "process_name":
                named_processes.add(pid)
            elif e["name"] == "thread_name":
                named_threads.add((pid, tid))
            if not isinstance(e.get("args"), dict):
                problems.append(f"{where}: metadata without args")
            continue
        used_processes.add(pid)
        ts = e.get("ts")
        if not isinstance(ts, (int, float)) or ts < 0:
            problems.append(f"{where}: bad ts {ts!r}")
            continue
        if ph == "X":
            dur = e.get("dur")
            if not isinstance(dur, (int, float)) or dur < 0:
                problems.append(f"{where}: bad dur {dur!r}")
                continue
            if not isinstance(e.get("cat"), str):
                problems.append(f"{where}: no category")
            tracks[(pid, tid)].append((ts, ts + dur, i))
        elif ph == "C":
            args = e.get("args")
            if not isinstance(args, dict) or not args or not all(
                    isinstance(v, (int, float)) for v in args.values()):
                problems.append(f"{where}: counter args must be numbers")
            counters[(pid, e["name"])].append(ts)
        else:
            if ph in flows[e.get("id")]:
                problems.append(f"{where}: flow id {e.get('id')} has two {ph} events")
            if ph == "f" and e.get("bp") != "e":
                problems.append(f"{where}: flow end without bp e")
            flows[e.get("id")][ph] = (pid, tid, ts)
    for (pid, tid), slices in tracks.items():
        if (pid, tid) not in named_threads:
            problems.append(f"track {pid}/{tid} has no thread_name")
        open_ends = []
        last = -1.0
        for start, end, i in slices:
            if start + EPS < last:
                problems.append(f"track {pid}/{tid}: event {i} at {start} before {last}")
            last = max(last, start)
            while open_ends and open_ends[-1] <= start + EPS:
                open_ends.pop()
            if open_ends and end > open_ends[-1] + EPS:
                problems.append(f"track {pid}/{tid}: event {i} [{start}, {end}) overlaps a "
                                f"slice ending at {open_ends[-1]} partially")
            open_ends.append(end)
    for (pid, name), times in counters.items():
        if times != sorted(times):
            problems.append(f"counter {pid}/{name!r} out of time order")
    for pid in used_processes - named_processes:
        problems.append(f"process {pid} has no process_name")

    def inside(pid, tid, ts):
        return any(s - EPS <= ts <= e + EPS for s, e, _ in tracks.get((pid, tid), ()))

    for fid, ends in flows.items():
        if set(ends) != {"s", "f"}:
            problems.append(f"flow {fid}: has {sorted(ends)}, needs s and f")
            continue
        for ph, (pid, tid, ts) in ends.items():
            if not inside(pid, tid, ts):
                problems.append(f"flow {fid}: its {ph} at {ts} is in no slice of {pid}/{tid}")
    summary = {"processes": len(named_processes), "slices": sum(map(len, tracks.values())),
               "counters": sum(map(len, counters.values())), "flows": len(flows)}
    return problems, summary


def main():
    problems, summary = check(load(sys.argv[1]))
    for p in problems[:50]:
        print(p)
    if problems:
        print(f"{len(problems)} problems")
        sys.exit(1)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
