// Types of openapi-document.mjs, for the TypeScript specs that import it.
export declare const OPENAPI_ENV: Record<string, string>;
export declare function stableDocument<T extends { paths?: object; components?: object }>(document: T): T;
export declare function openApiText(document: object): string;
