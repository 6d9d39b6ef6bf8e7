import { describe, expect, it } from '@jest/globals';
import { hashRecoveryCode, newRecoveryCode, normalizeRecoveryCode } from './recovery-codes.js';

describe('recovery codes', () => {
  it('are XXXX-XXXX-XXXX-XXXX from an alphabet without look-alikes, all different', () => {
    const codes = Array.from({ length: 200 }, newRecoveryCode);
    for (const code of codes) expect(code).toMatch(/^[A-HJKMNP-Z2-9]{4}(-[A-HJKMNP-Z2-9]{4}){3}$/);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('match however they are typed (case, spaces, dashes), and nothing else', () => {
    const code = newRecoveryCode();
    const typed = ` ${code.toLowerCase().replace(/-/g, ' ')} `;
    expect(hashRecoveryCode(normalizeRecoveryCode(typed)!)).toBe(hashRecoveryCode(normalizeRecoveryCode(code)!));
    expect(normalizeRecoveryCode('123456')).toBeNull();
    expect(normalizeRecoveryCode('OOOO-OOOO-OOOO-OOOO')).toBeNull(); // O is not in the alphabet
  });
});
