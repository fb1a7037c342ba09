"""Python side of Synod's canonical digest, for fixtures and checks (see primitives/src/digest.rs).
Shared by worker/tests/fixtures/make_fixtures.py, tools/make_minilm.py and the GPU check;
primitives/test-vectors/make_digest_vectors.py keeps its own copy on purpose (it is the
independent reference)."""
import hashlib
import math
import struct

Q_NAN, Q_NEG_INF, Q_POS_INF, LIMIT = -(2**63), -(2**63) + 1, 2**63 - 1, 2**62


def blake2_256(b: bytes) -> bytes:
    return hashlib.blake2b(b, digest_size=32).digest()


def quantize(x: float, e: int) -> int:
    if math.isnan(x):
        return Q_NAN
    if math.isinf(x):
        return Q_POS_INF if x > 0 else Q_NEG_INF
    s = math.ldexp(x, e)
    a = abs(s)
    f = math.floor(a)
    r = math.copysign(f + 1 if a - f >= 0.5 else f, s)
    return LIMIT if r >= LIMIT else -LIMIT if r <= -LIMIT else int(r)


def digest(model_hash: bytes, input_bytes: bytes, shape, q) -> str:
    pre = model_hash + blake2_256(input_bytes) + struct.pack("<I", len(shape))
    pre += b"".join(struct.pack("<I", d) for d in shape)
    pre += b"".join(struct.pack("<q", v) for v in q)
    return blake2_256(pre).hex()


def file_hash(path) -> bytes:
    with open(path, "rb") as f:
        return blake2_256(f.read())


def canonical(model_hash: bytes, input_bytes: bytes, out, e: int):
    """(shape, quantized, digest) of a float torch tensor `out`."""
    flat = out.detach().cpu().double().flatten().tolist()
    q = [quantize(x, e) for x in flat]
    shape = list(out.shape)
    return shape, q, digest(model_hash, input_bytes, shape, q)
