import { RingbusError } from '@ringbus/errors';

/** Where a request went wrong, for `details` (WebTrit's error shape). */
export interface ClientApiErrorDetails {
  readonly path?: string;
  /** Required by the Flutter app whenever `details` is there. */
  readonly reason: string;
}

/**
 * An answer of the REST API that is not a success: a stable snake_case `code` (WebTrit's where one
 * exists), the HTTP status it goes out with, and a message a person can act on.
 */
export class ClientApiError extends RingbusError<string> {
  constructor(
    readonly code: string,
    readonly httpStatus: number,
    message: string,
    readonly retryable = false,
    readonly extra: {
      readonly details?: ClientApiErrorDetails;
      readonly retryAfterSeconds?: number;
      readonly cause?: unknown;
    } = {},
  ) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
  }
}

export const apiErrors = {
  authorizationHeaderMissing: () =>
    new ClientApiError(
      'authorization_header_missing',
      401,
      'send the session token as `Authorization: Bearer <token>`',
    ),
  bearerCredentialsMissing: () =>
    new ClientApiError(
      'bearer_credentials_missing',
      401,
      'the Authorization header must be `Bearer <token>`',
    ),
  tokenInvalid: () =>
    new ClientApiError('token_invalid', 401, 'the session token is not valid here: sign in again'),
  tokenExpired: () => new ClientApiError('token_expired', 401, 'the session expired: sign in again'),
  sessionMissing: () =>
    new ClientApiError('session_missing', 401, 'the session was ended (signed out): sign in again'),
  incorrectCredentials: () =>
    new ClientApiError('incorrect_credentials', 401, 'the login or the password is wrong'),
  signInLocked: (retryAfterSeconds: number) =>
    new ClientApiError(
      'signin_attempts_exceeded',
      429,
      'too many wrong passwords for this login: wait before trying again',
      true,
      { retryAfterSeconds },
    ),
  userBlocked: () => new ClientApiError('user_blocked', 403, 'this account is blocked: ask your provider'),
  userNotFound: () => new ClientApiError('user_not_found', 404, 'no subscriber data for this user'),
  contactNotFound: () => new ClientApiError('contact_not_found', 404, 'no such contact in your list'),
  pushTypeUnsupported: (type: string) =>
    new ClientApiError(
      'push_token_type_unsupported',
      422,
      `push tokens of type ${type} are not supported here`,
      false,
      {
        details: { path: 'type', reason: 'unsupported' },
      },
    ),
  pushTokenRejected: (reason: string) =>
    new ClientApiError('validation_error', 422, `the push token was refused: ${reason}`, false, {
      details: { path: 'value', reason },
    }),
  pushUnavailable: (cause: unknown) =>
    new ClientApiError(
      'push_unavailable',
      503,
      'push tokens cannot be registered right now: try again',
      true,
      {
        cause,
        retryAfterSeconds: 5,
      },
    ),
} as const;
