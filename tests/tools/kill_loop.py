#!/usr/bin/env python3
"""Kills a traced workload with SIGKILL at random moments and measures what each kill cost.

  kill_loop.py KILLS SEED FLUSH_MS MAX_DELAY_S DIR

Each round starts `host steady` under the shim ($HOST, $SHIM, $DOUBLES; traces and the
host's shared call log in DIR/kN), kills it after a delay drawn (seeded) from
[0, MAX_DELAY_S] (one round in five: from the first 10 ms), then checks, against the call
log and an independent walk of the file's blocks (checksums verified here):
  - a file that exists is readable (it appears with its header);
  - mfu report counts exactly the GEMMs of every whole block on disk (nothing written is lost
    to the reader), the file is marked incomplete, no gap is reported;
  - the calls lost are the last ones made, all within one flush interval (plus SLACK_MS) of
    the kill.
Prints one line per figure ("kill_loop: NAME VALUE") and exits 1 on any violation.
"""
import json
import os
import random
import signal
import struct
import subprocess
import sys
import time

from mfutrace import BLOCK_HEADER, HEADER_SIZE, record_kinds

RECORDS, END, GEMM, MAGIC = 1, 3, 1, 0x4255464D
SEED64, PRIME, MASK = 0xCBF29CE484222325, 0x100000001B3, (1 << 64) - 1
SLACK_MS = int(os.environ.get("SLACK_MS", "250"))  # the writer late on a loaded 2-core machine
CALLS = 200000  # more than any round can make


def checksum(data):
    h = SEED64
    for (w,) in struct.iter_unpack("<Q", data):
        h = ((h ^ w) * PRIME) & MASK
    return h


def whole_blocks(path):
    """GEMM records in the blocks that are whole and verify, walking from the header; and
    whether the walk ended at the end of the file or at a torn block."""
    data = open(path, "rb").read()
    off, gemms, torn = HEADER_SIZE, 0, False
    while off < len(data):
        if off + BLOCK_HEADER > len(data):
            torn = True
            break
        magic, btype, _, count, size, seq, stored = struct.unpack_from("<IHHIIQQ", data, off)
        end = off + BLOCK_HEADER + size
        if magic != MAGIC or end > len(data) or \
           checksum(data[off:off + 24] + data[off + BLOCK_HEADER:end]) != stored:
            torn = True
            break
        if btype == RECORDS:
            gemms += sum(1 for k in record_kinds(data, off) if k == GEMM)
        off = end
    return gemms, torn


def main():
    kills, seed, flush_ms, max_delay, top = int(sys.argv[1]), int(sys.argv[2]), \
        int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
    env = dict(os.environ, LD_PRELOAD=os.environ["SHIM"], LD_LIBRARY_PATH=os.environ["DOUBLES"],
               MFU_FLUSH_MS=str(flush_ms))
    rng = random.Random(seed)
    problems, lost_calls, lost_ms, torn_tails, before_first = [], [], [], 0, 0
    for k in range(kills):
        d = os.path.join(top, "k%d" % k)
        os.makedirs(d)
        log = os.path.join(d, "calls")
        env["MFU_TRACE_DIR"] = os.path.join(d, "traces")
        p = subprocess.Popen([os.environ["HOST"], "steady", str(CALLS), log], env=env)
        # one kill in five within the first 10 ms: around the file's creation and first call
        time.sleep(rng.uniform(0, 0.01 if k % 5 == 0 else max_delay))
        killed_at = time.monotonic_ns()
        p.send_signal(signal.SIGKILL)
        p.wait()
        raw = open(log, "rb").read() if os.path.exists(log) else b""
        made = struct.unpack_from("<Q", raw)[0] if len(raw) >= 8 else 0
        times = struct.unpack_from("<%dQ" % made, raw, 8) if made else ()
        traces = env["MFU_TRACE_DIR"]
        files = sorted(os.listdir(traces)) if os.path.isdir(traces) else []
        if not files:
            if made:
                problems.append("kill %d: %d calls made, no trace file" % (k, made))
            before_first += 1
            continue
        out = subprocess.run([os.environ["MFU"], "report", traces, "--json"],
                             capture_output=True, text=True)
        if out.returncode != 0:  # an empty file, say: the header must come with the file
            problems.append("kill %d: mfu report exited %d: %s" % (k, out.returncode, out.stderr))
            continue
        r = json.loads(out.stdout)
        counted = r["totals"]["gemm_calls"]
        on_disk, torn = whole_blocks(os.path.join(traces, files[0]))
        torn_tails += torn
        inc = r["incomplete_files"]
        if counted != on_disk:
            problems.append("kill %d: the file's whole blocks hold %d GEMMs, mfu counted %d"
                            % (k, on_disk, counted))
        if len(inc) != 1 or inc[0]["gaps_count"] != 0:
            problems.append("kill %d: expected one incomplete file, no gap: %s" % (k, inc))
        if counted > made + 1:  # the last call's record may be published before it is logged
            problems.append("kill %d: %d counted, only %d made" % (k, counted, made))
        lost = max(made - counted, 0)
        lost_calls.append(lost)
        window = (killed_at - times[counted]) / 1e6 if lost else 0.0
        lost_ms.append(window)
        if window > flush_ms + SLACK_MS:
            problems.append("kill %d: lost the calls of the last %.1f ms (flush every %d ms)"
                            % (k, window, flush_ms))
    print("kill_loop: kills %d" % kills)
    print("kill_loop: kills_before_first_call %d" % before_first)
    print("kill_loop: torn_last_blocks %d" % torn_tails)
    print("kill_loop: flush_interval_ms %d" % flush_ms)
    print("kill_loop: records_lost_max %d" % max(lost_calls or [0]))
    print("kill_loop: records_lost_mean %.1f" % (sum(lost_calls) / max(len(lost_calls), 1)))
    print("kill_loop: lost_window_ms_max %.1f" % max(lost_ms or [0]))
    for p in problems:
        print("FAIL: " + p)
    sys.exit(1 if problems else 0)


main()
