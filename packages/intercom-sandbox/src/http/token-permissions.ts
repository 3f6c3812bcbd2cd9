/**
 * The permissions of an Intercom app, by the labels of the Developer Hub (your app → Configure →
 * Authentication; developers.intercom.com "OAuth Scopes"), limited to those the sandbox's routes need.
 */
export const sandboxPermissions = [
  'Read one user and one company',
  'Read and list users and companies',
  'Read conversations',
  'Write conversations',
  'Read admins',
] as const;

export type SandboxPermission = (typeof sandboxPermissions)[number];

/** Which permission each API route needs (`METHOD route-pattern`); GET /me needs none. */
const requiredPermissions: Record<string, SandboxPermission> = {
  'GET /contacts/:contact_id': 'Read one user and one company',
  'POST /contacts/search': 'Read and list users and companies',
  'GET /conversations/:conversation_id': 'Read conversations',
  'POST /conversations/:conversation_id/reply': 'Write conversations',
  'POST /conversations/redact': 'Write conversations',
  'GET /admins/:admin_id': 'Read admins',
};

export function requiredPermission(
  method: string,
  routePattern: string | undefined,
): SandboxPermission | undefined {
  return routePattern === undefined ? undefined : requiredPermissions[`${method} ${routePattern}`];
}

export function isSandboxPermission(value: unknown): value is SandboxPermission {
  return typeof value === 'string' && (sandboxPermissions as readonly string[]).includes(value);
}

/** The workspace's tokens: the main one holds every permission, others only what they were given. */
export class TokenPermissions {
  private readonly tokens = new Map<string, readonly SandboxPermission[]>();

  constructor(private readonly mainToken: string) {}

  /** The token's permissions, or undefined for a token the workspace does not know (401). */
  of(token: string): readonly SandboxPermission[] | undefined {
    if (token === this.mainToken) return sandboxPermissions;
    return this.tokens.get(token);
  }

  /** Adds (or replaces) a token that holds only `permissions`. */
  grant(token: string, permissions: readonly SandboxPermission[]): void {
    this.tokens.set(token, [...permissions]);
  }

  /** Forgets every token but the main one. */
  reset(): void {
    this.tokens.clear();
  }
}
