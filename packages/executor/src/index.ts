/**
 * @packageDocumentation
 * The public barrel of `@satyr/executor`.
 */
export {};
