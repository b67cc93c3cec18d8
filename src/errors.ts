/** Typed errors, mapped to pages and RFC 9457 problem JSON by the one error handler. */
export type FieldErrors = Record<string, string>;

export class AppError extends Error {
  readonly status: number = 500;
  readonly title: string = 'Something went wrong';
}

export class NotFoundError extends AppError {
  override readonly status = 404;
  override readonly title = 'Page not found';
  constructor(message = 'Not found') {
    super(message);
  }
}

export class ValidationError extends AppError {
  override readonly status = 400;
  override readonly title = 'There is a problem';
  constructor(
    readonly fieldErrors: FieldErrors,
    message = 'The information you gave has problems',
  ) {
    super(message);
  }
}

export class ConflictError extends AppError {
  override readonly status = 409;
  override readonly title = 'This has changed';
}

export class ForbiddenError extends AppError {
  override readonly status = 403;
  override readonly title = 'You cannot do this';
}

export class UnauthenticatedError extends AppError {
  override readonly status = 401;
  override readonly title = 'Sign in required';
}
