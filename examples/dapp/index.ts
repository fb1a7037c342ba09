// A dapp on Synod, as a developer writes one against @synod/client: pick the cheapest quote
// for a model, pay for one job, follow it to settlement at finality, and use its output only
// once it is checked against the receipt.
//
//   npm run typecheck -w examples/dapp        (the suite runs this)
//   SYNOD_SURI=//Alice npm start -w examples/dapp -- ws://127.0.0.1:9944 0x<model id>
import {
  connect, fetchResult, formatAmount, quote, receipt, signer, submitJob, verificationText, waitForJob,
  type Account, type JobEvent, type JobResult, type Quote, type Receipt,
} from '@synod/client';

const [url = 'ws://127.0.0.1:9944', model] = process.argv.slice(2);
if (!model) throw new Error('usage: index.ts URL MODEL_ID');
const suri = process.env.SYNOD_SURI;
if (!suri) throw new Error('give the payer\'s secret in SYNOD_SURI');

const api = await connect(url);
const payer: Account = signer(suri);
const redundancy = 3;

const q: Quote = await quote(api, model, redundancy, 10n ** 30n);
if (q.cheapest === null) throw new Error(`fewer than ${redundancy} providers offer ${model}`);
const price: bigint = q.cheapest;
console.log(`price ${formatAmount(price)} per provider, escrow ${formatAmount(2n * price * BigInt(redundancy))}`);

const input = new Uint8Array(new Float32Array(16).fill(0.5).buffer);
const { job, escrow, blockNumber } = await submitJob(api, payer, { model, input, redundancy, maxPrice: price });
console.log(`job ${job} submitted at #${blockNumber}, ${formatAmount(escrow)} held`);

const end = await waitForJob(api, job, (e: JobEvent) => console.log(`#${e.block} ${e.event}: ${e.text}`), { from: blockNumber });
if (!end.settled) throw new Error(`job ${job} ended without a result: ${end.method}`);

const r: Receipt | null = await receipt(api, job);
if (!r) throw new Error('settled, yet no receipt');
const spent: bigint = r.paid;
const back: bigint = r.refunded;
console.log(`verified ${verificationText(r)}: paid ${formatAmount(spent)}, refunded ${formatAmount(back)}`);

const out = await fetchResult(api, job);
const one: JobResult = Array.isArray(out) ? out[0] : out;
console.log(`output [${one.shape}] from ${one.source}, digest ${one.digest} = the receipt's: ${one.values.slice(0, 4).join(', ')}`);
await api.disconnect();
