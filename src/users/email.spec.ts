import { describe, expect, it } from '@jest/globals';
import { normalizeEmail } from './email.js';

/** Every BMP code point alone, and every cased BMP letter followed by a combining mark. */
function samples(): string[] {
  const found: string[] = [];
  const cased: string[] = [];
  for (let code = 0; code <= 0xffff; code++) {
    if (code >= 0xd800 && code <= 0xdfff) continue;
    const c = String.fromCharCode(code);
    found.push(c);
    if (c.toLowerCase() !== c || c.toUpperCase() !== c) cased.push(c);
  }
  const marks: string[] = [];
  for (let code = 0x0300; code <= 0x036f; code++) marks.push(String.fromCharCode(code));
  marks.push('\u0591', '\u093c', '\u1ab0', '\u1dc0', '\u20d0', '\u3099', '\ufe20');
  for (const letter of cased) for (const mark of marks) found.push(letter + mark);
  return found;
}

describe('normalizeEmail', () => {
  const inputs = samples();

  it('reaches a fixed point: normalizing twice changes nothing', () => {
    const unstable = inputs.filter((x) => normalizeEmail(normalizeEmail(x)) !== normalizeEmail(x));
    expect(inputs.length).toBeGreaterThan(300_000);
    expect(unstable.map((x) => [...x].map((c) => c.codePointAt(0)!.toString(16)).join('+')).slice(0, 10)).toEqual([]);
  });

  it('gives one form to the spellings of one address', () => {
    expect(normalizeEmail('H\u0331ana@Example.com')).toBe('\u1e96ana@example.com');
    expect(normalizeEmail(' \u1e96ana@example.com ')).toBe('\u1e96ana@example.com');
    expect(normalizeEmail('E\u0301lise@example.com')).toBe(normalizeEmail('\u00e9lise@EXAMPLE.com'));
  });

  // The stored-email migration applies PostgreSQL's normalize(email, NFC) to the old form.
  it('is the NFC of the form stored before (NFC, then lower case, once)', () => {
    const before = (x: string) => x.trim().normalize('NFC').toLowerCase();
    const different = inputs.filter((x) => before(x).normalize('NFC') !== normalizeEmail(x));
    expect(different).toEqual([]);
  });
});
