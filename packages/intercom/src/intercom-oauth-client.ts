import type { CodeExchange, IntercomOAuth, WorkspaceIdentity } from '@threadline/core';

export interface IntercomOAuthClientOptions {
  /** INTERCOM_API_BASE_URL: where `POST /auth/eagle/token` and `GET /me` are asked. */
  apiBaseUrl: string;
  clientId: string;
  clientSecret: string;
  /** INTERCOM_TIMEOUT_MS: each call, connect to last byte. */
  timeoutMs: number;
  /** Default: the global fetch. */
  fetch?: typeof fetch;
}

type Answer = { kind: 'answered'; status: number; body: unknown } | { kind: 'unavailable' };

/**
 * Intercom's OAuth install calls over HTTP, each with its own time limit and no retry (a code is
 * single use: a retried exchange would be refused anyway). Errors carry no token, code or secret:
 * only the outcome leaves this module.
 */
export class IntercomOAuthClient implements IntercomOAuth {
  private readonly fetch: typeof fetch;

  constructor(private readonly options: IntercomOAuthClientOptions) {
    this.fetch = options.fetch ?? fetch;
  }

  async exchangeCode(code: string): Promise<CodeExchange> {
    const answer = await this.call('/auth/eagle/token', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({
        code,
        client_id: this.options.clientId,
        client_secret: this.options.clientSecret,
      }).toString(),
    });
    if (answer.kind === 'unavailable' || isUnavailable(answer.status)) return { kind: 'unavailable' };
    if (answer.status !== 200) return { kind: 'refused' };
    const body = answer.body as { access_token?: unknown; token?: unknown } | null;
    const token = body?.access_token ?? body?.token;
    return typeof token === 'string' && token !== ''
      ? { kind: 'token', accessToken: token }
      : { kind: 'unavailable' };
  }

  async identify(accessToken: string): Promise<WorkspaceIdentity> {
    const answer = await this.call('/me', {
      method: 'GET',
      headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
    });
    if (answer.kind === 'unavailable' || isUnavailable(answer.status)) return { kind: 'unavailable' };
    if (answer.status !== 200) return { kind: 'refused' };
    const me = answer.body as { id?: unknown; app?: { id_code?: unknown; region?: unknown } } | null;
    const appId = me?.app?.id_code;
    const adminId = me?.id;
    if (
      typeof appId !== 'string' ||
      appId === '' ||
      (typeof adminId !== 'string' && typeof adminId !== 'number')
    )
      return { kind: 'unavailable' };
    const region = typeof me?.app?.region === 'string' ? me.app.region : null;
    return { kind: 'identified', appId, adminId: String(adminId), region };
  }

  private async call(path: string, init: RequestInit): Promise<Answer> {
    try {
      const response = await this.fetch(`${this.options.apiBaseUrl}${path}`, {
        ...init,
        redirect: 'error',
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      const text = await response.text();
      let body: unknown = null;
      try {
        body = JSON.parse(text);
      } catch {
        body = null;
      }
      return { kind: 'answered', status: response.status, body };
    } catch {
      // A timeout, a refused connection or a reset: the cause may name the URL, never the secrets.
      return { kind: 'unavailable' };
    }
  }
}

function isUnavailable(status: number): boolean {
  return status === 429 || status >= 500;
}
