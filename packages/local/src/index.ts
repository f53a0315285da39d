/**
 * @packageDocumentation
 * The public barrel of `@satyr/local`.
 */
export {};
