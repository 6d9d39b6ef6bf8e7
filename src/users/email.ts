import { domainToASCII, domainToUnicode } from 'node:url';

/** Rounds of the mapping; every single code point and letter + mark pair settles in three. */
const MAX_ROUNDS = 6;

/** Exactly the code points whose Unicode decomposition is `<wide>` or `<narrow>`. */
const WIDE_OR_NARROW = /[\u3000\uff01-\uffee]/g;

/** Halfwidth Hangul runs (first code point, count) and the compatibility jamo they stand for. */
const HALFWIDTH_HANGUL: ReadonlyArray<readonly [number, number, number]> = [
  [0xffa0, 1, 0x3164],
  [0xffa1, 30, 0x3131],
  [0xffc2, 6, 0x314f],
  [0xffca, 6, 0x3155],
  [0xffd2, 6, 0x315b],
  [0xffda, 3, 0x3161],
];

/**
 * RFC 8265 width mapping: a character to its `<wide>`/`<narrow>` decomposition. NFKC gives
 * that for all but two cases, where it decomposes the target again: halfwidth Hangul would
 * become conjoining jamo (not the compatibility jamo a keyboard types) and U+FFE3 space + macron.
 */
function widthMapped(c: string): string {
  const code = c.charCodeAt(0);
  if (code === 0xffe3) return '\u00af';
  for (const [first, count, target] of HALFWIDTH_HANGUL) {
    if (code >= first && code < first + count) return String.fromCharCode(target + code - first);
  }
  return c.normalize('NFKC');
}

/**
 * IDNA (UTS #46): `bücher.de` and its punycode `xn--bcher-kva.de` are one domain, kept in its
 * Unicode form. A domain IDNA refuses is left as it is (validation judges it).
 */
function withDomainForm(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 0) return email;
  const domain = email.slice(at + 1);
  if (/^[\x21-\x7e]*$/.test(domain) && !domain.includes('xn--')) return email;
  const ascii = domainToASCII(domain);
  return ascii ? `${email.slice(0, at + 1)}${domainToUnicode(ascii)}` : email;
}

/**
 * The one form in which an email is stored, compared, counted for lockout and hashed for the
 * audit: trimmed, then RFC 8265's UsernameCaseMapped steps (width mapping, case folding, NFC)
 * repeated until stable. One round is not enough: lower-casing can undo NFC (`H` + U+0331 →
 * `h` + U+0331, whose NFC is `ẖ`), and `ẞ` only lowers to `ß`, which folds to `ss` next round.
 */
export function normalizeEmail(email: string): string {
  let current = email.trim();
  for (let round = 0; round < MAX_ROUNDS; round++) {
    let next = current
      .replace(WIDE_OR_NARROW, widthMapped)
      // Upper then lower case is a full fold: ß → ss, ſ → s, K (Kelvin) → k, İ → i + U+0307.
      .toUpperCase()
      .toLowerCase()
      // Lower-casing picks ς for a capital Σ at the end of a word; folding knows one sigma.
      .replaceAll('ς', 'σ')
      .normalize('NFC');
    next = withDomainForm(next);
    if (next === current) return current;
    current = next;
  }
  return current;
}
