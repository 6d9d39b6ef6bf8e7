/** Rounds of NFC + lower case; every single code point and letter + mark pair settles in two. */
const MAX_ROUNDS = 4;

/**
 * The one form in which an email is stored and compared: trimmed, then NFC and lower case
 * repeated until neither changes anything. One round is not enough: lower-casing can undo NFC
 * (`H` + U+0331 → `h` + U+0331, whose NFC is `ẖ`), and two spellings would be two accounts.
 */
export function normalizeEmail(email: string): string {
  let current = email.trim();
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const next = current.normalize('NFC').toLowerCase();
    if (next === current) return current;
    current = next;
  }
  return current;
}
