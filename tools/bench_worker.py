#!/usr/bin/env python3
"""synod-worker throughput against Python torch.jit on the same .pt, the same device and the
same thread count (called by scripts/bench-worker.sh, which starts the worker).

For each model and batch size, n jobs per round (n sized so that Python takes about --seconds):
Python runs n forward passes in a loop (batches/s); the worker gets n jobs (one input each, as
the chain sends them) through its HTTP API, and the clock stops when the last one is finished
(`worker_client.WorkerLoad`: jobs/s, end to end: HTTP, JSON, queue, tensor copies, forward pass,
quantization, digest). The two alternate, --rounds times, the order reversed every other round,
so that a machine whose speed drifts (a shared VM) slows both sides of a round alike.
ratio = worker jobs/s ÷ Python batches/s over all rounds (pooled), with a 95% bootstrap interval
over the rounds and the median of the rounds' own ratios; overhead = (wall time per job − mean
forward-pass time) ÷ mean forward-pass time. With --pin-cpus LIST (bench-worker.sh passes `0` to
`threads − 1` on a machine with more CPUs than threads, and starts the worker with
`--inference-cpus` the same), everything measured runs on those CPUs alone: Python's loop, the
worker's inference thread and the in-process loop; the load generator (this script's HTTP
client) and the worker's other threads run on the other CPUs, as a load generator on another
machine would. With --forward-loop (the `forward_loop` example binary), each round also runs
the worker's per-job compute in a plain loop in one process, without HTTP, queue or job table
(tensor from bytes, forward, bytes back, quantization, digest): the in-process ratio. None of
them run at the same time.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from worker_client import (TorchLoop, Worker, WorkerLoad, interleaved,  # noqa: E402
                           paired_ratio, verdict)

TARGET = 0.98  # issue 5: worker throughput at least 0.98 of Python torch.jit's


def inputs(model, models: Path, fixtures: Path, batch: int):
    """(manifest, raw bytes, torch input) for a batch."""
    import torch
    if model == "minilm":
        m = json.loads((models / "minilm.json").read_text())
        ids = json.loads((models / "minilm.inputs.json").read_text())["ids"]
        rows = (ids * batch)[:batch]
        t = torch.tensor(rows, dtype=torch.int64)
        return m, t.numpy().tobytes(), t, models / "minilm.pt"
    m = json.loads((fixtures / f"{model}.json").read_text())
    g = torch.Generator().manual_seed(batch)
    t = torch.randn((batch, 1, 8, 8), generator=g) if model == "cnn" else torch.randn((batch, 16), generator=g)
    m = dict(m, sources=[str((fixtures / f"{model}.pt").resolve())])
    return m, t.numpy().tobytes(), t, fixtures / f"{model}.pt"


def cpu_set(spec: str) -> set:
    """`0`, `0-3` or `0,2`: a set of CPU numbers."""
    out = set()
    for part in spec.split(","):
        a, _, b = part.partition("-")
        out.update(range(int(a), int(b or a) + 1))
    return out


def forward_loop(binary: Path, scratch: Path, manifest, raw: bytes, pt: Path, n: int, threads: int,
                 cpus=None) -> float:
    """The worker's per-job compute in one process (`worker/examples/forward_loop.rs`): seconds
    for n runs (forward path and digest) on the same input bytes, on `cpus` when given."""
    (scratch / "manifest.json").write_text(json.dumps(manifest))
    (scratch / "input.bin").write_bytes(raw)
    pin = (lambda: os.sched_setaffinity(0, cpus)) if cpus else None
    out = subprocess.run([str(binary), str(scratch / "manifest.json"), str(pt), str(scratch / "input.bin"),
                          str(n), str(threads)], check=True, capture_output=True, text=True,
                         preexec_fn=pin).stdout
    v = json.loads(out.strip().splitlines()[-1])
    return (v["run_ms"] + v["digest_ms"]) * n / 1000.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--worker", default="http://127.0.0.1:7410")
    ap.add_argument("--models", type=Path, required=True)
    ap.add_argument("--fixtures", type=Path, required=True)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--seconds", type=float, default=1.0, help="target duration of Python's side of a round")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--min-n", type=int, default=3, help="fewest jobs per round")
    ap.add_argument("--only", choices=["minilm", "cnn"], help="measure one model")
    ap.add_argument("--batch", type=int, choices=[1, 32], help="measure one batch size")
    ap.add_argument("--pin-cpus",
                    help="measure on these CPUs alone, e.g. 0 or 0-3 (the worker must run with "
                         "--inference-cpus the same)")
    ap.add_argument("--forward-loop", type=Path,
                    help="the forward_loop example binary: also measure the worker's compute in-process")
    ap.add_argument("--rounds", type=int, default=20, help="rounds of Python and the worker, alternating")
    args = ap.parse_args()
    if args.rounds < 1 or args.min_n < 1 or args.seconds <= 0:
        ap.error("--rounds and --min-n must be at least 1, --seconds above 0")
    pinned = None
    if args.pin_cpus:
        pinned = cpu_set(args.pin_cpus)
        rest = os.sched_getaffinity(0) - pinned
        if rest:
            os.sched_setaffinity(0, rest)  # the client stays off the measured CPU
    w = Worker(args.worker)
    rows = []
    loop = f" {'in-process':>10} {'95%':>11}" if args.forward_loop else ""
    print(f"{'model':7} {'batch':>5} {'n':>5} {'rounds':>6} {'python b/s':>11} {'worker jobs/s':>14} {'ratio':>6} "
          f"{'95%':>11} {'median':>6} {'fwd ms':>8} {'overhead':>9}{loop}  verdict (>= {TARGET})")
    scratch = Path(tempfile.mkdtemp(prefix="bench-worker-"))
    for model in ((args.only,) if args.only else ("minilm", "cnn")):
        for batch in ((args.batch,) if args.batch else (1, 32)):
            manifest, raw, tensor, pt = inputs(model, args.models, args.fixtures, batch)
            py = TorchLoop(pt, args.device, args.threads, tensor, pinned)
            n = max(args.min_n, min(5000, int(args.seconds * 5 / py.seconds(5))))
            load = WorkerLoad(w, manifest, raw, f"{model}-{batch}")
            sides = {"python": py.seconds, "worker": load.seconds}
            if args.forward_loop:
                sides["in-process"] = lambda k: forward_loop(args.forward_loop, scratch, manifest, raw, pt, k,
                                                             args.threads, pinned)
            t = interleaved(sides, n, args.rounds)
            total = n * args.rounds
            r = paired_ratio(t["python"], t["worker"])
            py_bps, jps = total / sum(t["python"]), total / sum(t["worker"])
            infer = load.inference_ms
            mean = sum(infer) / len(infer)
            overhead = (1000.0 / jps - mean) / mean
            row = {"model": model, "batch": batch, "n": n, "rounds": args.rounds, "threads": args.threads,
                   "pinned_cpus": args.pin_cpus, "python_batches_per_s": py_bps, "worker_jobs_per_s": jps,
                   "ratio": r["pooled"], "ratio_ci_low": r["ci_low"], "ratio_ci_high": r["ci_high"],
                   "ratio_median": r["median"], "ratio_min": r["min"], "ratio_max": r["max"],
                   "python_round_batches_per_s": [n / s for s in t["python"]],
                   "worker_round_jobs_per_s": [n / s for s in t["worker"]],
                   "median_forward_ms": sorted(infer)[len(infer) // 2], "mean_forward_ms": mean,
                   "overhead": overhead, "verdict": verdict(r["ci_low"], r["ci_high"], TARGET)}
            loop = ""
            if args.forward_loop:
                q = paired_ratio(t["python"], t["in-process"])
                row.update(inprocess_ratio=q["pooled"], inprocess_ci_low=q["ci_low"], inprocess_ci_high=q["ci_high"],
                           inprocess_ms_per_job=sum(t["in-process"]) * 1000.0 / total)
                qci = f"{q['ci_low']:.3f}-{q['ci_high']:.3f}"
                loop = f" {q['pooled']:10.3f} {qci:>11}"
            rows.append(row)
            ci = f"{r['ci_low']:.3f}-{r['ci_high']:.3f}"
            print(f"{model:7} {batch:5} {n:5} {args.rounds:6} {py_bps:11.1f} {jps:14.1f} {r['pooled']:6.3f} "
                  f"{ci:>11} {r['median']:6.3f} {mean:8.3f} {overhead * 100:8.2f}%{loop}  {row['verdict']}",
                  flush=True)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
