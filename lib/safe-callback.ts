const MAX_CALLBACK = 2048;

/**
 * Where to go after sign-in: `value` only if it is on Opsdeck's own origin, as its
 * path, query and hash; otherwise the overview. Parsed the way the browser will
 * parse it (tabs and newlines dropped, backslashes as slashes, userinfo split off),
 * so no spelling of another host survives; and never handed back starting with two
 * slashes, which the browser would read as another host.
 */
export function safeCallback(value: unknown, origin: string): string {
  if (typeof value !== "string" || value === "" || value.length > MAX_CALLBACK) return "/";
  let url: URL;
  try {
    url = new URL(value, origin);
  } catch {
    return "/";
  }
  if (url.origin !== new URL(origin).origin || url.username || url.password) return "/";
  return `${url.pathname.replace(/^[/\\]+/, "/")}${url.search}${url.hash}`;
}

// The sign-in box shows one of these, never text from the address bar (a link to
// /login?error=… would otherwise let anyone write in Opsdeck's voice).
const SIGN_IN_ERRORS = new Map<string, string>([
  ["OAuthSignin", "Could not reach the single sign-on provider."],
  ["OAuthCallback", "Single sign-on did not complete. Try again."],
  ["OAuthCreateAccount", "Single sign-on did not complete. Try again."],
  ["Callback", "Single sign-on did not complete. Try again."],
  ["AccessDenied", "Access denied."],
  ["SessionRequired", "Sign in to continue."],
  ["CredentialsSignin", "Invalid email or password."],
  ["OidcNoSubject", "The identity provider did not say who you are."],
  ["OidcEmailTaken", "An account with this email already signs in with a password."],
  ["OidcDisabled", "This account is disabled. Ask an admin to enable it."],
]);
const UNKNOWN_ERROR = "Sign-in failed. Try again.";

export function signInErrorMessage(code: string | undefined): string | undefined {
  if (!code) return undefined;
  return SIGN_IN_ERRORS.get(code) ?? UNKNOWN_ERROR;
}
