#!/usr/bin/env python3
"""Makes the worker's TorchScript fixtures with Python torch 2.11.0: a small MLP and a small CNN,
traced, with manifests, inputs and expected outputs and digests.

    $SYNOD_VENV/bin/python scripts/make_fixtures.py [out_dir]   (default worker/tests/fixtures)

Settings match the worker's deterministic mode: 1 thread, deterministic algorithms.
"""
import json
import os
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synod_canon import canonical, file_hash  # noqa: E402

OUT = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "worker/tests/fixtures"


class Mlp(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.net = torch.nn.Sequential(
            torch.nn.Linear(16, 32), torch.nn.ReLU(), torch.nn.Linear(32, 4))

    def forward(self, x):
        return self.net(x)


class Cnn(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.features = torch.nn.Sequential(
            torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
            torch.nn.Conv2d(4, 8, 3, padding=1), torch.nn.ReLU(), torch.nn.AdaptiveAvgPool2d(1))
        self.head = torch.nn.Linear(8, 10)

    def forward(self, x):
        return self.head(torch.flatten(self.features(x), 1))


def make(name, module, example, in_spec, out_spec, step, tol):
    module.eval()
    with torch.no_grad():
        traced = torch.jit.trace(module, example)
    path = OUT / f"{name}.pt"
    traced.save(str(path))
    h = file_hash(path)
    loaded = torch.jit.load(str(path))
    x = example.contiguous()
    with torch.no_grad():
        out = loaded(x)
    raw = x.numpy().tobytes()
    shape, q, d = canonical(h, raw, out, step)
    manifest = {
        "name": name, "hash": h.hex(), "input": in_spec, "output": out_spec,
        "step_exponent": step, "tolerance": tol, "max_input_bytes": 1 << 16,
        "sources": [f"{name}.pt"],
    }
    (OUT / f"{name}.json").write_text(json.dumps(manifest, indent=1) + "\n")
    expected = {
        "torch": torch.__version__, "threads": torch.get_num_threads(),
        "input_hex": raw.hex(), "output": out.flatten().tolist(), "shape": shape,
        "quantized": q, "digest": d,
    }
    (OUT / f"{name}.expected.json").write_text(json.dumps(expected) + "\n")
    print(f"{name}: {path.stat().st_size} bytes, hash {h.hex()[:16]}…, digest {d[:16]}…")


def main():
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    OUT.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    make("mlp", Mlp(), torch.randn(2, 16),
         {"dtype": "f32", "shape": [None, 16]}, {"dtype": "f32", "shape": [None, 4]}, 16, 2)
    torch.manual_seed(1)
    make("cnn", Cnn(), torch.randn(3, 1, 8, 8),
         {"dtype": "f32", "shape": [None, 1, 8, 8]}, {"dtype": "f32", "shape": [None, 10]}, 16, 2)


if __name__ == "__main__":
    main()
