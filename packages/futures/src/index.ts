/**
 * @packageDocumentation
 * The public barrel of `@satyr/futures`.
 */
export {};
