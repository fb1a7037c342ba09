#!/usr/bin/env python3
"""CPU-versus-GPU agreement and GPU throughput of synod-worker (called by scripts/gpu-check.sh).

Talks to two running workers over HTTP (stdlib only), one on the CPU and one on CUDA, sends
each the same jobs (the fixtures MLP and CNN, and MiniLM), and compares their canonical
digests and quantized outputs; then measures GPU throughput on MiniLM at batch 1 and 32,
beside Python torch.jit on the same .pt file, the same device and the same settings.
"""
import argparse
import json
import random
import struct
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from worker_client import (TorchLoop, Worker, WorkerLoad, http, interleaved,  # noqa: E402
                           paired_ratio)


def f32_bytes(values):
    return struct.pack(f"<{len(values)}f", *values)


def jobs_for(models_dir: Path, fixtures: Path, n_random: int):
    rnd = random.Random(7)
    out = []
    for name, per_item in (("mlp", 16), ("cnn", 64)):
        m = json.loads((fixtures / f"{name}.json").read_text())
        exp = json.loads((fixtures / f"{name}.expected.json").read_text())
        out.append((name, m, bytes.fromhex(exp["input_hex"])))
        for i in range(n_random):
            batch = rnd.choice([1, 4, 16])
            out.append((name, m, f32_bytes([rnd.gauss(0, 1) for _ in range(batch * per_item)])))
    mm = json.loads((models_dir / "minilm.json").read_text())
    ids = json.loads((models_dir / "minilm.inputs.json").read_text())["ids"]
    for b in (1, 4):
        for start in range(0, len(ids) - b + 1, b):
            rows = ids[start:start + b]
            out.append(("minilm", mm, struct.pack(f"<{len(rows) * len(rows[0])}q", *sum(rows, []))))
    # Random token sequences (ids 1000..29999, random lengths, zero padded).
    for i in range(n_random):
        rows = []
        for _ in range(rnd.choice([1, 8])):
            n = rnd.randint(4, 64)
            rows.append([101] + [rnd.randint(1000, 29999) for _ in range(n - 2)] + [102] + [0] * (64 - n))
        out.append(("minilm", mm, struct.pack(f"<{len(rows) * 64}q", *sum(rows, []))))
    return out


def agreement(cpu, gpu, jobs):
    rows = {}
    for i, (name, manifest, raw) in enumerate(jobs):
        a = cpu.run(f"agree-cpu-{i}", manifest, raw)
        b = gpu.run(f"agree-gpu-{i}", manifest, raw)
        if a["status"] != "succeeded" or b["status"] != "succeeded":
            raise RuntimeError(f"{name} job {i} failed: cpu={a.get('error')} gpu={b.get('error')}")
        qa, qb = a["output"]["quantized"], b["output"]["quantized"]
        d = max((abs(x - y) for x, y in zip(qa, qb)), default=0)
        r = rows.setdefault(name, {"jobs": 0, "equal_digests": 0, "max_steps": 0, "within_tol": 0,
                                   "tolerance": manifest["tolerance"], "step_exponent": manifest["step_exponent"],
                                   "elements": 0, "differing_elements": 0})
        r["jobs"] += 1
        r["equal_digests"] += a["output"]["digest"] == b["output"]["digest"]
        r["max_steps"] = max(r["max_steps"], d)
        r["within_tol"] += d <= manifest["tolerance"]
        r["elements"] += len(qa)
        r["differing_elements"] += sum(x != y for x, y in zip(qa, qb))
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cpu", default="http://127.0.0.1:7401")
    ap.add_argument("--gpu", default="http://127.0.0.1:7402")
    ap.add_argument("--models", type=Path, required=True)
    ap.add_argument("--fixtures", type=Path, required=True)
    ap.add_argument("--random", type=int, default=20)
    ap.add_argument("--jobs", type=int, default=300, help="jobs per round at batch 1 (a quarter at batch 32)")
    ap.add_argument("--rounds", type=int, default=5, help="rounds of worker and Python, alternating")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--json", type=Path)
    ap.add_argument("--py-device", default="cuda", help="device of the Python torch.jit baseline")
    args = ap.parse_args()
    if args.rounds < 1 or args.jobs < 1:
        ap.error("--rounds and --jobs must be at least 1")
    cpu, gpu = Worker(args.cpu), Worker(args.gpu)
    report = {"health": {"cpu": http("GET", f"{args.cpu}/health")[1], "gpu": http("GET", f"{args.gpu}/health")[1]}}
    print("gpu worker:", json.dumps(report["health"]["gpu"]))

    jobs = jobs_for(args.models, args.fixtures, args.random)
    t0 = time.time()
    rows = agreement(cpu, gpu, jobs)
    report["agreement"] = rows
    print(f"\nCPU vs GPU, {len(jobs)} jobs each ({time.time() - t0:.1f}s):")
    print(f"{'model':8} {'jobs':>5} {'equal digests':>14} {'max |dq| steps':>15} {'within tol':>11} {'differing elems':>16}")
    for name, r in rows.items():
        print(f"{name:8} {r['jobs']:5} {r['equal_digests']:8}/{r['jobs']:<5} {r['max_steps']:15} "
              f"{r['within_tol']:5}/{r['jobs']:<5} {r['differing_elements']:8}/{r['elements']:<7} "
              f"(step 2^-{r['step_exponent']}, tol {r['tolerance']})")

    mm = json.loads((args.models / "minilm.json").read_text())
    ids = json.loads((args.models / "minilm.inputs.json").read_text())["ids"]
    report["throughput"] = []
    print(f"\nthroughput of the second worker, MiniLM (seq 64), Python baseline on {args.py_device}, "
          f"{args.rounds} rounds of each, alternating:")
    import torch
    for batch in (1, 32):
        rows_ = (ids * 32)[:batch]
        raw = struct.pack(f"<{batch * 64}q", *sum(rows_, []))
        n = args.jobs if batch == 1 else max(args.jobs // 4, 20)
        load = WorkerLoad(gpu, mm, raw, f"tp{batch}")
        loop = TorchLoop(args.models / "minilm.pt", args.py_device, args.threads, torch.tensor(rows_))
        t = interleaved({"python": loop.seconds, "worker": load.seconds}, n, args.rounds)
        r = paired_ratio(t["python"], t["worker"])
        jps, py = n * len(t["worker"]) / sum(t["worker"]), n * len(t["python"]) / sum(t["python"])
        med = sorted(load.inference_ms)[len(load.inference_ms) // 2]
        row = {"batch": batch, "jobs": n, "rounds": args.rounds, "worker_jobs_per_s": jps,
               "worker_items_per_s": jps * batch, "worker_median_inference_ms": med,
               "python_jit_batches_per_s": py, "ratio": r["pooled"], "ratio_ci_low": r["ci_low"],
               "ratio_ci_high": r["ci_high"], "ratio_median": r["median"]}
        report["throughput"].append(row)
        print(f"  batch {batch:2}: worker {jps:8.1f} jobs/s = {jps * batch:9.1f} sentences/s "
              f"(median inference {med:.2f} ms); python torch.jit {py:8.1f} batches/s; "
              f"ratio {r['pooled']:.3f} (95% {r['ci_low']:.3f}-{r['ci_high']:.3f})")
    if args.json:
        args.json.write_text(json.dumps(report, indent=1))
    bad = [n for n, r in rows.items() if r["within_tol"] != r["jobs"]]
    if bad:
        print(f"\nFAIL: CPU and GPU disagree beyond tolerance on {bad}")
        sys.exit(1)
    print("\ngpu-check: CPU and GPU agree within every model's tolerance")


if __name__ == "__main__":
    main()
