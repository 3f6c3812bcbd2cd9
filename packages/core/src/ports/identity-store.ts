/**
 * Emails the product told us its users have, for the opt-in email fallback of linking
 * (`LINK_BY_EMAIL`). Implementations store a keyed fingerprint of the email, never the email.
 */
export interface IdentityStore {
  rememberEmail(productId: string, email: string, userId: string): Promise<void>;
  userByEmail(productId: string, email: string): Promise<string | null>;
}
