// The client's digests against the vectors that the independent Python implementation wrote
// (primitives/test-vectors/digest.json, made by primitives/test-vectors/make_digest_vectors.py),
// which primitives/tests/digest_vectors.rs checks the Rust side against.
//
//   node --test client/test/*.test.mjs      (or, in client/: npm test)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { hexToU8a } from '@polkadot/util';
import { canonicalDigest, membersRoot, workerJobId } from '../synod.mjs';

// Quantized values reach ±2^63: JSON.parse would round integers beyond 2^53 to doubles, so such
// numbers are read as decimal strings (canonicalDigest takes them through BigInt).
const exact = (text) => JSON.parse(text.replace(/([[:,]\s*)(-?\d{16,})(?=\s*[,\]}])/g, '$1"$2"'));
const doc = exact(readFileSync(fileURLToPath(new URL('../../primitives/test-vectors/digest.json', import.meta.url)), 'utf8'));
const hex = (h) => `0x${h}`;

test('canonicalDigest matches the digest vectors', () => {
  assert.ok(doc.vectors.length >= 10);
  for (const v of doc.vectors) {
    const got = canonicalDigest(v.model_hash, hexToU8a(hex(v.input_hex)), v.shape, v.quantized);
    assert.equal(got, hex(v.digest), v.name);
  }
});

test('membersRoot matches the members vectors', () => {
  assert.ok(doc.members.length >= 5);
  for (const c of doc.members) assert.equal(membersRoot(c.members), hex(c.root), c.name);
});

test('workerJobId matches the worker job id vectors', () => {
  assert.ok(doc.worker_job_ids.length >= 4);
  for (const c of doc.worker_job_ids) {
    assert.equal(workerJobId(c.job, c.model_hash, { hash: c.input_hash }, c.attempt), c.id, c.name);
  }
});

test('verifyOutput accepts the agreed output and refuses a tampered one', async () => {
  const { outputDigest, verifyOutput, blake2Hex } = await import('../synod.mjs');
  for (const v of doc.vectors) {
    const inputHash = blake2Hex(hexToU8a(hex(v.input_hex)));
    assert.equal(outputDigest(v.model_hash, inputHash, v.shape, v.quantized), hex(v.digest), v.name);
    const receipt = { model: v.model_hash, inputHash, digest: hex(v.digest), stepExponent: 12 };
    const ok = verifyOutput(receipt, { shape: v.shape, quantized: v.quantized });
    assert.equal(ok.quantized.length, v.quantized.length);
    if (v.quantized.length === 0) continue;
    // One element off by one quantization step: refused.
    const tampered = v.quantized.map((x, i) => (i === v.quantized.length - 1 ? BigInt(x) + 1n : x));
    assert.throws(() => verifyOutput(receipt, { shape: v.shape, quantized: tampered }), /not the agreed output/, v.name);
    // The right values under another input hash: refused.
    assert.throws(() => verifyOutput({ ...receipt, inputHash: hex('00'.repeat(32)) }, { shape: v.shape, quantized: v.quantized }), /not the agreed output/);
    // A shape that does not hold the values: refused.
    assert.throws(() => verifyOutput(receipt, { shape: [v.quantized.length + 1], quantized: v.quantized }), /elements/);
  }
});
