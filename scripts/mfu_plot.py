#!/usr/bin/env python3
"""mfu_plot: the figures of `mfu plot` and `mfu sweep`, drawn with matplotlib from what the
analyzer wrote: every number comes from it, this script only draws.

    mfu_plot.py report REPORT.json -o DIR   # mfu report --json: per step, waterfall, GPU
                                            # time per rank, GEMM roofline, NCCL bandwidth
    mfu_plot.py sweep SWEEP.csv -o DIR      # mfu sweep's CSV: MFU against batch and seq

Each figure is written as DIR/NAME.png (1200 x 750 pixels) and DIR/NAME.svg; a figure without
data (no GPU timeline, no NCCL call) is left out with a note on stderr. Prints the PNGs written.
Exit status: 0; 2 for bad input; 3 when matplotlib cannot be imported (python3-matplotlib).
"""
import argparse
import csv
import json
import math
import os
import sys

WIDTH, HEIGHT, DPI = 8, 5, 150  # inches, dots per inch: 1200 x 750 pixels
NO_MATPLOTLIB = 3
PARTS = [  # the step's time, each instant counted once (analyzer/timeline/timeline.h)
    ("math", "GEMM and attention kernels", "#1f77b4"),
    ("other", "other kernels (mostly memory-bound)", "#ff7f0e"),
    ("exposed_comm", "NCCL, not overlapped", "#d62728"),
    ("copy", "copies only", "#9467bd"),
    ("idle", "idle", "#c7c7c7"),
]


def note(text):
    print(f"mfu_plot: {text}", file=sys.stderr)


class Figures:
    """Writes figures as PNG and SVG into one directory, and remembers which."""

    def __init__(self, plt, ticker, out):
        self.plt, self.ticker, self.out, self.written = plt, ticker, out, []

    def new(self, **kw):
        return self.plt.subplots(figsize=(WIDTH, HEIGHT), dpi=DPI, **kw)

    def save(self, fig, name):
        for ext in ("png", "svg"):
            fig.savefig(os.path.join(self.out, f"{name}.{ext}"), dpi=DPI)
        self.plt.close(fig)
        self.written.append(os.path.join(self.out, f"{name}.png"))


def rank_label(r):
    return f"rank {r['rank']}" if r.get("rank") is not None else f"pid {r['pid']}"


def fmt_bytes(n):
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= size:
            return f"{n / size:g} {unit}"
    return f"{n:g} B"


# --- mfu plot -------------------------------------------------------------------------------

def per_step(figs, r):
    """MFU of every step per rank (HFU-like TFLOP/s without a model), and each rank's mean."""
    ranks = [p for p in r["per_rank"] if p["steps"]["per_step"]]
    if not ranks:
        return note("no steps: no per-step figure")
    with_mfu = any(s["mfu"] is not None for p in ranks for s in p["steps"]["per_step"])
    fig, (ax, bars) = figs.new(ncols=2, gridspec_kw={"width_ratios": [3, 1]})
    many = len(ranks) > 12
    colors = []
    # Ranks that ran alike draw the same line: a style each keeps every one of them visible.
    styles = ["-", "--", "-.", ":"]
    for i, p in enumerate(ranks):
        steps = p["steps"]["per_step"]
        xs = list(range(len(steps)))
        if with_mfu:
            ys = [100 * s["mfu"] if s["mfu"] is not None else math.nan for s in steps]
        else:
            ys = [s["gemm_flops"] / s["time_s"] / 1e12 if s["time_s"] else math.nan for s in steps]
        line, = ax.plot(xs, ys, lw=1 if many else 1.5, alpha=0.6 if many else 1,
                        ls="-" if many else styles[i % len(styles)],
                        label=None if many else rank_label(p))
        colors.append(line.get_color())
        hollow = [(x, y) for x, y, s in zip(xs, ys, steps) if not s["measured"]]
        if hollow:
            ax.plot(*zip(*hollow), "o", color=line.get_color(), mfc="white", ms=4)
    what = "MFU (%)" if with_mfu else "counted TFLOP/s (no model: no MFU)"
    ax.set_xlabel("step")
    ax.xaxis.set_major_locator(figs.ticker.MaxNLocator(integer=True))
    ax.set_ylabel(what)
    ax.set_title("per step (hollow: warm-up or last, not measured)", fontsize=9)
    ax.set_ylim(bottom=0)
    if not many:
        ax.legend(fontsize=7, loc="lower right")
    ax.grid(alpha=0.3)
    names = [rank_label(p).replace("rank ", "") for p in ranks]
    if with_mfu:
        means = [100 * p["mfu"] if p["mfu"] is not None else 0 for p in ranks]
    else:
        means = [p["counted_flops_per_step"] / p["steps"]["mean_time_s"] / 1e12
                 if p["steps"]["mean_time_s"] else 0 for p in ranks]
    bars.bar(range(len(ranks)), means, color=colors)
    bars.set_xticks(range(len(ranks)))
    bars.set_xticklabels(names if len(ranks) <= 16 else ["" for _ in names], fontsize=8)
    bars.set_xlabel("rank")
    bars.set_ylabel(what)
    bars.set_title("mean of the measured steps", fontsize=9)
    bars.set_ylim(bottom=0)
    bars.grid(axis="y", alpha=0.3)
    fig.suptitle(f"{'MFU' if with_mfu else 'Throughput'} per step and per rank")
    fig.tight_layout()
    figs.save(fig, "mfu_per_step")


def waterfall(figs, r):
    """From the peak down to MFU, one factor at a time."""
    e = r["efficiency"]
    order = ["coverage", "kernel", "memory", "communication", "parallelism"]
    if any(e.get(k) is None for k in order):
        missing = [k for k in order if e.get(k) is None]
        return note(f"no waterfall: {', '.join(missing)} unknown ({r['efficiency_unavailable']})")
    fig, ax = figs.new()
    level, x = 100.0, 0
    ax.bar(x, level, color="#2ca02c")
    ax.text(x, level + 1.5, "100%", ha="center", fontsize=8)
    labels = ["peak"]
    for k in order:
        x += 1
        new = level * e[k]
        ax.bar(x, level - new, bottom=new, color="#d62728" if e[k] < 1 else "#2ca02c")
        ax.plot([x - 1.4, x + 0.4], [level, level], color="gray", lw=0.6, ls=":")
        ax.text(x, max(level, new) + 1.5, f"x{e[k]:.3f}\n{new:.1f}%", ha="center", fontsize=8)
        labels.append(k)
        level = new
    x += 1
    ax.bar(x, level, color="#1f77b4")
    ax.text(x, level + 1.5, f"{level:.1f}%", ha="center", fontsize=8)
    labels.append("MFU")
    ax.set_xticks(range(len(labels)))
    ax.set_xticklabels(labels, fontsize=8)
    ax.set_ylim(0, 118)
    ax.set_ylabel("% of the peak")
    mfu = r["mfu"]
    ax.set_title("From the peak to MFU: each factor multiplies what is left"
                 + (f" (MFU {100 * mfu:.2f}%)" if mfu is not None else ""), fontsize=10)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    figs.save(fig, "waterfall")


def gpu_time(figs, r):
    """Each rank's step time split by what the GPU did, each instant once: a straggler's bar
    is mostly kernels, the others wait in NCCL."""
    ranks = [p for p in r["per_rank"] if p.get("gpu_time_s") and p["steps"]["measured"]]
    if not ranks:
        return note("no GPU timeline: no GPU time figure")
    fig, ax = figs.new()
    xs = list(range(len(ranks)))
    bottom = [0.0] * len(ranks)
    for key, label, color in PARTS:
        vals = []
        for p in ranks:
            t, n = p["gpu_time_s"], p["steps"]["measured"]
            part = {"math": t["math"], "other": t["compute"] - t["math"],
                    "exposed_comm": t["exposed_comm"], "copy": t["window"] - t["idle"] - t["busy"],
                    "idle": t["idle"]}[key]
            vals.append(max(part, 0) / n * 1e3)
        ax.bar(xs, vals, bottom=bottom, color=color, label=label)
        bottom = [b + v for b, v in zip(bottom, vals)]
    ax.set_xticks(xs)
    ax.set_xticklabels([rank_label(p).replace("rank ", "") for p in ranks] if len(ranks) <= 32 else
                       ["" for _ in ranks], fontsize=8)
    ax.set_xlabel("rank")
    ax.set_ylabel("ms per step")
    ax.set_title("GPU time per step, by what ran (each instant once)", fontsize=10)
    ax.set_ylim(0, max(bottom) * 1.3 if max(bottom) > 0 else 1)
    ax.legend(fontsize=7, loc="upper right", ncol=2)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    figs.save(fig, "gpu_time")


def gemm_roofline(figs, r, label_top=5):
    """Each GEMM shape's achieved TFLOP/s against its arithmetic intensity and the peak: the
    shapes that waste most GPU time (time beyond what the peak needs) are labelled."""
    shapes = [g for g in r["gemm_shapes"] if g["achieved_flops_per_s"] and g["arithmetic_intensity"]]
    if not shapes:
        return note("no GEMM shape was timed on the GPU: no roofline figure")
    fig, ax = figs.new()
    total = sum(g["gpu_time_s"] for g in shapes) or 1
    by_prec = {}
    for g in shapes:
        by_prec.setdefault(g["precision"], []).append(g)
    peaks = []
    for prec, gs in sorted(by_prec.items()):
        ax.scatter([g["arithmetic_intensity"] for g in gs], [g["achieved_flops_per_s"] / 1e12 for g in gs],
                   s=[20 + 400 * g["gpu_time_s"] / total for g in gs], alpha=0.6, label=prec)
        peak = next((g["peak_flops"] for g in gs if g["peak_flops"]), None)
        if peak:
            peaks.append((prec, peak / 1e12))
    ax.set_xscale("log")
    ax.set_yscale("log")
    for prec, peak in peaks:
        ax.axhline(peak, ls="--", lw=1, color="gray")
        ax.text(0.99, peak, f"{prec} peak {peak:g} TFLOP/s", transform=ax.get_yaxis_transform(),
                ha="right", va="bottom", fontsize=7, color="gray")
    low, high = ax.get_ylim()
    middle = math.sqrt(low * high)
    left, right = ax.get_xlim()
    center = math.sqrt(left * right)
    wasters = sorted((g for g in shapes if g["wasted_gpu_time_s"] is not None),
                     key=lambda g: -g["wasted_gpu_time_s"])[:label_top]
    for i, g in enumerate(wasters):
        name = (f"{g['m']}x{g['n']}x{g['k']}" + (f" x{g['batch']}" if g["batch"] > 1 else "")
                + f" {g['transa']}{g['transb']}")
        y = g["achieved_flops_per_s"] / 1e12
        x = g["arithmetic_intensity"]
        dy = (10 + 20 * (i % 3)) * (1 if y < middle else -1.6)
        ax.annotate(f"{name}: {1e3 * g['wasted_gpu_time_s']:.2f} ms lost", (x, y),
                    xytext=(10 if x < center else -10, dy), textcoords="offset points", fontsize=6,
                    ha="left" if x < center else "right",
                    arrowprops={"arrowstyle": "-", "lw": 0.5, "color": "gray"})
    plain = figs.ticker.FuncFormatter(lambda v, _: f"{v:g}")
    sparse = figs.ticker.FuncFormatter(lambda v, _: f"{v:g}" if f"{v:.0e}"[0] in "25" else "")
    for axis, (lo, hi) in ((ax.xaxis, ax.get_xlim()), (ax.yaxis, ax.get_ylim())):
        axis.set_major_formatter(plain)
        axis.set_minor_formatter(plain if hi / lo < 10 else sparse)  # within a decade: all
    ax.tick_params(which="both", labelsize=7)
    ax.set_xlabel("arithmetic intensity (FLOPs per byte of A, B and C)")
    ax.set_ylabel("achieved TFLOP/s")
    ax.set_title("GEMM shapes: achieved TFLOP/s (size: GPU time; labels: most time lost)",
                 fontsize=10)
    ax.legend(fontsize=7, loc="lower right", title="precision", title_fontsize=7)
    ax.grid(alpha=0.3, which="both")
    fig.tight_layout()
    figs.save(fig, "gemm_roofline")


def nccl_bandwidth(figs, r):
    """Bus and algorithm bandwidth of each NCCL operation by message size (nccl-tests')."""
    rows = [n for n in r["nccl_by_size"] if n["time_per_call_s"]]
    if not rows:
        return note("no NCCL call timed on the GPU: no bandwidth figure")
    fig, ax = figs.new()
    ops = sorted({n["op"] for n in rows})
    for op in ops:
        pts = sorted((n["bytes"], n["busbw_bytes_per_s"], n["algbw_bytes_per_s"], n["comm_size"])
                     for n in rows if n["op"] == op)
        line, = ax.plot([p[0] for p in pts], [p[1] / 1e9 for p in pts], "o-", label=f"{op} busbw")
        ax.plot([p[0] for p in pts], [p[2] / 1e9 for p in pts], "s--", color=line.get_color(),
                alpha=0.6, ms=4, label=f"{op} algbw")
        sizes = sorted({p[3] for p in pts if p[3]})
        if sizes == [1]:
            ax.annotate("1 rank: busbw is 0", (pts[-1][0], 0), fontsize=7, color=line.get_color(),
                        xytext=(-60, 8), textcoords="offset points")
    ax.set_xscale("log", base=2)
    ticks = sorted({n["bytes"] for n in rows})
    ax.set_xlim(ticks[0] / 2, ticks[-1] * 2)
    ax.set_xticks(ticks)
    ax.set_xticklabels([fmt_bytes(t) for t in ticks], fontsize=7, rotation=30)
    ax.set_xlabel("message size (nccl-tests' S)")
    ax.set_ylabel("GB/s")
    ax.set_ylim(bottom=0)
    ax.set_title("NCCL bandwidth by operation and message size", fontsize=10)
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    figs.save(fig, "nccl_bandwidth")


def report_figures(figs, path):
    with open(path) as f:
        r = json.load(f)
    for draw in (per_step, waterfall, gpu_time, gemm_roofline, nccl_bandwidth):
        draw(figs, r)


# --- mfu sweep ------------------------------------------------------------------------------

def number(text):
    return float(text) if text not in ("", None) else math.nan


def sweep_lines(figs, points, metric, x_key, line_key, name):
    """`metric` against x_key, one line per value of line_key; failed points as crosses."""
    fig, ax = figs.new()
    xs_all = sorted({p[x_key] for p in points})
    failed_label = True
    for value in sorted({p[line_key] for p in points}):
        mine = sorted((p for p in points if p[line_key] == value), key=lambda p: p[x_key])
        ok = [(p[x_key], 100 * p[metric]) for p in mine if not math.isnan(p[metric])]
        line, = ax.plot([x for x, _ in ok], [y for _, y in ok], "o-", label=f"{line_key} {value}")
        for p in mine:
            if p["outcome"] != "ok":
                ax.plot(p[x_key], 0, "x", color=line.get_color(), ms=9, mew=2, clip_on=False,
                        label="failed (see the CSV's outcome)" if failed_label else None)
                failed_label = False
                ax.annotate(p["outcome"], (p[x_key], 0), xytext=(6, 6), textcoords="offset points",
                            fontsize=7, color=line.get_color(), annotation_clip=False)
    ax.set_xscale("log", base=2)
    ax.set_xticks(xs_all)
    ax.set_xticklabels([str(x) for x in xs_all])
    ax.set_xlabel({"batch": "batch size (sequences per rank and step)", "seq": "sequence length (tokens)"}[x_key])
    label = "MFU (%)" if metric == "mfu" else "HFU (%, no model: counted FLOPs)"
    ax.set_ylabel(label)
    ax.set_ylim(bottom=0, top=max([100 * p[metric] for p in points if not math.isnan(p[metric])] + [1]) * 1.2)
    other = {"batch": "sequence length", "seq": "batch size"}[x_key]
    ax.set_title(f"{label.split(' ')[0]} against {'batch size' if x_key == 'batch' else 'sequence length'}, "
                 f"one line per {other} (measured)", fontsize=10)
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    figs.save(fig, name)


def sweep_figures(figs, path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows or "batch" not in rows[0]:
        sys.exit(f"mfu_plot: {path}: not a sweep CSV (mfu sweep writes one)")
    points = [{"batch": int(r["batch"]), "seq": int(r["seq"]), "outcome": r["outcome"],
               "mfu": number(r["mfu"]), "hfu": number(r["hfu"])} for r in rows]
    metric = "mfu" if any(not math.isnan(p["mfu"]) for p in points) else "hfu"
    sweep_lines(figs, points, metric, "batch", "seq", "mfu_vs_batch")
    sweep_lines(figs, points, metric, "seq", "batch", "mfu_vs_seq")


def main():
    ap = argparse.ArgumentParser(description="the figures of mfu plot and mfu sweep")
    ap.add_argument("kind", choices=("report", "sweep"))
    ap.add_argument("input", help="mfu report --json output, or mfu sweep's sweep.csv")
    ap.add_argument("-o", "--output", required=True, help="directory for the figures")
    args = ap.parse_args()
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        import matplotlib.ticker as ticker
    except ImportError as e:
        note(f"matplotlib is not available ({e}): install python3-matplotlib (Debian, Ubuntu) or "
             "pip install matplotlib")
        sys.exit(NO_MATPLOTLIB)
    os.makedirs(args.output, exist_ok=True)
    figs = Figures(plt, ticker, args.output)
    try:
        (report_figures if args.kind == "report" else sweep_figures)(figs, args.input)
    except (OSError, ValueError, KeyError) as e:
        note(f"{args.input}: {e!r}")
        sys.exit(2)
    for path in figs.written:
        print(path)


if __name__ == "__main__":
    main()
