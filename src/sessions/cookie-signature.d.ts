/** cookie-signature 1.2 (the signing express and express-session use); it ships no types. */
declare module 'cookie-signature' {
  export function sign(value: string, secret: string): string;
  export function unsign(signed: string, secret: string): string | false;
}
