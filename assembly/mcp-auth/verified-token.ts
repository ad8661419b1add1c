// A token whose signature checked out, with everything it decides apart from
// the clock worked out once: issuer, audience, subject, scopes, the caller.
// Only exp and nbf are checked per request, so a cached token decides exactly
// what a freshly verified one would.
import { AuthResult, AuthStatus, authenticated, authFailure } from "./auth-result";
import { Caller } from "./caller";
import { identityProblem, JwtChecks, Token, tokenScopes, ValidityWindow } from "./jwt";

export class VerifiedToken {
  window: ValidityWindow;
  /** Ok with its caller, or the claims' refusal. */
  result: AuthResult;

  constructor(t: Token, checks: JwtChecks) {
    this.window = ValidityWindow.of(t);
    this.result = judgeClaims(t, checks);
  }

  /** The result at `nowSeconds`: the clock's verdict first, as claim checks go (exp, nbf, iss, aud, sub). */
  decide(checks: JwtChecks, nowSeconds: i64): AuthResult {
    const p = this.window.problem(checks, nowSeconds);
    return p.length > 0 ? authFailure(AuthStatus.Invalid, "invalid_token", p) : this.result;
  }
}

function judgeClaims(t: Token, checks: JwtChecks): AuthResult {
  const problem = identityProblem(t, checks);
  if (problem.length > 0) return authFailure(AuthStatus.Invalid, "invalid_token", problem);
  let sub = t.claimText("sub");
  if (sub === null || sub.length == 0) sub = t.claimText("client_id");
  if (sub === null || sub.length == 0) return authFailure(AuthStatus.Invalid, "invalid_token", "token has no sub or client_id");
  const caller = new Caller();
  caller.subject = sub;
  caller.via = "jwt";
  caller.scopes = tokenScopes(t);
  caller.token = t;
  return authenticated(caller);
}
