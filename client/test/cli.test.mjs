// The CLI's argument handling, as a user meets it: unknown options and commands, missing or
// malformed arguments, secrets in argv and keys sent to a remote node are refused before any
// connection is tried, and every command has its own --help. The checks are `prepare` (no
// network); a few runs of the real command show the exit status and that nothing was tried
// (the --url is a closed port: a command that tried to connect would fail with "cannot
// connect" instead). Also the amounts' parsing and formatting at their edges.
//
//   node --test client/test/*.test.mjs      (or, in client/: npm test)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { formatAmount, parseAmount } from '../synod.mjs';
import { prepare } from '../cli.mjs';

const CLI = fileURLToPath(new URL('../cli.mjs', import.meta.url));
const MLP = fileURLToPath(new URL('../../worker/tests/fixtures/mlp.json', import.meta.url));
const CLOSED = 'ws://127.0.0.1:1';
const ID = `0x${'ab'.repeat(32)}`;

function cli(...args) {
  const t = Date.now();
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, SYNOD_SURI: '' }, timeout: 20_000 });
  return { code: r.status, out: r.stdout, err: r.stderr, ms: Date.now() - t };
}

/** Refused with `pattern` by the checks (`prepare`, which never connects). */
function refused(args, pattern) {
  assert.throws(() => prepare([...args, '--url', CLOSED]), pattern, args.join(' '));
}

/** The real command: exit 1 with `pattern` on stderr, without trying the node. */
function exits(args, pattern) {
  const r = cli(...args, '--url', CLOSED);
  assert.equal(r.code, 1, `${args.join(' ')}: ${r.err}`);
  assert.match(r.err, pattern, args.join(' '));
  assert.doesNotMatch(r.err, /cannot connect|no node answered/, `${args.join(' ')} connected first`);
  assert.equal(r.out, '');
}

test('an unknown option is an error, not ignored', () => {
  exits(['submit-job', '--model', ID, '--input', '[1]', '--redudancy', '5'], /Unknown option '--redudancy'/);
  refused(['quote', '--model', ID, '--max-prize', '1'], /Unknown option '--max-prize'/);
});

test('an unknown command is an error', () => {
  exits(['submit-jobs'], /unknown command submit-jobs/);
});

test('missing and malformed arguments are refused before connecting', () => {
  exits(['submit-job', '--input', '[1,2]'], /--model is required/);
  refused(['submit-job', '--model', ID], /exactly one of --input-hex/);
  refused(['submit-job', '--model', '0x12', '--input', '[1]'], /--model must be 32 bytes of hex/);
  refused(['submit-job', '--model', ID, '--input', 'one'], /--input must be a JSON array/);
  refused(['submit-job', '--model', ID, '--input', '[1]', '--redundancy', 'three'], /--redundancy must be a whole number/);
  refused(['submit-job', '--model', ID, '--input', '[1]', '--audited', '--redundancy', '3'], /two verification modes/);
  refused(['submit-job', '--model', ID, '--input', '[1]', '--max-price', '1.5'], /--max-price: planck amounts are whole numbers/);
  refused(['register-provider', '--model', ID, '--price', '1'], /--bond is required/);
  refused(['register-model'], /--manifest is required/);
  refused(['register-model', '--manifest', '/nonexistent.json'], /--manifest \/nonexistent.json/);
  refused(['job'], /job takes ID, got none/);
  refused(['job', 'seven'], /ID must be a whole number/);
  refused(['result', '1', '2'], /result takes ID, got 1 2/);
  refused(['unbond'], /unbond takes AMOUNT/);
  refused(['set-offer', '--model', ID], /--price is required/);
  refused(['set-concurrency', '0'], /N must be from 1/);
});

test('a secret in argv is refused; a dev derivation is not a secret', () => {
  refused(['cancel-job', '3', '--suri', 'bottom drive obey lake curtain smoke basket hold race lonely fit walk'], /--suri takes a development derivation/);
  refused(['cancel-job', '3', '--suri', '//Alice', '--suri-file', '/x'], /give one signer, not --suri and --suri-file/);
  refused(['cancel-job', '3', '--suri-file', '/nonexistent-secret'], /--suri-file: ENOENT/);
  // A dev derivation passes the checks, then the (closed) node is tried.
  const r = cli('cancel-job', '3', '--suri', '//Alice', '--url', CLOSED);
  assert.equal(r.code, 1);
  assert.match(r.err, /cannot connect|no node answered/);
});

test('the provider key is sent to a node on this machine only', () => {
  const args = ['register-provider', '--bond', '1000SYN', '--model', ID, '--price', '0.01SYN', '--insert-key', '--suri', '//Bob'];
  assert.throws(() => prepare([...args, '--url', 'ws://192.0.2.7:9944']), /--insert-key sends the secret to the node: only to a node on this machine/);
  assert.equal(prepare([...args, '--url', 'ws://127.0.0.1:9944']).args.insertKey, true);
});

test('every command has its own --help; help and --version exit 0', () => {
  const all = prepare(['help']).text;
  const commands = [...all.matchAll(/^ {2}([a-z][a-z-]+) {2,}/gm)].map((m) => m[1]);
  for (const c of ['submit-job', 'cancel-job', 'models', 'status', 'unbond', 'withdraw', 'pause', 'resume', 'set-offer', 'remove-offer', 'retire-model']) {
    assert.ok(commands.includes(c), `help lists ${c}`);
  }
  for (const c of commands) {
    const text = prepare([c, '--help', '--url', CLOSED]).text;
    assert.match(text, new RegExp(`^usage: node cli\\.mjs ${c}\\b`), c);
    assert.equal(prepare(['help', c]).text, text);
  }
  assert.match(prepare(['submit-job', '--help']).text, /SYNOD_SURI/);
  const help = cli('cancel-job', '--help');
  assert.equal(help.code, 0);
  assert.match(help.out, /^usage: node cli\.mjs cancel-job ID/);
  assert.match(cli('--version').out, /^\d+\.\d+\.\d+\n$/);
});

test('model-id reads its manifest before connecting', () => {
  // mlp.json names its file relatively: without --source-base it cannot be a chain manifest.
  refused(['model-id', '--manifest', MLP], /not a URI; pass a source base URL/);
  const p = prepare(['model-id', '--manifest', MLP, '--source-base', 'http://127.0.0.1:7480/', '--url', CLOSED]);
  assert.deepEqual(p.args.manifest.sources, ['http://127.0.0.1:7480/mlp.pt']);
});

test('amounts parse and format exactly at 0, 1 planck, 2^53 and 2^127', () => {
  for (const v of [0n, 1n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 127n]) {
    assert.equal(parseAmount(v.toString()), v);
    assert.equal(parseAmount(formatAmount(v).replace(' SYN', 'SYN')), v, formatAmount(v));
  }
  assert.equal(formatAmount(0n), '0 SYN');
  assert.equal(formatAmount(1n), '0.000000000001 SYN');
  assert.equal(formatAmount(2n ** 53n), '9007.199254740992 SYN');
  assert.equal(parseAmount('1.5SYN'), 1_500_000_000_000n);
  assert.throws(() => parseAmount('1.0000000000001SYN'), /more than 12 decimals/);
  assert.throws(() => parseAmount('-1'), /not an amount/);
});
