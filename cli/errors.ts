/** A user-facing CLI failure: printed as one clear line, no stack trace. Exit 2 = bad usage, 1 = failed. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}
