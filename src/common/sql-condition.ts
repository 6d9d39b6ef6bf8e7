/** Adds a value to the statement being built and answers its placeholder (`$3`). */
export type AddParameter = (value: unknown) => string;

/**
 * A boolean SQL expression that one module owns and another module's statement includes, so
 * that both happen in one statement (one round trip, one implicit transaction). The owner
 * writes the expression; every value goes through `parameter`, never into the text.
 */
export type SqlCondition = (parameter: AddParameter) => string;
