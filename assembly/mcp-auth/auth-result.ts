// The outcome of authenticating a request, shared by the credential checks
// (authn.ts) and the verified-token cache.
import { Caller } from "./caller";

export enum AuthStatus {
  Ok = 0,
  /** No credentials at all: 401 with a bare challenge. */
  Missing = 1,
  /** Credentials present but not valid: 401 error="invalid_token" (or invalid_request). */
  Invalid = 2,
  /** The token names a key we do not have: refresh the JWKS, then try again. */
  UnknownKey = 3,
}

/** Read-only once made: a cached token hands the same result to every request that presents it. */
export class AuthResult {
  status: AuthStatus = AuthStatus.Ok;
  /** RFC 6750 error code for the challenge ("invalid_token", "invalid_request"). */
  error: string = "";
  reason: string = "";
  caller: Caller | null = null;
}

export function authFailure(status: AuthStatus, error: string, reason: string): AuthResult {
  const r = new AuthResult();
  r.status = status;
  r.error = error;
  r.reason = reason;
  return r;
}

export function authenticated(caller: Caller): AuthResult {
  const r = new AuthResult();
  r.caller = caller;
  return r;
}
