import { describe, expect, it } from '@jest/globals';
import { SecretBox } from './secret-box.js';

describe('SecretBox (AES-256-GCM, key by HKDF from the service secret)', () => {
  const box = new SecretBox('a-service-secret-of-at-least-32-characters');

  it('opens what it sealed, and the sealed form does not contain the plaintext', () => {
    const sealed = box.seal('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', 'user-1');
    expect(sealed).not.toContain('JBSWY3DP');
    expect(box.open(sealed, 'user-1')).toBe('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP');
    expect(box.seal('same', 'user-1')).not.toBe(box.seal('same', 'user-1')); // a fresh IV each time
  });

  it('refuses a value moved to another user, tampered with, or sealed under another secret', () => {
    const sealed = box.seal('JBSWY3DPEHPK3PXP', 'user-1');
    expect(() => box.open(sealed, 'user-2')).toThrow();
    const [v, iv, tag, ciphertext] = sealed.split('.');
    const flipped = Buffer.from(ciphertext!, 'base64url');
    flipped[0] = flipped[0]! ^ 1;
    expect(() => box.open([v, iv, tag, flipped.toString('base64url')].join('.'), 'user-1')).toThrow();
    expect(() => new SecretBox('another-service-secret-of-32-characters!').open(sealed, 'user-1')).toThrow();
  });
});
