#!/usr/bin/env python3
"""Writes digest.json beside this file: canonical-digest test vectors computed by an
implementation independent of the Rust one (Python's struct and hashlib only).

    python3 primitives/test-vectors/make_digest_vectors.py            # rewrite the file
    python3 primitives/test-vectors/make_digest_vectors.py --check    # fail if the file differs

The rules are in primitives/src/digest.rs: quantize (step 2^-e, round half away from zero,
clamp to +-2^62, NaN/inf sentinels; integers are their own grid), then
blake2_256(model_hash | input_hash | rank u32le | dims u32le | q i64le); a cohort's root is
blake2_256("synod:members:v1" | n u32le | d_0 .. d_{n-1}). The id a provider's off-chain
worker gives a job in synod-worker (pallets/jobs/src/offchain.rs `worker_job_id`) is
"synod-{job}-{hex(blake2_256(model_hash | input_hash)[:12])}-a{attempt}".
"""
import hashlib
import json
import math
import struct
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent / "digest.json"
Q_NAN, Q_NEG_INF, Q_POS_INF, LIMIT = -(2**63), -(2**63) + 1, 2**63 - 1, 2**62

FMT = {"f16": "<e", "f32": "<f", "f64": "<d", "u8": "<B", "i8": "<b", "i16": "<h",
       "i32": "<i", "i64": "<q", "bool": "<?"}
SIZE = {"f16": 2, "bf16": 2, "f32": 4, "f64": 8, "u8": 1, "i8": 1, "i16": 2, "i32": 4,
        "i64": 8, "bool": 1}


def blake2_256(b: bytes) -> bytes:
    return hashlib.blake2b(b, digest_size=32).digest()


def round_half_away(x: float) -> float:
    a = abs(x)
    f = math.floor(a)
    r = f + 1 if a - f >= 0.5 else f
    return math.copysign(r, x)


def quantize(x: float, e: int) -> int:
    if math.isnan(x):
        return Q_NAN
    if math.isinf(x):
        return Q_POS_INF if x > 0 else Q_NEG_INF
    s = round_half_away(math.ldexp(x, e))
    if s >= LIMIT:
        return LIMIT
    if s <= -LIMIT:
        return -LIMIT
    return int(s)


def decode(dtype: str, raw: bytes):
    n = SIZE[dtype]
    for i in range(0, len(raw), n):
        c = raw[i:i + n]
        if dtype == "bf16":
            yield struct.unpack("<f", b"\x00\x00" + c)[0]
        else:
            yield struct.unpack(FMT[dtype], c)[0]


def encode(dtype: str, values) -> bytes:
    if dtype == "bf16":
        # Values given as raw 16-bit patterns.
        return b"".join(struct.pack("<H", v) for v in values)
    if dtype == "f16" and values and isinstance(values[0], str):
        return b"".join(bytes.fromhex(v)[::-1] for v in values)  # big-endian hex patterns
    return b"".join(struct.pack(FMT[dtype], v) for v in values)


def vector(name, dtype, shape, e, values, model_seed, input_bytes):
    raw = encode(dtype, values)
    floats = dtype in ("f16", "bf16", "f32", "f64")
    q = [quantize(x, e) if floats else int(x) for x in decode(dtype, raw)]
    model_hash = blake2_256(model_seed.encode())
    input_hash = blake2_256(input_bytes)
    pre = model_hash + input_hash + struct.pack("<I", len(shape))
    pre += b"".join(struct.pack("<I", d) for d in shape)
    pre += b"".join(struct.pack("<q", v) for v in q)
    return {
        "name": name, "dtype": dtype, "shape": shape, "step_exponent": e,
        "output_le_hex": raw.hex(), "model_hash": model_hash.hex(),
        "input_hex": input_bytes.hex(), "input_hash": input_hash.hex(),
        "quantized": q, "digest": blake2_256(pre).hex(),
    }


def vectors():
    tie = 1.0 / 1024
    return [
        vector("f32 ties round half away from zero", "f32", [1, 6], 10,
               [1.5 * tie, -1.5 * tie, 2.5 * tie, -2.5 * tie, 0.0, -0.0], "mlp", b"\x01\x02"),
        vector("f32 embedding-like", "f32", [2, 3], 12,
               [0.123456789, -0.987654321, 3.14159265, 1e-9, -1e-9, 42.0], "cnn", b"input"),
        vector("f32 clamp and specials", "f32", [5], 20,
               [1e30, -1e30, float("inf"), float("-inf"), float("nan")], "big", b""),
        vector("f64 fine grid", "f64", [3], 40,
               [0.1, -0.30000000000000004, 123456.789], "f64", b"\xff" * 7),
        vector("f16 subnormal, max, specials", "f16", [6], 16,
               ["0001", "7bff", "fbff", "7c00", "fc00", "3555"], "half", b"h"),
        vector("bf16 patterns", "bf16", [4], 8,
               [0x3F80, 0xBF00, 0x4049, 0x0001], "bfloat", b"b"),
        vector("i64 class ids", "i64", [3], 10, [0, -(2**63), 2**63 - 1], "ids", b"tokens"),
        vector("i32 scalar", "i32", [], 0, [-7], "scalar", b"s"),
        vector("u8 and grid ignored", "u8", [2, 2], 30, [0, 1, 128, 255], "bytes", b"u"),
        vector("bool mask", "bool", [3], 5, [True, False, True], "mask", b"m"),
        vector("empty tensor", "f32", [0, 384], 10, [], "empty", b"e"),
    ]


def members_root(digests):
    return blake2_256(b"synod:members:v1" + struct.pack("<I", len(digests)) + b"".join(digests))


def member_vectors():
    digests = [bytes.fromhex(v["digest"]) for v in vectors()]
    cases = [("empty", []), ("one", digests[:1]), ("two", digests[:2]),
             ("two swapped", [digests[1], digests[0]]), ("all", digests)]
    return [{"name": n, "members": [d.hex() for d in ds], "root": members_root(ds).hex()}
            for n, ds in cases]


def worker_job_id(job: int, model_hash: bytes, input_hash: bytes, attempt: int) -> str:
    # SCALE of (model, input_hash), two [u8; 32], is their 64 raw bytes.
    tag = blake2_256(model_hash + input_hash)[:12]
    return f"synod-{job}-{tag.hex()}-a{attempt}"


def worker_job_id_vectors():
    vs = vectors()
    roots = member_vectors()
    cases = [
        ("job 0, first attempt", 0, vs[0]["model_hash"], vs[0]["input_hash"], 0),
        ("job 1, second attempt", 1, vs[1]["model_hash"], vs[1]["input_hash"], 1),
        ("same model, other input", 42, vs[0]["model_hash"], vs[1]["input_hash"], 0),
        ("cohort: input hash is the members root", 7, vs[2]["model_hash"], roots[2]["root"], 3),
        # 2^53 - 1: the largest job id a JSON number carries exactly in every reader (JS too).
        ("large job id, largest attempt", 2**53 - 1, vs[10]["model_hash"], vs[10]["input_hash"], 255),
    ]
    return [{"name": n, "job": j, "model_hash": m, "input_hash": i, "attempt": a,
             "id": worker_job_id(j, bytes.fromhex(m), bytes.fromhex(i), a)}
            for n, j, m, i, a in cases]


def main():
    text = json.dumps({"version": 1, "vectors": vectors(), "members": member_vectors(),
                       "worker_job_ids": worker_job_id_vectors()}, indent=1) + "\n"
    if "--check" in sys.argv:
        if OUT.read_text() != text:
            sys.exit(f"{OUT} is stale: run {sys.argv[0]}")
        print(f"{OUT}: up to date")
        return
    OUT.write_text(text)
    print(f"wrote {OUT} ({len(vectors())} vectors)")


if __name__ == "__main__":
    main()
