#!/usr/bin/env python3
"""A plain PyTorch training loop of a Llama-style model, as a user would write it.

mfushim's device check (scripts/device-check.sh) runs it with and without the shim preloaded.
Nothing in it knows about mfushim: it only prints its own measurements as key=value lines, so
that they can be compared with what the shim counted:

    step_time_s=               mean step time after warm-up (CUDA events; host clock on CPU)
    model_flops_per_step=      the `exact` formula, from `mfu predict --json` for this shape
    mfu_self=                  its own MFU: model FLOPs / (step time x the peak `mfu hw` gives)
    flop_counter_gemm_flops=   with --flop-counter: FlopCounterMode's mm/addmm/bmm/baddbmm/
                               _scaled_mm FLOPs for the first step (forward, backward, optimizer)
    nccl_expected_*=           with --nccl: the collectives it issued, with their bytes

The model: RMSNorm, rotary embeddings, grouped-query attention through SDPA (causal), a SwiGLU
MLP (or, with --moe, top-k routed SwiGLU experts run one after another through plain matmuls,
so that they reach cuBLAS), an untied LM head; bf16 weights, fused AdamW, random tokens (no
downloads). Values that cannot be had are printed as `none`.
"""
import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.flop_counter import FlopCounterMode

# ~1.1B parameters, shaped like Llama-3.2-1B (16 layers, hidden 2048, 32 heads, 8 KV heads,
# SwiGLU 8192) with a 32k vocabulary and an untied head.
CONFIGS = {
    "1b": dict(layers=16, hidden=2048, heads=32, kv_heads=8, ffn=8192, vocab=32000),
    "tiny": dict(layers=2, hidden=64, heads=4, kv_heads=2, ffn=128, vocab=256),
}
MOE = {  # --moe: every layer's MLP becomes top-2 of 8 experts
    "1b": dict(experts=8, top_k=2, moe_ffn=1024),
    "tiny": dict(experts=4, top_k=2, moe_ffn=32),
}
GEMM_OPS = {"mm", "addmm", "bmm", "baddbmm", "_scaled_mm"}  # what cuBLAS runs


def emit(key, value):
    print(f"{key}={'none' if value is None else value}", flush=True)


# ---- the model ---------------------------------------------------------------------------

def rotary_tables(seq, head_dim, device, theta=500000.0):
    inv_freq = 1.0 / theta ** (torch.arange(0, head_dim, 2, device=device).float() / head_dim)
    angles = torch.outer(torch.arange(seq, device=device).float(), inv_freq)
    return angles.cos(), angles.sin()


def apply_rotary(x, cos, sin):  # x: [batch, heads, seq, head_dim]
    x1, x2 = x.float().chunk(2, dim=-1)
    rotated = torch.cat((x1 * cos - x2 * sin, x2 * cos + x1 * sin), dim=-1)
    return rotated.to(x.dtype)


class RMSNorm(nn.Module):
    def __init__(self, dim, eps=1e-5):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        return F.rms_norm(x, (x.shape[-1],), self.weight, self.eps)


class Attention(nn.Module):
    def __init__(self, hidden, heads, kv_heads):
        super().__init__()
        self.heads, self.kv_heads, self.head_dim = heads, kv_heads, hidden // heads
        self.q_proj = nn.Linear(hidden, heads * self.head_dim, bias=False)
        self.k_proj = nn.Linear(hidden, kv_heads * self.head_dim, bias=False)
        self.v_proj = nn.Linear(hidden, kv_heads * self.head_dim, bias=False)
        self.o_proj = nn.Linear(heads * self.head_dim, hidden, bias=False)

    def forward(self, x, cos, sin):
        b, s, _ = x.shape
        q = self.q_proj(x).view(b, s, self.heads, self.head_dim).transpose(1, 2)
        k = self.k_proj(x).view(b, s, self.kv_heads, self.head_dim).transpose(1, 2)
        v = self.v_proj(x).view(b, s, self.kv_heads, self.head_dim).transpose(1, 2)
        q, k = apply_rotary(q, cos, sin), apply_rotary(k, cos, sin)
        # KV heads repeated for every query head, as Hugging Face's Llama does (repeat_kv).
        n_rep = self.heads // self.kv_heads
        k = k.repeat_interleave(n_rep, dim=1)
        v = v.repeat_interleave(n_rep, dim=1)
        out = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.o_proj(out.transpose(1, 2).reshape(b, s, -1))


class SwiGLU(nn.Module):
    def __init__(self, hidden, ffn):
        super().__init__()
        self.gate_proj = nn.Linear(hidden, ffn, bias=False)
        self.up_proj = nn.Linear(hidden, ffn, bias=False)
        self.down_proj = nn.Linear(ffn, hidden, bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class MoE(nn.Module):
    """Top-k routed experts, each run on its own tokens (gathered with index_select) through
    ordinary matmuls, as Hugging Face's Mixtral does; no grouped GEMM."""

    def __init__(self, hidden, experts, top_k, ffn):
        super().__init__()
        self.top_k = top_k
        self.router = nn.Linear(hidden, experts, bias=False)
        self.experts = nn.ModuleList(SwiGLU(hidden, ffn) for _ in range(experts))

    def forward(self, x):
        shape = x.shape
        x = x.reshape(-1, shape[-1])
        weights, chosen = torch.topk(self.router(x), self.top_k, dim=-1)
        weights = weights.float().softmax(dim=-1).to(x.dtype).reshape(-1, 1)
        token = torch.arange(x.shape[0], device=x.device).repeat_interleave(self.top_k)
        chosen = chosen.reshape(-1)
        out = torch.zeros_like(x)
        for e, expert in enumerate(self.experts):
            rows = (chosen == e).nonzero(as_tuple=True)[0]
            if rows.numel() == 0:
                continue
            tokens = token.index_select(0, rows)
            y = expert(x.index_select(0, tokens)) * weights.index_select(0, rows)
            out.index_add_(0, tokens, y)
        return out.reshape(shape)


class Block(nn.Module):
    def __init__(self, c, moe):
        super().__init__()
        self.attn_norm = RMSNorm(c["hidden"])
        self.attn = Attention(c["hidden"], c["heads"], c["kv_heads"])
        self.mlp_norm = RMSNorm(c["hidden"])
        self.mlp = (MoE(c["hidden"], moe["experts"], moe["top_k"], moe["moe_ffn"]) if moe
                    else SwiGLU(c["hidden"], c["ffn"]))

    def forward(self, x, cos, sin):
        x = x + self.attn(self.attn_norm(x), cos, sin)
        return x + self.mlp(self.mlp_norm(x))


class Llama(nn.Module):
    def __init__(self, c, moe, seq):
        super().__init__()
        self.embed = nn.Embedding(c["vocab"], c["hidden"])
        self.layers = nn.ModuleList(Block(c, moe) for _ in range(c["layers"]))
        self.norm = RMSNorm(c["hidden"])
        self.lm_head = nn.Linear(c["hidden"], c["vocab"], bias=False)  # untied
        cos, sin = rotary_tables(seq, c["hidden"] // c["heads"], device=None)
        self.register_buffer("cos", cos, persistent=False)
        self.register_buffer("sin", sin, persistent=False)
        for module in self.modules():
            if isinstance(module, (nn.Linear, nn.Embedding)):
                nn.init.normal_(module.weight, std=0.02)

    def forward(self, tokens):
        x = self.embed(tokens)
        for layer in self.layers:
            x = layer(x, self.cos, self.sin)
        return self.lm_head(self.norm(x))


# ---- what mfu says about this shape and device -------------------------------------------

def find_mfu(given):
    """build/mfu of this checkout, else `mfu` on PATH."""
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "build", "mfu")
    for path in (given, os.environ.get("MFU_BIN"), here, shutil.which("mfu")):
        if path and os.access(path, os.X_OK):
            return path
    return None


def ask_mfu(mfu, args):
    """Runs `mfu ARGS --json` and returns its JSON, or None (with a note) on any failure."""
    if not mfu:
        print("# mfu: no mfu binary found (build/mfu, $MFU_BIN or PATH)", flush=True)
        return None
    # Without the shim: the analyzer itself is not part of the traced job.
    env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}
    try:
        out = subprocess.run([mfu, *args, "--json"], env=env, capture_output=True, text=True,
                             timeout=60, check=True).stdout
        return json.loads(out)
    except (OSError, subprocess.SubprocessError, ValueError) as e:
        print(f"# mfu {' '.join(args)}: {e}", flush=True)
        return None


def model_flops(mfu, c, moe, batch, seq):
    shape = ["--layers", c["layers"], "--hidden", c["hidden"], "--heads", c["heads"],
             "--kv-heads", c["kv_heads"], "--ffn", c["ffn"], "--vocab", c["vocab"]]
    if moe:
        shape += ["--experts", moe["experts"], "--top-k", moe["top_k"], "--moe-ffn", moe["moe_ffn"]]
    predicted = ask_mfu(mfu, ["predict", *map(str, shape), "--batch", str(batch),
                              "--seq", str(seq), "--convention", "exact"])
    return predicted and predicted.get("flops_per_step")


def peak_tflops(mfu, device_name):
    hw = ask_mfu(mfu, ["hw", device_name]) if device_name else None
    return hw and hw.get("peak_tflops", {}).get("bf16")


# ---- NCCL --------------------------------------------------------------------------------

class Collectives:
    """Issues collectives through torch.distributed and keeps the bytes each one moves by
    nccl-tests' rules (the operation's size S), to be compared with what the shim recorded."""

    def __init__(self, device):
        import torch.distributed as dist
        self.dist = dist
        with socket.socket() as s:  # a free local port for the rendezvous; no network needed
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.backend = "nccl" if device.type == "cuda" else "gloo"
        dist.init_process_group(self.backend, init_method=f"tcp://127.0.0.1:{port}", rank=0,
                                world_size=1, device_id=device if device.type == "cuda" else None)
        self.world = dist.get_world_size()
        self.expected = {}  # op -> [calls, bytes]

    def _count(self, op, nbytes):
        calls_bytes = self.expected.setdefault(op, [0, 0])
        calls_bytes[0] += 1
        calls_bytes[1] += nbytes

    def all_reduce(self, t):
        self.dist.all_reduce(t)
        self._count("AllReduce", t.numel() * t.element_size())

    def broadcast(self, t):
        self.dist.broadcast(t, src=0)
        self._count("Broadcast", t.numel() * t.element_size())

    def all_gather(self, out, inp):
        self.dist.all_gather_into_tensor(out, inp)
        self._count("AllGather", inp.numel() * inp.element_size() * self.world)

    def reduce_scatter(self, out, inp):
        self.dist.reduce_scatter_tensor(out, inp)
        self._count("ReduceScatter", out.numel() * out.element_size() * self.world)

    def report(self):
        emit("nccl_backend", self.backend)
        emit("nccl_expected_calls", sum(c for c, _ in self.expected.values()))
        emit("nccl_expected_bytes", sum(b for _, b in self.expected.values()))
        for op, (calls, nbytes) in sorted(self.expected.items()):
            emit(f"nccl_expected_{op}", f"{calls}:{nbytes}")

    def close(self):
        self.dist.destroy_process_group()


# ---- the loop ----------------------------------------------------------------------------

def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--steps", type=int, default=30, help="training steps, warm-up included (30)")
    p.add_argument("--warmup", type=int, default=3, help="untimed first steps (3)")
    p.add_argument("--batch", type=int, help="sequences per step (8; tiny: 2)")
    p.add_argument("--seq", type=int, help="tokens per sequence (2048; tiny: 32)")
    p.add_argument("--layers", type=int, help="override the number of layers")
    p.add_argument("--moe", action="store_true", help="routed experts instead of the dense MLP")
    p.add_argument("--compile", action="store_true",
                   help='torch.compile(mode="reduce-overhead"): CUDA graphs')
    p.add_argument("--profile", action="store_true", help="torch.profiler active over the loop")
    p.add_argument("--flop-counter", action="store_true",
                   help="count the first step's FLOPs with FlopCounterMode")
    p.add_argument("--nccl", action="store_true",
                   help="torch.distributed (NCCL; gloo on CPU), world of 1: gradients all-reduced")
    p.add_argument("--tiny", action="store_true", help="a tiny model that also runs on a CPU")
    p.add_argument("--mfu", help="the mfu binary (default: build/mfu of this checkout, or PATH)")
    a = p.parse_args()
    a.batch = a.batch or (2 if a.tiny else 8)
    a.seq = a.seq or (32 if a.tiny else 2048)
    if min(a.steps, a.batch, a.seq) < 1 or a.warmup < 0 or (a.layers is not None and a.layers < 1):
        p.error("--steps, --batch, --seq and --layers must be positive, --warmup not negative")
    a.warmup = min(a.warmup, a.steps - 1)
    return a


def main():
    args = parse_args()
    size = "tiny" if args.tiny else "1b"
    config = dict(CONFIGS[size], **({"layers": args.layers} if args.layers else {}))
    moe = MOE[size] if args.moe else None
    cuda = torch.cuda.is_available()
    device = torch.device("cuda", 0) if cuda else torch.device("cpu")
    device_name = torch.cuda.get_device_name(0) if cuda else None
    torch.manual_seed(0)

    emit("device", device_name or "cpu")
    emit("torch", torch.__version__)
    emit("config", json.dumps(dict(config, **(moe or {}), batch=args.batch, seq=args.seq),
                              separators=(",", ":")))

    model = Llama(config, moe, args.seq).to(device=device, dtype=torch.bfloat16)
    model.cos, model.sin = model.cos.float(), model.sin.float()  # rotary tables stay fp32
    emit("params", sum(p.numel() for p in model.parameters()))
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-4, weight_decay=0.1, fused=True)
    comm = Collectives(device) if args.nccl else None
    if comm:  # what DDP does before training: the same start everywhere, and a few more
        for p in model.parameters():
            comm.broadcast(p.data)
        n = 1 << 20
        comm.all_gather(torch.empty(n * comm.world, device=device), torch.ones(n, device=device))
        if comm.backend == "nccl":  # gloo has no reduce_scatter
            comm.reduce_scatter(torch.empty(n, device=device), torch.ones(n * comm.world, device=device))
    forward = torch.compile(model, mode="reduce-overhead") if args.compile else model

    def train_step():
        if args.compile:
            torch.compiler.cudagraph_mark_step_begin()
        tokens = torch.randint(0, config["vocab"], (args.batch, args.seq + 1), device=device)
        logits = forward(tokens[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, config["vocab"]).float(),
                               tokens[:, 1:].reshape(-1))
        loss.backward()
        if comm:
            for p in model.parameters():
                comm.all_reduce(p.grad)
                p.grad.div_(comm.world)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        return loss.detach()

    profiler = None
    if args.profile:
        from torch.profiler import ProfilerActivity, profile, schedule
        activities = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if cuda else [])
        active = max(1, min(3, args.steps - args.warmup))
        profiler = profile(activities=activities,
                           schedule=schedule(wait=0, warmup=args.warmup, active=active, repeat=1))
        profiler.start()

    # Per-step CUDA events, read once at the end: no synchronisation inside the loop.
    def mark():
        if not cuda:
            return time.perf_counter()
        event = torch.cuda.Event(enable_timing=True)
        event.record()
        return event

    def elapsed(start, end):
        return start.elapsed_time(end) / 1e3 if cuda else end - start

    counter = FlopCounterMode(display=False) if args.flop_counter else None
    marks, losses = [], []
    for step in range(args.steps):
        start = mark()
        if counter and step == 0:
            with counter:
                losses.append(train_step())
        else:
            losses.append(train_step())
        marks.append((start, mark()))
        if profiler:
            profiler.step()
    if cuda:
        torch.cuda.synchronize()
    if profiler:
        profiler.stop()

    seconds = [elapsed(start, end) for start, end in marks]
    timed = seconds[args.warmup:]
    step_time = sum(timed) / len(timed)
    emit("timer", "cuda_events" if cuda else "host")
    emit("steps_run", args.steps)
    emit("warmup_steps", args.warmup)
    emit("step_times_s", ",".join(f"{t:.6f}" for t in seconds))
    emit("step_time_s", f"{step_time:.6f}")
    emit("tokens_per_step", args.batch * args.seq)
    emit("loss_first", f"{losses[0].item():.4f}")
    emit("loss_last", f"{losses[-1].item():.4f}")

    mfu = find_mfu(args.mfu)
    flops = model_flops(mfu, config, moe, args.batch, args.seq)
    peak = peak_tflops(mfu, device_name)
    emit("model_flops_per_step", flops)
    emit("peak_tflops", peak)
    emit("mfu_self", f"{flops / (step_time * peak * 1e12):.6f}" if flops and peak else None)

    if counter:
        by_op = {}
        for op, n in counter.get_flop_counts().get("Global", {}).items():
            name = str(op).split(".")[-1]
            by_op[name] = by_op.get(name, 0) + n
        emit("flop_counter_gemm_flops", sum(n for op, n in by_op.items() if op in GEMM_OPS))
        emit("flop_counter_total_flops", counter.get_total_flops())
        emit("flop_counter_by_op", ",".join(f"{op}:{n}" for op, n in sorted(by_op.items())))
    if profiler:
        events = profiler.key_averages()
        kernels = [e for e in events if e.device_type.name == "CUDA"]
        emit("profiler_ops", len(events))
        emit("profiler_cuda_kernels", sum(e.count for e in kernels))
        emit("profiler_cuda_time_ms", f"{sum(e.self_device_time_total for e in kernels) / 1e3:.3f}")
        sort = "self_device_time_total" if cuda else "self_cpu_time_total"
        print(events.table(sort_by=sort, row_limit=8), flush=True)
    if comm:
        comm.report()
        comm.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
