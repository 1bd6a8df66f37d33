/**
 * A rule of the domain was broken. The code is one of the API's error codes (see @tally/contracts errors);
 * core cannot import contracts, so the edge maps DomainError to TallyError by code.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

/** Type guard for a domain refusal (instead of comparing `name` strings). */
export const isDomainError = (e: unknown): e is DomainError => e instanceof DomainError;
