/** A trigger the core cannot apply: the delivery is rejected (400) with this message, nothing written. */
export class TriggerError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'TriggerError';
  }
}
