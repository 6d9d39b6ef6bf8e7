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

  // RFC 8265 (PRECIS UsernameCaseMapped): width mapping, then case folding, then NFC.
  it.each([
    ['a final sigma written in capitals', 'ΟΔΥΣ@x.org', 'οδυσ@x.org'],
    ['a final sigma written in lower case', 'οδυς@x.org', 'οδυσ@x.org'],
    ['a long s', 'ſam@x.org', 'sam@x.org'],
    ['a sharp s', 'straße@x.org', 'strasse@x.org'],
    ['a capital sharp s', 'STRAẞE@x.org', 'strasse@x.org'],
    ['a Kelvin sign', '\u212Aim@x.org', 'kim@x.org'],
    ['a capital I with dot above', 'İpek@x.org', 'i\u0307pek@x.org'],
    ['a full-width letter', '\uff56era@x.org', 'vera@x.org'],
    ['full-width ASCII throughout', '\uff36\uff25\uff32\uff21\uff20\uff58\uff0e\uff4f\uff52\uff47', 'vera@x.org'],
    ['half-width katakana with a voiced mark', '\uff76\uff9e@x.org', '\u30ac@x.org'],
    // NFKC would go one step further here, to conjoining jamo and to space + macron.
    ['a half-width Hangul letter', '\uffa1im@x.org', '\u3131im@x.org'],
    ['a full-width macron', 'a\uffe3b@x.org', 'a\u00afb@x.org'],
    // IDNA: a domain and its punycode are one.
    ['a punycode domain', 'ana@xn--bcher-kva.de', 'ana@b\u00fccher.de'],
    ['a capitalised Unicode domain', 'ana@B\u00dcCHER.de', 'ana@b\u00fccher.de'],
  ])('folds %s', (_what, spelling, form) => {
    expect(normalizeEmail(spelling)).toBe(form);
    expect(normalizeEmail(form)).toBe(form);
  });

  it('gives every case and width variant of a letter one form', () => {
    const variants = [
      'σ',
      'ς',
      'Σ',
      's',
      'S',
      'ſ',
      'ｓ',
      'Ｓ',
      'k',
      'K',
      '\u212A',
      'ｋ',
      'ß',
      'ẞ',
      'ss',
      'SS',
      'ｓｓ',
      'i\u0307',
      'İ',
    ];
    const forms = new Map<string, string>();
    // After a letter, so that a capital sigma lowers to the final form.
    for (const v of variants) forms.set(v, normalizeEmail(`a${v}@x.org`));
    expect(new Set([forms.get('σ'), forms.get('ς'), forms.get('Σ')]).size).toBe(1);
    expect(new Set([forms.get('s'), forms.get('S'), forms.get('ſ'), forms.get('ｓ'), forms.get('Ｓ')]).size).toBe(1);
    expect(new Set([forms.get('k'), forms.get('K'), forms.get('\u212A'), forms.get('ｋ')]).size).toBe(1);
    expect(new Set([forms.get('ß'), forms.get('ẞ'), forms.get('ss'), forms.get('SS'), forms.get('ｓｓ')]).size).toBe(1);
    expect(forms.get('İ')).toBe(forms.get('i\u0307'));
  });

  it('leaves no full-width or half-width form, and keeps what each one means', () => {
    // Unassigned code points in the block have no decomposition and stay as they are.
    const forms: string[] = ['\u3000'];
    for (let code = 0xff01; code <= 0xffee; code++) {
      const c = String.fromCharCode(code);
      if (c.normalize('NFKC') !== c) forms.push(c);
    }
    expect(forms.length).toBe(226);
    const wrong = forms.filter((c) => {
      const form = normalizeEmail(`a${c}b`);
      return (
        /[\u3000\uff01-\uffee]/.test(form) ||
        form.normalize('NFKC') !== normalizeEmail(`a${c}b`.normalize('NFKC')).normalize('NFKC')
      );
    });
    expect(wrong.map((c) => c.charCodeAt(0).toString(16))).toEqual([]);
  });

  // The users table checks `email = lower(email)`: a stored form must be its own lower case.
  it('gives forms that lower-casing leaves alone', () => {
    const changed = inputs.map(normalizeEmail).filter((x) => x.toLowerCase() !== x);
    expect(changed).toEqual([]);
  });
});
