/**
 * @packageDocumentation
 * The public barrel of `@satyr/core`.
 */
export {};
