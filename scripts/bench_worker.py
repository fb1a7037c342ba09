#!/usr/bin/env python3
"""synod-worker throughput against Python torch.jit on the same .pt, the same device and the
same thread count (called by scripts/bench-worker.sh, which starts the worker).

For each model and batch size: Python runs n forward passes in a loop (batches/s); the worker
gets n jobs (one input each, as the chain sends them) through its HTTP API, in batch requests of
up to 512 that the client encodes before the clock starts, and the clock stops when the
worker's queue is empty (`GET /health`, polled every 5 ms; jobs/s, end to end: HTTP, JSON,
queue, tensor copies, forward pass, quantization, digest). ratio = worker jobs/s ÷ Python
batches/s; overhead = (wall time per job − mean forward-pass time) ÷ mean forward-pass time.
With --pin-cpus LIST (bench-worker.sh passes `0` to `threads − 1` on a machine with more CPUs
than threads, and starts the worker with `--inference-cpus` the same), everything measured runs
on those CPUs alone: Python's loop, the worker's inference thread and the in-process loop; the
load generator (this script's HTTP client) and the worker's other threads run on the other CPUs,
as a load generator on another machine would. With --forward-loop (the `forward_loop` example
binary), each round also runs the worker's per-job compute in a plain loop in one process,
without HTTP, queue or job table (tensor from bytes, forward, bytes back, quantization, digest):
in-process ratio = Python's time per batch ÷ that loop's time per job. None of them run at
the same time.
"""
import argparse
import json
import os
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from worker_client import Worker, python_throughput, worker_throughput  # noqa: E402


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
    """The worker's per-job compute in one process (`worker/examples/forward_loop.rs`): ms per job
    (forward path and digest) over n runs on the same input bytes, on `cpus` when given."""
    (scratch / "manifest.json").write_text(json.dumps(manifest))
    (scratch / "input.bin").write_bytes(raw)
    pin = (lambda: os.sched_setaffinity(0, cpus)) if cpus else None
    out = subprocess.run([str(binary), str(scratch / "manifest.json"), str(pt), str(scratch / "input.bin"),
                          str(n), str(threads)], check=True, capture_output=True, text=True,
                         preexec_fn=pin).stdout
    v = json.loads(out.strip().splitlines()[-1])
    return v["run_ms"] + v["digest_ms"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--worker", default="http://127.0.0.1:7410")
    ap.add_argument("--models", type=Path, required=True)
    ap.add_argument("--fixtures", type=Path, required=True)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--seconds", type=float, default=20.0, help="target duration of each measurement")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--min-n", type=int, default=20, help="fewest jobs per measurement")
    ap.add_argument("--only", choices=["minilm", "cnn"], help="measure one model")
    ap.add_argument("--pin-cpus",
                    help="measure on these CPUs alone, e.g. 0 or 0-3 (the worker must run with "
                         "--inference-cpus the same)")
    ap.add_argument("--forward-loop", type=Path,
                    help="the forward_loop example binary: also measure the worker's compute in-process")
    ap.add_argument("--rounds", type=int, default=1,
                    help="alternate Python and worker this many times; report the medians and the ratio range")
    args = ap.parse_args()
    pinned = None
    if args.pin_cpus:
        pinned = cpu_set(args.pin_cpus)
        rest = os.sched_getaffinity(0) - pinned
        if rest:
            os.sched_setaffinity(0, rest)  # the client stays off the measured CPU
    w = Worker(args.worker)
    rows = []
    loop = f" {'in-process':>10} {'range':>13}" if args.forward_loop else ""
    print(f"{'model':7} {'batch':>5} {'n':>5} {'python b/s':>11} {'worker jobs/s':>14} {'ratio':>6} "
          f"{'range':>13} {'fwd ms':>8} {'overhead':>9}{loop}")
    scratch = Path(tempfile.mkdtemp(prefix="bench-worker-"))
    for model in ((args.only,) if args.only else ("minilm", "cnn")):
        for batch in (1, 32):
            manifest, raw, tensor, pt = inputs(model, args.models, args.fixtures, batch)
            # Size n so that each side runs about --seconds.
            probe = python_throughput(pt, args.device, batch, 5, args.threads, tensor, pinned)
            n = max(args.min_n, min(5000, int(probe * args.seconds)))
            runs, inproc = [], []
            for r in range(max(1, args.rounds)):
                py = python_throughput(pt, args.device, batch, n, args.threads, tensor, pinned)
                jps, med, mean = worker_throughput(w, manifest, raw, n, f"{model}-{batch}-r{r}")
                runs.append((jps / py, py, jps, med, mean))
                if args.forward_loop:
                    loop_ms = forward_loop(args.forward_loop, scratch, manifest, raw, pt, n, args.threads, pinned)
                    inproc.append(((1000.0 / py) / loop_ms, loop_ms))
            runs.sort()
            inproc.sort()
            ratio, py, jps, med, mean = runs[len(runs) // 2]  # the median round, by ratio
            overhead = (1000.0 / jps - mean) / mean
            row = {"model": model, "batch": batch, "n": n, "threads": args.threads, "rounds": len(runs),
                   "pinned_cpus": args.pin_cpus,
                   "python_batches_per_s": py, "worker_jobs_per_s": jps, "ratio": ratio,
                   "ratio_min": runs[0][0], "ratio_max": runs[-1][0],
                   "median_forward_ms": med, "mean_forward_ms": mean, "overhead": overhead}
            loop = ""
            if inproc:
                in_ratio, loop_ms = inproc[len(inproc) // 2]
                row.update(inprocess_ratio=in_ratio, inprocess_ratio_min=inproc[0][0],
                           inprocess_ratio_max=inproc[-1][0], inprocess_ms_per_job=loop_ms)
                loop = f" {in_ratio:10.3f} {f'{inproc[0][0]:.3f}-{inproc[-1][0]:.3f}':>13}"
            rows.append(row)
            spread = f"{runs[0][0]:.3f}-{runs[-1][0]:.3f}"
            print(f"{model:7} {batch:5} {n:5} {py:11.1f} {jps:14.1f} {ratio:6.3f} {spread:>13} {mean:8.3f} "
                  f"{overhead * 100:8.2f}%{loop}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
