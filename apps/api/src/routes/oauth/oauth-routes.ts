import { completeInstall, installStateTtlSeconds, startInstall, subscribedTopics } from '@threadline/core';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ApiDependencies } from '../../dependencies.js';
import { clearInstallCookie, installCookieOf, setInstallCookie } from './install-cookie.js';
import {
  type InstallProblem,
  installProblems,
  renderInstalled,
  renderInstallProblem,
  renderInstallStart,
} from './install-pages.js';

const keepsCookie = new Set(['missing_cookie', 'missing_state', 'unknown_state', 'wrong_browser']);

const queryText = { type: 'string', maxLength: 2048 } as const;

function sendPage(reply: FastifyReply, status: number, html: string): FastifyReply {
  return (
    reply
      .code(status)
      .type('text/html; charset=utf-8')
      // The page shows keys once; the URL carries a code: neither may be cached or sent on as a referrer.
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'no-referrer')
      .header('x-frame-options', 'DENY')
      .header(
        'content-security-policy',
        "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
      )
      .send(html)
  );
}

const problemPage = (reply: FastifyReply, problem: InstallProblem) =>
  sendPage(reply, problem.status, renderInstallProblem(problem));

/**
 * `GET /oauth/intercom/install` and `GET /oauth/intercom/callback`: the OAuth install of the Intercom app
 * into a workspace (docs/intercom.md, "Several workspaces"). Request logs carry the route pattern, never
 * the query (code, state); nothing here logs a token, code, state or key.
 */
export async function oauthRoutes(app: FastifyInstance, options: { deps: ApiDependencies }): Promise<void> {
  const { install } = options.deps;

  app.get('/oauth/intercom', async (_request, reply) =>
    install ? sendPage(reply, 200, renderInstallStart()) : problemPage(reply, installProblems.off),
  );

  app.get('/oauth/intercom/install', async (_request, reply) => {
    if (!install) return problemPage(reply, installProblems.off);
    const { state, browserBinding } = await startInstall({ states: install.states });
    const authorize = new URL(install.oauthUrl);
    authorize.searchParams.set('client_id', install.clientId);
    authorize.searchParams.set('state', state);
    authorize.searchParams.set('redirect_uri', `${install.publicUrl}/oauth/intercom/callback`);
    return reply
      .header('set-cookie', setInstallCookie(browserBinding, installStateTtlSeconds, install.publicUrl))
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'no-referrer')
      .redirect(authorize.href, 302);
  });

  app.get<{ Querystring: { code?: string; state?: string; error?: string } }>(
    '/oauth/intercom/callback',
    {
      schema: {
        querystring: { type: 'object', properties: { code: queryText, state: queryText, error: queryText } },
      },
    },
    async (request, reply) => {
      if (!install) return problemPage(reply, installProblems.off);
      const outcome = await completeInstall(
        {
          code: request.query.code,
          state: request.query.state,
          error: request.query.error,
          browserBinding: installCookieOf(request.headers.cookie),
        },
        {
          states: install.states,
          intercom: install.intercom,
          workspaces: install.workspaces,
          accessKeys: options.deps.accessKeys,
          apiBaseUrl: options.deps.config.intercom.apiBaseUrl,
          now: options.deps.now,
        },
      );
      // Only an outcome that spent this browser's own state clears its cookie: a forged or foreign link
      // must not cancel an install the browser has under way.
      if (!keepsCookie.has(outcome.kind)) reply.header('set-cookie', clearInstallCookie(install.publicUrl));
      switch (outcome.kind) {
        case 'installed':
          request.log.info(
            { productId: outcome.workspace.productId, isNew: outcome.keys !== null },
            'workspace installed',
          );
          return sendPage(
            reply,
            200,
            renderInstalled({
              workspace: outcome.workspace,
              keys: outcome.keys,
              publicUrl: install.publicUrl,
              topics: [...subscribedTopics],
            }),
          );
        case 'missing_cookie':
        case 'missing_state':
        case 'unknown_state':
        case 'wrong_browser':
        case 'denied':
        case 'missing_code':
        case 'code_refused':
        case 'intercom_unavailable':
          request.log.info({ outcome: outcome.kind }, 'workspace install refused');
          return problemPage(reply, installProblems[outcome.kind]);
        default:
          return outcome satisfies never;
      }
    },
  );
}
