import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { renderAuthorizePage, renderOAuthProblemPage } from '../page/render-authorize-page.js';
import { intercomError } from './intercom-error.js';
import type { SandboxContext } from './sandbox-context.js';

/** The public app the sandbox's OAuth flow serves. */
export interface SandboxOAuthApp {
  clientId: string;
  clientSecret: string;
  /** How long an authorization code can be exchanged (ms). Default 5 minutes. */
  codeTtlMs: number;
}

interface PendingCode {
  appId: string;
  clientId: string;
  expiresAt: number;
}

type Fields = Record<string, string | undefined>;

function fieldsOf(body: unknown): Fields {
  if (typeof body === 'string') return Object.fromEntries(new URLSearchParams(body));
  if (body && typeof body === 'object') {
    return Object.fromEntries(
      Object.entries(body as Record<string, unknown>).map(([name, value]) => [
        name,
        typeof value === 'string' ? value : undefined,
      ]),
    );
  }
  return {};
}

function isWebUrl(value: string | undefined): value is string {
  if (!value || !URL.canParse(value)) return false;
  const protocol = new URL(value).protocol;
  return protocol === 'https:' || protocol === 'http:';
}

/**
 * Intercom's OAuth install, as a public app sees it: the authorize page at `/oauth` (pick a workspace,
 * Approve or Deny; back to `redirect_uri` with `code` and `state`, or `error=access_denied`), and
 * `POST /auth/eagle/token` exchanging a code (single use, minutes) for that workspace's own token. No
 * bearer token here: these routes sit outside the API routes' authentication.
 */
export async function oauthRoutes(
  app: FastifyInstance,
  context: SandboxContext,
  oauth: SandboxOAuthApp,
): Promise<void> {
  const codes = new Map<string, PendingCode>();
  context.onReset(() => codes.clear());
  context.expireCodes = () => {
    for (const pending of codes.values()) pending.expiresAt = 0;
    return codes.size;
  };

  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_request, body, done) => done(null, body),
  );

  const problem = (reply: FastifyReply, status: number, message: string) =>
    reply.code(status).type('text/html; charset=utf-8').send(renderOAuthProblemPage(message));

  app.get<{ Querystring: Fields }>('/oauth', async (request, reply) => {
    const { client_id: clientId, state, redirect_uri: redirectUri } = request.query;
    if (clientId !== oauth.clientId) return problem(reply, 400, 'This app is not known (client_id).');
    if (!isWebUrl(redirectUri))
      return problem(reply, 400, 'The redirect_uri is missing or not a web address.');
    return reply
      .header('cache-control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(
        renderAuthorizePage({
          clientId,
          state: state ?? '',
          redirectUri,
          workspaces: context.workspaces.all.map((workspace) => ({
            appId: workspace.appId,
            name: workspace.name,
          })),
        }),
      );
  });

  app.post('/oauth/decide', async (request, reply) => {
    const fields = fieldsOf(request.body);
    if (fields.client_id !== oauth.clientId) return problem(reply, 400, 'This app is not known (client_id).');
    const redirectUri = fields.redirect_uri;
    if (!isWebUrl(redirectUri))
      return problem(reply, 400, 'The redirect_uri is missing or not a web address.');
    const target = new URL(redirectUri);
    if (fields.state) target.searchParams.set('state', fields.state);
    if (fields.decision !== 'approve') {
      target.searchParams.set('error', 'access_denied');
      return reply.redirect(target.href, 302);
    }
    const workspace = context.workspaces.byAppId(fields.workspace);
    if (!workspace || !fields.workspace) return problem(reply, 400, 'Choose a workspace to install into.');
    const code = randomBytes(24).toString('base64url');
    codes.set(code, {
      appId: workspace.appId,
      clientId: oauth.clientId,
      expiresAt: Date.now() + oauth.codeTtlMs,
    });
    target.searchParams.set('code', code);
    return reply.redirect(target.href, 302);
  });

  app.post('/auth/eagle/token', async (request, reply) => {
    const fields = fieldsOf(request.body);
    if (fields.client_id !== oauth.clientId || fields.client_secret !== oauth.clientSecret) {
      return reply.code(401).send(intercomError('unauthorized', 'Invalid client_id or client_secret'));
    }
    const pending = fields.code === undefined ? undefined : codes.get(fields.code);
    // A code is single use: the first exchange removes it, valid or expired.
    if (fields.code !== undefined) codes.delete(fields.code);
    if (!pending || pending.clientId !== fields.client_id) {
      return reply.code(400).send(intercomError('invalid_grant', 'The code is unknown or was already used'));
    }
    if (pending.expiresAt <= Date.now()) {
      return reply.code(400).send(intercomError('invalid_grant', 'The code has expired'));
    }
    const workspace = context.workspaces.byAppId(pending.appId);
    if (!workspace) return reply.code(400).send(intercomError('invalid_grant', 'The workspace is gone'));
    const token = context.workspaces.issue(workspace);
    return reply
      .header('cache-control', 'no-store')
      .send({ token_type: 'Bearer', token, access_token: token });
  });
}
