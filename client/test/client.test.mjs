// The library's values and signers, without a node: chain values as plain JavaScript (amounts
// as bigint, one casing), JSON keystores as signers, and the CLI's keystore checks.
//
//   node --test client/test/*.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TypeRegistry } from '@polkadot/types';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { MAX_AMOUNT, fromKeystore, parseAmount, plain, signer, toJson } from '../synod.mjs';
import { prepare } from '../cli.mjs';

const registry = new TypeRegistry();
registry.register({
  Sample: {
    payer: 'AccountId32', job: 'u64', paid: 'u128', tolerance: 'u64', settledAt: 'u32', inputHash: 'H256',
    output: 'Option<SmallOutput>', missing: 'Option<u32>', status: 'JobStatus', verification: 'Verification', flag: 'bool',
  },
  SmallOutput: { shape: 'Vec<u32>', values: 'Vec<i64>' },
  JobStatus: { _enum: { Queued: null, Waiting: { seq: 'u32' } } },
  Verification: { _enum: { Redundant: null, Audited: { auditors: 'Vec<AccountId32>' } } },
  Phase: { _enum: ['Commit', 'Reveal'] },
});
const ALICE = '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY';

test('chain values come out plain: amounts bigint, job ids numbers, camelCase, options null', () => {
  const v = plain(registry.createType('Sample', {
    payer: ALICE, job: 7, paid: 2n ** 127n, tolerance: 3, settledAt: 12, inputHash: `0x${'11'.repeat(32)}`,
    output: { shape: [1, 2], values: [-1, 2n ** 62n] }, missing: null, status: { Waiting: { seq: 4 } },
    verification: { Audited: { auditors: [ALICE] } }, flag: true,
  }));
  assert.deepEqual(v, {
    payer: ALICE, job: 7, paid: 2n ** 127n, tolerance: 3n, settledAt: 12, inputHash: `0x${'11'.repeat(32)}`,
    output: { shape: [1, 2], values: [-1n, 2n ** 62n] }, missing: null, status: { waiting: { seq: 4 } },
    verification: { audited: { auditors: [ALICE] } }, flag: true,
  });
  assert.deepEqual(plain(registry.createType('Verification', 'Redundant')), { redundant: null });
  assert.equal(plain(registry.createType('Phase', 'Reveal')), 'Reveal');
  assert.equal(plain(registry.createType('u128', 1)), 1n);
  assert.equal(plain(registry.createType('u128', 0)), 0n);
  assert.throws(() => plain(registry.createType('u64', 2n ** 53n), 'job'), /job id 9007199254740992 is above 2\^53/);
  assert.equal(toJson({ paid: 2n ** 127n }), '{"paid":"170141183460469231731687303715884105728"}');
});

test('an amount above what a balance holds is refused', () => {
  assert.equal(parseAmount(MAX_AMOUNT.toString()), MAX_AMOUNT);
  assert.throws(() => parseAmount((MAX_AMOUNT + 1n).toString()), /more than a balance holds/);
});

test('a JSON keystore signs once unlocked; a wrong password is refused', async () => {
  await cryptoWaitReady();
  const pair = signer('//Synod-keystore-test');
  const json = pair.toJson('correct horse');
  const back = fromKeystore(JSON.stringify(json), 'correct horse');
  assert.equal(back.address, pair.address);
  const msg = new TextEncoder().encode('synod');
  assert.ok(pair.verify(msg, back.sign(msg), pair.publicKey));
  assert.throws(() => fromKeystore(json, 'wrong'), /cannot unlock the keystore of 5\w+: wrong password/);
});

test('the CLI reads a keystore and its password before connecting', async () => {
  await cryptoWaitReady();
  const dir = mkdtempSync(join(tmpdir(), 'synod-cli-'));
  const file = join(dir, 'key.json');
  writeFileSync(file, JSON.stringify(signer('//Synod-keystore-test').toJson('pw')));
  writeFileSync(join(dir, 'pw'), 'pw\n');
  writeFileSync(join(dir, 'bad.json'), '{"address": 1}');
  const base = ['cancel-job', '3', '--url', 'ws://127.0.0.1:1'];
  const saved = process.env.SYNOD_PASSWORD;
  delete process.env.SYNOD_PASSWORD;
  try {
    assert.deepEqual(prepare([...base, '--keystore', file, '--password-file', join(dir, 'pw')]).signer.password, 'pw');
    assert.throws(() => prepare([...base, '--keystore', file]), /needs its password: --password-file FILE or SYNOD_PASSWORD/);
    assert.throws(() => prepare([...base, '--keystore', join(dir, 'bad.json'), '--password-file', join(dir, 'pw')]), /not a polkadot.js JSON keystore/);
    assert.throws(() => prepare([...base, '--keystore', file, '--suri', '//Alice']), /give one signer/);
    assert.throws(() => prepare([...base, '--password-file', join(dir, 'pw')]), /--password-file unlocks a --keystore/);
    process.env.SYNOD_PASSWORD = 'pw';
    assert.equal(prepare([...base, '--keystore', file]).signer.password, 'pw');
    assert.equal(prepare([...base, '--in-block']).args.finality, 'inBlock');
    assert.equal(prepare(base).args.finality, 'finalized');
  } finally {
    if (saved === undefined) delete process.env.SYNOD_PASSWORD; else process.env.SYNOD_PASSWORD = saved;
  }
});
