export class MemberError extends Error {
  constructor(
    readonly code: 'member_not_found' | 'member_exists' | 'alias_taken' | 'member_erased' | 'member_suspended' | 'invalid_alias',
    message: string,
    readonly detail: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'MemberError';
  }
}
