#!/usr/bin/env node
// The web app in a real browser (Debian's chromium, driven by playwright-core) against a
// running dev network, as a person uses it: open the models page, submit an MLP job signed by
// a dev account, wait on the job page for its settled status, read the result the page
// verified, open its receipt; then the same with a sentence for all-MiniLM-L6-v2, tokenized
// in the browser. What the page shows is checked against the chain, read here with
// @synod/client: the receipt's digest is the page's, and the MiniLM job's input hash is that of
// the ids transformers' tokenizer gives the sentence (tokenizer-vectors.json). A screenshot of
// each step goes to --out.
//
//   node app/test/browser.mjs --app http://127.0.0.1:7490/ --node ws://127.0.0.1:9944 \
//     --out DIR [--model mlp] [--text-model all-MiniLM-L6-v2] [--chromium /usr/bin/chromium]
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import * as synod from '@synod/client';

const { values: opt } = parseArgs({
  options: {
    app: { type: 'string' }, node: { type: 'string' }, out: { type: 'string' }, model: { type: 'string', default: 'mlp' },
    'text-model': { type: 'string' }, chromium: { type: 'string', default: '/usr/bin/chromium' },
    timeout: { type: 'string', default: '300' },
  },
  strict: true,
});
for (const k of ['app', 'node', 'out']) if (!opt[k]) throw new Error(`--${k} is required`);
const out = /** @type {string} */ (opt.out);
mkdirSync(out, { recursive: true });
const timeout = Number(opt.timeout) * 1000;
const say = (/** @type {string} */ s) => console.log(`browser: ${s}`);
const fail = (/** @type {string} */ s) => { throw new Error(s); };

const api = await synod.connect(opt.node);
const browser = await chromium.launch({
  executablePath: opt.chromium,
  // As root in a sandboxed machine; no network beyond loopback (no background requests).
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
const errors = [];
const summary = { steps: [] };
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  let shot = 0;
  const snap = async (/** @type {string} */ name) => {
    const path = join(out, `${String(++shot).padStart(2, '0')}-${name}.png`);
    await page.screenshot({ path, fullPage: true });
    summary.steps.push({ step: name, screenshot: path });
    say(`screenshot ${path}`);
  };

  // 1. The models page, connected to the node given in the URL.
  const base = new URL(/** @type {string} */ (opt.app));
  base.searchParams.set('node', /** @type {string} */ (opt.node));
  await page.goto(`${base}#/models`);
  await page.getByTestId('finalized').waitFor({ timeout: 30_000 });
  const models = page.getByTestId('models');
  await models.getByRole('link', { name: opt.model, exact: true }).waitFor({ timeout: 30_000 });
  say(`models page lists ${await models.locator('tbody tr').count()} model(s), ${opt.model} among them`);
  await snap('models');
  // The model's page (its manifest, providers and prices) and the providers' page.
  await models.getByRole('link', { name: opt.model, exact: true }).click();
  await page.getByTestId('manifest').waitFor({ timeout: 30_000 });
  await snap('model');
  await page.getByRole('link', { name: 'Providers', exact: true }).click();
  const providerRows = page.getByTestId('providers').locator('tbody tr');
  await providerRows.first().waitFor({ timeout: 30_000 });
  if ((await providerRows.count()) < 3) fail(`the providers page lists ${await providerRows.count()} provider(s), the dev network has 3`);
  say(`providers page lists ${await providerRows.count()} providers`);
  await snap('providers');

  /**
   * Submits a job through the form and follows it to its verified result.
   * @param {string} modelName
   * @param {(p: import('playwright-core').Page) => Promise<void>} fillInput
   * @param {string} tag
   */
  const submitAndVerify = async (modelName, fillInput, tag) => {
    await page.getByRole('link', { name: 'Submit a job' }).click();
    const select = page.getByTestId('model');
    await select.waitFor({ timeout: 30_000 });
    const option = select.locator('option').filter({ hasText: new RegExp(`^${modelName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} ·`) });
    await select.selectOption(await option.first().getAttribute('value'));
    await fillInput(page);
    await page.getByTestId('quote').filter({ hasText: /providers at up to|Audited mode/ }).waitFor({ timeout: 30_000 });
    await snap(`${tag}-submit`);
    const t0 = Date.now();
    await page.getByTestId('submit').click();
    await page.waitForURL(/#\/jobs\/\d+$/, { timeout: 120_000 }).catch(async () => {
      fail(`no job page after submitting: ${await page.getByTestId('submit-progress').innerText()}`);
    });
    const job = Number(new URL(page.url()).hash.split('/').pop());
    say(`${tag}: job #${job} submitted from the form (signed by the dev account), following it`);
    const final = page.getByTestId('final-status');
    await final.waitFor({ timeout });
    const status = await final.innerText();
    if (!/^settled/.test(status)) fail(`${tag}: job #${job} ended: ${status}`);
    await page.getByTestId('verified').waitFor({ timeout: 150_000 });
    const digest = (await page.getByTestId('verified-digest').first().innerText()).trim();
    const values = await page.getByTestId('values').first().innerText();
    const seconds = (Date.now() - t0) / 1000;
    say(`${tag}: the page shows "${status}" after ${seconds.toFixed(1)} s and a result it verified: digest ${digest}, values ${values.slice(0, 60)}…`);
    const events = await page.getByTestId('job-events').locator('li').allInnerTexts();
    for (const e of ['JobSubmitted', 'JobAssigned', 'Committed', 'JobSettled']) {
      if (!events.some((x) => x.includes(e))) fail(`${tag}: the job page did not show ${e}: ${events.join(' | ')}`);
    }
    await snap(`${tag}-settled`);
    // The chain's receipt, read here: the page's verified digest is the agreed one.
    const receipt = await synod.receipt(api, job);
    if (!receipt) fail(`${tag}: no receipt for job #${job} on chain`);
    if (receipt.outputDigest !== digest) fail(`${tag}: the page verified ${digest}, the receipt agreed on ${receipt.outputDigest}`);
    // The receipt page.
    await page.getByTestId('receipt-link').click();
    await page.waitForURL(/#\/receipts\/\d+$/);
    const shown = (await page.getByTestId('receipt-digest').innerText()).trim();
    if (shown !== receipt.outputDigest) fail(`${tag}: the receipt page shows ${shown}, the chain ${receipt.outputDigest}`);
    const paid = (await page.getByTestId('paid').innerText()).trim();
    if (paid !== synod.formatAmount(receipt.paid)) fail(`${tag}: the receipt page shows paid ${paid}, the chain ${synod.formatAmount(receipt.paid)}`);
    await page.getByTestId('verified').waitFor({ timeout: 60_000 });
    await snap(`${tag}-receipt`);
    say(`${tag}: receipt page of #${job}: digest and payment (${paid}) as on chain, ${receipt.agreeing.length} agreeing`);
    summary[tag] = { job, seconds, digest, paid: receipt.paid.toString(), agreeing: receipt.agreeing.length };
    return { job, receipt };
  };

  // 2–4. An MLP job with the form's default numbers.
  await submitAndVerify(/** @type {string} */ (opt.model), async (p) => {
    await p.getByTestId('input-kind').selectOption('numbers');
    if (!(await p.getByTestId('numbers').inputValue()).startsWith('[')) fail('the form has no default input');
  }, 'mlp');
  // The jobs page lists its receipt.
  await page.getByRole('link', { name: 'Jobs', exact: true }).click();
  await page.getByTestId('receipts').getByRole('link', { name: `#${summary.mlp.job}`, exact: true }).waitFor({ timeout: 30_000 });
  await snap('jobs');

  // 5–7. A sentence for the text model, tokenized by the page.
  if (opt['text-model']) {
    // A sentence of the tokenizer vectors: the ids transformers' tokenizer gives it are known.
    const vectors = JSON.parse(readFileSync(new URL('./tokenizer-vectors.json', import.meta.url), 'utf8'));
    const { text: sentence, ids } = vectors.cases[0];
    const { receipt } = await submitAndVerify(opt['text-model'], async (p) => {
      await p.getByTestId('input-kind').selectOption('text');
      await p.locator('#text').fill(sentence);
    }, 'text');
    const want = synod.blake2Hex(synod.encodeInput(ids, 'i64'));
    if (receipt.inputHash !== want) fail(`text: the job's input hash ${receipt.inputHash} is not that of the sentence's token ids by transformers ${want}`);
    say(`text: the job's input is the ${ids.filter((/** @type {number} */ x) => x).length} token ids transformers' tokenizer gives "${sentence}"`);
  }
  if (errors.length) fail(`the page reported errors:\n${errors.join('\n')}`);
  writeFileSync(join(out, 'browser.json'), `${synod.toJson(summary, 2)}\n`);
  say('all steps passed');
} finally {
  await browser.close();
  await api.disconnect();
}
