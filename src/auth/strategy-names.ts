/** Passport strategy names, in one place (STYLE 4). The jwt and session strategies use the AuthMode values. */
export const LOCAL_STRATEGY = 'local';
