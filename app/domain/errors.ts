/**
 * An error the user caused and can fix: a code for the API, a message key for the UI (both
 * languages), optional parameters and the form field it belongs to.
 */
export class UserError extends Error {
  constructor(
    readonly key: string,
    readonly options: { params?: Record<string, string | number>; field?: string; status?: number } = {},
  ) {
    super(key);
    this.name = "UserError";
  }
  get status(): number {
    return this.options.status ?? 400;
  }
}
