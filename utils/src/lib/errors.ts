/*
 * Errors a user can fix: the CLI prints the message (no stack) and exits 1.
 */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}
