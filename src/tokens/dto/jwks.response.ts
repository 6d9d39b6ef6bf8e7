export class JwksResponse {
  /**
   * Public keys (current first, then retired ones still accepted). Empty with HS256.
   * @example [{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0","kid":"9s3lqB1tX0rD2cWm","alg":"ES256","use":"sig"}]
   */
  keys: object[];
}
