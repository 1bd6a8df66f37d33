// Types for the values global-setup.ts provides; tests read them with `inject('kafkaBrokers')`.
// A module (export {}) so that `declare module 'vitest'` augments instead of replacing.
export {};

declare module 'vitest' {
  export interface ProvidedContext {
    /** Empty when TALLY_SKIP_INFRA=1. */
    kafkaBrokers: string[];
    /** Empty string when TALLY_SKIP_INFRA=1. */
    mongoUrl: string;
  }
}
