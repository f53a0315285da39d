/**
 * @packageDocumentation
 * The public barrel of `@satyr/binpack`.
 */
export {};
