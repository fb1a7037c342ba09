#!/usr/bin/env python3
"""Reads the generated pallets/*/src/weights.rs and prints docs/performance.md's weight tables:
each call's ref time and proof size (with ParityDb's read/write costs, as the runtime charges),
the slopes of linear components, and the chain's capacity in fully verified jobs per second.

    python3 scripts/weights_report.py            # markdown on stdout
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
# frame_support::weights::constants::ParityDbWeight (picoseconds).
READ_PS, WRITE_PS = 8_000_000, 50_000_000
# Runtime: 2 s of ref time per block, 75% for normal extrinsics; 5 MiB blocks, 75% normal.
BLOCK_REF_PS, NORMAL = 2_000_000_000_000, 0.75
BLOCK_PROOF = 5 * 1024 * 1024  # the runtime's max PoV is not binding for a solochain
BLOCK_SECONDS = 6


def num(s):
	return int(s.replace("_", ""))


def parse(path):
	"""{name: (base_ps, base_proof, {component: (ps_slope, reads_slope, writes_slope, proof_slope)}, reads, writes)}"""
	text = path.read_text()
	impl = text.split("impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T>", 1)[1]
	impl = impl.split("impl WeightInfo for ()", 1)[0]
	out = {}
	for m in re.finditer(r"fn (\w+)\s*\(([^)]*)\)\s*->\s*Weight\s*\{(.*?)\n\t\}", impl, re.S):
		name, body = m.group(1), m.group(3)
		base = re.search(r"Weight::from_parts\(([\d_]+),\s*([\d_]+)\)", body)
		comps = {}
		for c in re.finditer(r"Weight::from_parts\(([\d_]+),\s*0\)\.saturating_mul\((\w+)\.into\(\)\)", body):
			comps.setdefault(c.group(2), [0, 0, 0, 0])[0] = num(c.group(1))
		for c in re.finditer(r"reads\(\(([\d_]+)_u64\)\.saturating_mul\((\w+)\.into\(\)\)\)", body):
			comps.setdefault(c.group(2), [0, 0, 0, 0])[1] = num(c.group(1))
		for c in re.finditer(r"writes\(\(([\d_]+)_u64\)\.saturating_mul\((\w+)\.into\(\)\)\)", body):
			comps.setdefault(c.group(2), [0, 0, 0, 0])[2] = num(c.group(1))
		for c in re.finditer(r"Weight::from_parts\(0,\s*([\d_]+)\)\.saturating_mul\((\w+)\.into\(\)\)", body):
			comps.setdefault(c.group(2), [0, 0, 0, 0])[3] = num(c.group(1))
		reads = re.search(r"reads\(([\d_]+)_u64\)\)", body)
		writes = re.search(r"writes\(([\d_]+)_u64\)\)", body)
		out[name] = (
			num(base.group(1)),
			num(base.group(2)),
			comps,
			num(reads.group(1)) if reads else 0,
			num(writes.group(1)) if writes else 0,
		)
	return out


def ref_ps(w, n=None):
	base, _, comps, r, wr = w
	total = base + r * READ_PS + wr * WRITE_PS
	for _, (ps, rs, ws, _) in comps.items():
		if n is not None:
			total += n * (ps + rs * READ_PS + ws * WRITE_PS)
	return total


def proof(w, n=None):
	_, p, comps, _, _ = w
	return p + sum((n or 0) * c[3] for c in comps.values())


def main():
	pallets = {}
	for d in sorted((ROOT / "pallets").iterdir()):
		f = d / "src" / "weights.rs"
		if f.exists():
			pallets[d.name] = parse(f)
	print("| pallet | call or hook | ref time (µs) | proof size (bytes) | per unit of component (µs, bytes) | reads / writes |")
	print("| --- | --- | --- | --- | --- | --- |")
	for p, ws in pallets.items():
		for name, w in ws.items():
			comps = ", ".join(
				f"`{c}`: +{(ps + rs * READ_PS + ws_ * WRITE_PS) / 1e6:.1f} µs, +{pb} B"
				for c, (ps, rs, ws_, pb) in w[2].items()
			) or "—"
			print(f"| {p} | `{name}` | {ref_ps(w) / 1e6:.1f} | {proof(w):,} | {comps} | {w[3]} / {w[4]} |")
	jobs = pallets.get("jobs")
	if not jobs:
		return
	print()
	budget = BLOCK_REF_PS * NORMAL
	k = 3
	batch = 64
	# Per job, k = 3, the common path (the first round unanimous): one submission; its share of
	# assignment; 3 commits in batches of `batch` items; 2 reveals that are not the last and the
	# last one, which settles 3 voters (reveal items weigh what single reveals do); its two
	# timeout entries, skipped after one read each because the job moved on.
	per_job = (
		ref_ps(jobs["submit_job"], 512)
		+ ref_ps(jobs["on_initialize_assign"], 1) - ref_ps(jobs["on_initialize_assign"], 0)
		+ k * (ref_ps(jobs["commit_batch"], batch) / batch)
		+ (k - 1) * ref_ps(jobs["reveal_pending"])
		+ ref_ps(jobs["reveal"], k)
		+ 2 * READ_PS
	)
	# An escalated job: the first round splits (its last reveal escalates), k more commit and
	# reveal, and the last reveal settles 2k voters.
	escalated = (
		per_job
		- ref_ps(jobs["reveal"], k)
		+ ref_ps(jobs["reveal_escalate"])
		+ k * (ref_ps(jobs["commit_batch"], batch) / batch)
		+ (k - 1) * ref_ps(jobs["reveal_pending"])
		+ ref_ps(jobs["reveal"], 2 * k)
		+ 2 * READ_PS
	)
	print(f"Per fully verified job (k = {k}, 512-byte inline input, commits in batches of {batch}, "
		f"first round unanimous): {per_job / 1e6:,.1f} µs of ref time; escalated: {escalated / 1e6:,.1f} µs.")
	print(f"At {NORMAL:.0%} of a {BLOCK_REF_PS / 1e12:.0f} s block every {BLOCK_SECONDS} s: "
		f"{budget / per_job:,.0f} jobs per block, {budget / per_job / BLOCK_SECONDS:,.1f} jobs per second (weight bound); "
		f"all escalated: {budget / escalated / BLOCK_SECONDS:,.1f} jobs per second.")
	# Bytes per job: the submit extrinsic (512-byte input, signature, extensions) and k batch
	# items of commit (40 B) and reveal (digest-only 73 B; a small output adds its shape and
	# 8 bytes an element).
	for label, elements in (("digest-only output (or a large one, e.g. 384 elements)", 0), ("10-element output", 10), ("64-element output", 64)):
		reveal = 73 + (0 if elements == 0 else 1 + 4 + 1 + 8 * elements)
		length = 600 + k * 45 + k * (reveal + 4)
		print(f"Block length, {label}: about {length} bytes per job, {BLOCK_PROOF * NORMAL / length:,.0f} jobs per block (length bound).")


if __name__ == "__main__":
	sys.exit(main())
