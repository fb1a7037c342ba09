// The WordPiece tokenizer of BERT-uncased models (all-MiniLM-L6-v2 among them), as Hugging
// Face's BertTokenizer does it: clean the text, space out CJK ideographs, lowercase and strip
// accents, split on whitespace and punctuation, then the longest vocabulary pieces first
// (`##` continues a word; a word that cannot be pieced, or longer than 100 characters, is
// [UNK]). Checked against transformers' own tokenizer (app/test/tokenizer.test.mjs).

/** The special tokens of a BERT vocabulary. */
const SPECIAL = ['[PAD]', '[UNK]', '[CLS]', '[SEP]'];

/**
 * @param {number} cp
 * @returns {boolean}
 */
function isCjk(cp) {
  return (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0x20000 && cp <= 0x2a6df)
    || (cp >= 0x2a700 && cp <= 0x2b73f) || (cp >= 0x2b740 && cp <= 0x2b81f) || (cp >= 0x2b820 && cp <= 0x2ceaf)
    || (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0x2f800 && cp <= 0x2fa1f);
}

/**
 * BERT's punctuation: every ASCII non-letter, non-digit, non-space printable, and Unicode P*.
 * @param {string} ch
 * @param {number} cp
 */
function isPunctuation(ch, cp) {
  return (cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126) || /\p{P}/u.test(ch);
}

export class WordPiece {
  /**
   * @param {string} vocabText the vocabulary file: one token per line, its line number its id
   * @param {{ maxLength?: number }} [options] the model's sequence length (ids are padded to it)
   */
  constructor(vocabText, { maxLength = 64 } = {}) {
    /** @type {Map<string, number>} */
    this.vocab = new Map();
    vocabText.split('\n').forEach((line, i) => {
      const t = line.replace(/\r$/, '');
      if (t !== '' && !this.vocab.has(t)) this.vocab.set(t, i);
    });
    for (const s of SPECIAL) if (!this.vocab.has(s)) throw new Error(`the vocabulary has no ${s}`);
    this.maxLength = maxLength;
    this.pad = /** @type {number} */ (this.vocab.get('[PAD]'));
    this.unk = /** @type {number} */ (this.vocab.get('[UNK]'));
    this.cls = /** @type {number} */ (this.vocab.get('[CLS]'));
    this.sep = /** @type {number} */ (this.vocab.get('[SEP]'));
  }

  /**
   * The words of a text, before WordPiece.
   * @param {string} text
   * @returns {string[]}
   */
  basic(text) {
    let clean = '';
    for (const ch of text) {
      const cp = /** @type {number} */ (ch.codePointAt(0));
      if (cp === 0 || cp === 0xfffd) continue;
      if (ch === '\t' || ch === '\n' || ch === '\r' || /\p{Zs}/u.test(ch)) { clean += ' '; continue; }
      if (/[\p{Cc}\p{Cf}]/u.test(ch)) continue;
      clean += isCjk(cp) ? ` ${ch} ` : ch;
    }
    const words = [];
    for (const raw of clean.normalize('NFC').split(' ')) {
      if (!raw) continue;
      const token = raw.toLowerCase().normalize('NFD').replace(/\p{Mn}/gu, '');
      let cur = '';
      for (const ch of token) {
        if (isPunctuation(ch, /** @type {number} */ (ch.codePointAt(0)))) {
          if (cur) words.push(cur);
          words.push(ch);
          cur = '';
        } else cur += ch;
      }
      if (cur) words.push(cur);
    }
    return words;
  }

  /**
   * A word's pieces' ids, or [UNK].
   * @param {string} word
   * @returns {number[]}
   */
  pieces(word) {
    const chars = [...word];
    if (chars.length > 100) return [this.unk];
    const out = [];
    let start = 0;
    while (start < chars.length) {
      let end = chars.length;
      let id;
      while (start < end) {
        const piece = (start > 0 ? '##' : '') + chars.slice(start, end).join('');
        id = this.vocab.get(piece);
        if (id !== undefined) break;
        end--;
      }
      if (id === undefined) return [this.unk];
      out.push(id);
      start = end;
    }
    return out;
  }

  /**
   * The model's input for a text: [CLS] pieces [SEP], truncated and padded with [PAD] to
   * `maxLength` (what transformers gives with padding="max_length", truncation=True).
   * @param {string} text
   * @returns {{ ids: number[], tokens: number, truncated: boolean }}
   */
  encode(text) {
    const body = this.basic(text).flatMap((w) => this.pieces(w));
    const room = this.maxLength - 2;
    const kept = body.slice(0, room);
    const ids = [this.cls, ...kept, this.sep];
    while (ids.length < this.maxLength) ids.push(this.pad);
    return { ids, tokens: kept.length + 2, truncated: body.length > room };
  }
}
