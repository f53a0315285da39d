/**
 * @packageDocumentation
 * The public barrel of `@satyr/multiprocessing`.
 */
export {};
