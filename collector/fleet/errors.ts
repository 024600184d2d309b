// Errors as data: every refusal carries an HTTP status, a stable code (also the metrics "reason" label) and a
// sentence that tells the caller what was wrong.
export class DomainError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    /** Extra machine-readable facts for the caller (e.g. the last accepted sequence). */
    readonly details?: Record<string, string | number>,
  ) {
    super(message);
  }
}

export const reject = (statusCode: number, code: string, message: string, details?: Record<string, string | number>) =>
  new DomainError(statusCode, code, message, details);
