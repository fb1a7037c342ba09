#!/usr/bin/env python3
"""Reads the generated pallets/*/src/weights.rs and prints docs/performance.md's weight tables:
each call's ref time and proof size (with ParityDb's read/write costs, as the runtime charges),
the slopes of linear components, and the chain's capacity in fully verified jobs per second.

    python3 tools/weights_report.py            # markdown on stdout
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
# frame_support::weights::constants: ExtrinsicBaseWeight (added to every extrinsic) and
# BlockExecutionWeight (every block), as BlockWeights::with_sensible_defaults uses them.
EXTRINSIC_BASE_PS, BLOCK_BASE_PS = 108_157_000, 431_614_000


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
	bounds = runtime_bounds()
	k = 3
	batch = 64
	# Per job, k = 3, the common path (the first round unanimous): its share of a batched
	# submission; its share of assignment (charged as `MaxRedundancy` draws); 3 commits and 3
	# reveals in batches of `batch` items (2 reveals that are not the last, weighed together by
	# `reveal_batch`, and the last one, which settles 3 voters and weighs what a single reveal
	# does); its two window ends, skipped after one read each because the job moved on; the
	# pruning of its receipt a day later (`on_idle`). Each extrinsic adds the base weight.
	def share(name):
		return ref_ps(jobs[name], batch) / batch
	# Each provider commits and seals (the last seal tallies the seals and opens the opening
	# window); one provider opens the digest, which settles.
	extrinsics = (
		share("submit_batch")
		+ k * share("commit_batch")
		+ (k - 1) * share("reveal_batch")
		+ ref_ps(jobs["reveal_digests"], k)
		+ (1 + 2 * k / batch + 1) * EXTRINSIC_BASE_PS
	)
	hooks = (
		ref_ps(jobs["on_initialize_assign"], 1) - ref_ps(jobs["on_initialize_assign"], 0)
		+ 2 * READ_PS
		+ ref_ps(jobs["on_idle_prune"])
	)
	print(f"Per fully verified job, k = {k}, first round unanimous, submissions, commits and seals "
		f"in batches of {batch} (one transaction per payer or provider per block), one opening:")
	print()
	print("| output | extrinsics (µs) | hooks (µs) | total (µs) | weight allows (jobs/block) | jobs per block | jobs per second | bound |")
	print("| --- | --- | --- | --- | --- | --- | --- | --- |")
	def capacity(ext):
		"""Jobs (or cohorts) per block by weight and by the runtime's bounds: (by weight, the
		binding bound's name, what it allows)."""
		per_block = {
			"weight": min(BLOCK_REF_PS * NORMAL / ext, (BLOCK_REF_PS - BLOCK_BASE_PS) / (ext + hooks)),
			"`MaxAssignmentsPerBlock`": bounds["MaxAssignmentsPerBlock"],
			"`MaxTimeoutsPerBlock` / 3": bounds["MaxTimeoutsPerBlock"] / 3,
		}
		bound = min(per_block, key=per_block.get)
		return per_block["weight"], bound, per_block[bound]
	for label, last in (("digests only (no small output)", "reveal_digests"), (f"small output (charged as {64} elements)", "reveal")):
		ext = extrinsics + ref_ps(jobs[last], k)
		by_weight, bound, n = capacity(ext)
		print(f"| {label} | {ext / 1e6:,.1f} | {hooks / 1e6:,.1f} | {(ext + hooks) / 1e6:,.1f} | {by_weight:,.0f} | {n:,.0f} | "
			f"{n / BLOCK_SECONDS:,.1f} | {bound} |")
	print()
	# An escalated job: the first round splits (its last seal escalates instead of opening),
	# k more commit and reveal, the first round opens its k seals, and the last reveal settles
	# 2k voters.
	escalated = (
		extrinsics - ref_ps(jobs["reveal_digests"], k) + hooks
		+ ref_ps(jobs["reveal_escalate"])
		+ k * share("commit_batch")
		+ (2 * k - 1) * share("reveal_batch")
		+ ref_ps(jobs["reveal"], 2 * k)
		+ 3 * READ_PS
	)
	print(f"An escalated job (small outputs, {2 * k} voters): {escalated / 1e6:,.1f} µs, "
		f"{BLOCK_REF_PS * NORMAL / escalated / BLOCK_SECONDS:,.1f} jobs per second if every job escalated.")
	# The hooks' worst case at the runtime's bounds, as `process_timeouts` charges it. A window
	# end costs at most the largest of: a commit window replacing `MaxRedundancy` silent
	# providers (twice, when the block's pool was stale); one whose replacements find the
	# schedule full, after which the job is decided at once (a tally of up to an escalated job's
	# 2 × 7 voters with 64-element outputs); a reveal window whose tally settles 14 voters or
	# escalates; or a first round of 7 whose escalation found nobody, charged both the try and
	# the tally. (A tally that fails and is undone is charged twice too, but only a hold that
	# cannot move makes it fail.)
	assign_n, timeouts_n = bounds["MaxAssignmentsPerBlock"], bounds["MaxTimeoutsPerBlock"]
	worst_assign = ref_ps(jobs["on_initialize_assign"], assign_n)
	commit_end = ref_ps(jobs["on_initialize_timeouts"], 1) - ref_ps(jobs["on_initialize_timeouts"], 0)
	failed_escalation = ref_ps(jobs["reveal"], 7) + ref_ps(jobs["reveal_escalate"])
	tally_max = max(ref_ps(jobs["reveal"], 14), ref_ps(jobs["reveal_escalate"]), failed_escalation)
	per_end = max(2 * commit_end, commit_end + tally_max, tally_max)
	worst_timeouts = ref_ps(jobs["on_initialize_timeouts"], 0) + timeouts_n * per_end
	print(f"Worst-case hooks at the runtime's bounds: assigning {assign_n} jobs {worst_assign / 1e9:,.0f} ms; "
		f"{timeouts_n} window ends at {per_end / 1e9:,.2f} ms each (a commit window replacing 7 providers "
		f"{commit_end / 1e9:,.2f} ms, then, with the schedule full, a tally of 14 voters "
		f"{ref_ps(jobs['reveal'], 14) / 1e9:,.2f} ms; escalating instead: {ref_ps(jobs['reveal_escalate']) / 1e9:,.2f} ms; "
		f"an escalation that finds nobody, then a tally of 7: {failed_escalation / 1e9:,.2f} ms) "
		f"{worst_timeouts / 1e9:,.0f} ms; together {(worst_assign + worst_timeouts) / 1e9:,.0f} ms of a "
		f"{BLOCK_REF_PS / 1e12:.0f} s block.")
	print()
	# Audited jobs at the floor rate (`AuditFloor` = 1/16, two auditors), digests only: the
	# primary's submission, draw and commit; its audit decided at a window end of its own
	# (charged as a commit window closing, `on_initialize_timeouts(1) - (0)`); then, unaudited,
	# its seal (the last of its round: a tally of one) and its opening, which settles; audited,
	# two more commits, three seals (the last tallies three) and one opening settling three
	# voters, and the auditors' three window ends read and skipped. An audited job schedules
	# four window ends (three at assignment, one for the decision), three more when audited.
	p_audit, auditors = 1 / 16, 2
	decision = ref_ps(jobs["on_initialize_timeouts"], 1) - ref_ps(jobs["on_initialize_timeouts"], 0)
	unaudited = (
		share("submit_batch") + share("commit_batch") + ref_ps(jobs["reveal_digests"], 1)
		+ ref_ps(jobs["reveal_digests"], 1) + (1 + 1 / batch + 1 + 1) * EXTRINSIC_BASE_PS
	)
	audited_extra = (
		auditors * share("commit_batch") + auditors * share("reveal_batch")
		+ ref_ps(jobs["reveal_digests"], 1 + auditors) - ref_ps(jobs["reveal_digests"], 1)
		+ ref_ps(jobs["reveal_digests"], 1 + auditors) - ref_ps(jobs["reveal_digests"], 1)
		+ 2 * auditors * EXTRINSIC_BASE_PS / batch + 3 * READ_PS
	)
	audit_hooks = hooks + decision + READ_PS
	print(f"Per audited job (one primary; audited with probability {p_audit:.4f}, the floor, by {auditors} auditors; "
		"digests only; submissions and commits batched):")
	print()
	print("| case | extrinsics (µs) | hooks (µs) | total (µs) | weight allows (jobs/block) | jobs per block | jobs per second | bound |")
	print("| --- | --- | --- | --- | --- | --- | --- | --- |")
	for label, ext, ends in (
		("not audited", unaudited, 4),
		("audited", unaudited + audited_extra, 7),
		(f"mean at the floor", unaudited + p_audit * audited_extra, 4 + 3 * p_audit),
	):
		per_block = {
			"weight": min(BLOCK_REF_PS * NORMAL / ext, (BLOCK_REF_PS - BLOCK_BASE_PS) / (ext + audit_hooks)),
			"`MaxAssignmentsPerBlock`": bounds["MaxAssignmentsPerBlock"],
			f"`MaxTimeoutsPerBlock` / {ends:g}": bounds["MaxTimeoutsPerBlock"] / ends,
		}
		bound = min(per_block, key=per_block.get)
		n = per_block[bound]
		print(f"| {label} | {ext / 1e6:,.1f} | {audit_hooks / 1e6:,.1f} | {(ext + audit_hooks) / 1e6:,.1f} | "
			f"{per_block['weight']:,.0f} | {n:,.1f} | {n / BLOCK_SECONDS:,.1f} | {bound} |")
	# An audited cohort at the floor: the same, with one `reveal_members(m)` opening and the
	# cohort's submission; per job of its `m` members.
	m_a = bounds["MaxCohort"]
	member_bytes_a = 1 + 32 + 1 + 40
	per_byte_a = (ref_ps(jobs["submit_job"], 2) - ref_ps(jobs["submit_job"], 1))
	cohort_audited = (
		ref_ps(jobs["submit_cohort"], m_a) + per_byte_a * m_a * member_bytes_a + EXTRINSIC_BASE_PS
		- share("submit_batch") + unaudited + p_audit * audited_extra
		+ ref_ps(jobs["reveal_members"], m_a)
	)
	per_block = {
		"weight": min(BLOCK_REF_PS * NORMAL / cohort_audited, (BLOCK_REF_PS - BLOCK_BASE_PS) / (cohort_audited + audit_hooks)),
		"`MaxAssignmentsPerBlock`": bounds["MaxAssignmentsPerBlock"],
		"`MaxTimeoutsPerBlock` / 4.19": bounds["MaxTimeoutsPerBlock"] / (4 + 3 * p_audit),
	}
	bound = min(per_block, key=per_block.get)
	n = per_block[bound]
	print()
	print(f"Per audited cohort of {m_a} jobs at the floor: {cohort_audited / 1e6:,.1f} µs of extrinsics, "
		f"{(cohort_audited + audit_hooks) / m_a / 1e6:,.1f} µs a job with the hooks; {n:,.1f} cohorts per block "
		f"({bound}), {n * m_a / BLOCK_SECONDS:,.1f} jobs per second.")
	print()
	# Cohorts: `m` jobs of one model submitted as one (`JobInput::Cohort`, members by hash and
	# a 40-byte URI), assigned once, answered by each provider with one commitment and one seal
	# (items of its batches); one provider opens the m member digests with `reveal_members`,
	# which settles 3 voters (charged `reveal_digests(3)` plus `reveal_members(m)`). Hooks as
	# for a job. A window end of a cohort costs what a job's does plus `reveal_members(m)`.
	m = bounds["MaxCohort"]
	member_bytes = 1 + 32 + 1 + 40
	per_byte = (ref_ps(jobs["submit_job"], 2) - ref_ps(jobs["submit_job"], 1))
	cohort_ext = (
		ref_ps(jobs["submit_cohort"], m) + per_byte * m * member_bytes + EXTRINSIC_BASE_PS
		+ k * share("commit_batch") + k * EXTRINSIC_BASE_PS / batch
		+ (k - 1) * share("reveal_batch") + ref_ps(jobs["reveal_digests"], k) + k * EXTRINSIC_BASE_PS / batch
		+ ref_ps(jobs["reveal_members"], m) + EXTRINSIC_BASE_PS
		+ ref_ps(jobs["reveal_digests"], k)
	)
	cohort_by_weight, cbound, cn = capacity(cohort_ext)
	print(f"Per cohort of {m} jobs, k = {k}, first round unanimous (members by hash and URI; "
		"commits and seals batched, one `reveal_members` opening):")
	print()
	print("| extrinsics (µs) | hooks (µs) | per job (µs) | weight allows (cohorts/block) | cohorts per block | jobs per block | jobs per second | bound |")
	print("| --- | --- | --- | --- | --- | --- | --- | --- |")
	print(f"| {cohort_ext / 1e6:,.1f} | {hooks / 1e6:,.1f} | {(cohort_ext + hooks) / m / 1e6:,.1f} | "
		f"{cohort_by_weight:,.0f} | {cn:,.0f} | {cn * m:,.0f} | {cn * m / BLOCK_SECONDS:,.1f} | {cbound} |")
	cohort_len = (32 + 1 + 2 + m * member_bytes + 4 + 16 + 4) + k * 40 + k * 72 + (2 + 32 * m + 32 + 8 + 100)
	print()
	print(f"Block length, cohort of {m} by hash and URI: about {cohort_len:,} bytes per cohort "
		f"({cohort_len / m:,.0f} per job), {BLOCK_PROOF * NORMAL / cohort_len:,.0f} cohorts per block (length bound).")
	worst_cohort_end = per_end + ref_ps(jobs["reveal_members"], m)
	print(f"Worst-case hooks with cohorts: {timeouts_n} window ends at {worst_cohort_end / 1e9:,.2f} ms each "
		f"(a job's worst plus `reveal_members({m})`) and {assign_n} assignments: "
		f"{(worst_assign + ref_ps(jobs['on_initialize_timeouts'], 0) + timeouts_n * worst_cohort_end) / 1e9:,.0f} ms "
		f"of a {BLOCK_REF_PS / 1e12:.0f} s block.")
	print()
	# Bytes per job: a batched submission item (model, 512-byte inline input, redundancy, price,
	# deadline) or one by hash and URI, k batch items of commit (40 B) and seal (72 B), and one
	# opening (digest-only 73 B; a small output adds its shape and 8 bytes an element) with its
	# signature (about 100 B); batches share signatures.
	for input_label, submit_bytes in (("512-byte inline input", 32 + 2 + 512 + 4 + 16 + 4), ("input by hash and URI", 32 + 1 + 32 + 40 + 4 + 16 + 4)):
		for label, elements in (("digests only", 0), ("10-element output", 10), ("64-element output", 64)):
			reveal = 73 + (0 if elements == 0 else 1 + 4 + 1 + 8 * elements)
			length = submit_bytes + k * 40 + k * 72 + reveal + 100
			print(f"Block length, {input_label}, {label}: about {length} bytes per job, "
				f"{BLOCK_PROOF * NORMAL / length:,.0f} jobs per block (length bound).")


def runtime_bounds():
	"""The jobs pallet's per-block bounds, from the runtime's configuration."""
	text = (ROOT / "runtime" / "src" / "configs" / "inference.rs").read_text()
	out = {}
	for name in ("MaxAssignmentsPerBlock", "MaxTimeoutsPerBlock", "MaxCohort"):
		m = re.search(rf"type {name} = ConstU32<(\d+)>", text)
		out[name] = int(m.group(1))
	return out


if __name__ == "__main__":
	sys.exit(main())
