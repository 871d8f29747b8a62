/**
 * Errors the local hub reports to a person as one line on stderr, with a
 * non-zero exit and no stack trace (start.ts). Anything else is a bug.
 */
export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartupError';
  }
}

/** Something under HUB_DATA_DIR cannot be read back. */
export class CorruptDataError extends StartupError {
  constructor(message: string) {
    super(`corrupt data dir: ${message}`);
    this.name = 'CorruptDataError';
  }
}
