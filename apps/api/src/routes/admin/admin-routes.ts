import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiDependencies } from '../../dependencies.js';
import { renderAdminLoginPage } from './admin-login-page.js';
import {
  type AdminRole,
  type AdminTokens,
  adminSessionSeconds,
  issueAdminSession,
  readAdminSession,
  roleOfToken,
} from './admin-session.js';

/** The full dashboard (ADMIN_TOKEN) and the read-only one (either token). */
export const adminBoardPaths = { admin: '/admin/queues', read: '/admin/queues-read-only' } as const;

export const adminSessionCookie = 'threadline_admin';

const cookieRefusedMessage =
  'Your browser did not keep the session cookie. It is sent only over HTTPS (or to localhost): ' +
  'open this page at its https:// address.';

/** Login attempts one address may make per minute. */
const loginAttemptsPerMinute = 10;

type AdminAccess = { role: AdminRole; via: 'bearer' | 'session' };

type Authentication = AdminAccess | 'basic' | null;

function pathOf(url: string): string {
  return url.split('?')[0] ?? '';
}

function isUnder(path: string, base: string): boolean {
  return path === base || path.startsWith(`${base}/`);
}

function cookieOf(request: FastifyRequest, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const separator = part.indexOf('=');
    if (separator > 0 && part.slice(0, separator).trim() === name) return part.slice(separator + 1).trim();
  }
  return undefined;
}

function sessionCookie(value: string, maxAgeSeconds: number): string {
  return `${adminSessionCookie}=${value}; Path=/admin; HttpOnly; Secure; SameSite=Strict; Max-Age=${maxAgeSeconds}`;
}

function authenticate(request: FastifyRequest, tokens: AdminTokens, now: Date): Authentication {
  const authorization = request.headers.authorization ?? '';
  if (/^basic\s/i.test(authorization)) return 'basic';
  const bearer = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization)?.[1];
  if (bearer) {
    const role = roleOfToken(bearer, tokens);
    return role ? { role, via: 'bearer' } : null;
  }
  const session = cookieOf(request, adminSessionCookie);
  const role = session ? readAdminSession(session, tokens, now) : null;
  return role ? { role, via: 'session' } : null;
}

/**
 * Whether a state-changing request may go on: a browser always sends `Origin` with one, and it must be
 * this server's own; a request without `Origin` is a script's and must carry the bearer token (a
 * session cookie alone never suffices, so a cross-site form or fetch cannot ride on it).
 */
function isFromThisOrigin(request: FastifyRequest, isBearer: boolean): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return isBearer;
  try {
    const url = new URL(origin);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.host === request.host;
  } catch {
    return false;
  }
}

function wantsPage(request: FastifyRequest): boolean {
  return request.method === 'GET' && (request.headers.accept ?? '').includes('text/html');
}

function refuse(reply: FastifyReply, status: 401 | 403, error: string, message: string) {
  return reply.code(status).header('cache-control', 'no-store').send({ error, message });
}

// Bull Board's `readOnlyMode` belongs to each queue adapter, not to a request, so the read-only view is
// a second board over the same queues with every adapter read-only.
async function mountBoard(
  app: FastifyInstance,
  deps: ApiDependencies,
  basePath: string,
  isReadOnly: boolean,
): Promise<void> {
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(basePath);
  createBullBoard({
    queues: Object.values(deps.queues.queues).map(
      (queue) => new BullMQAdapter(queue, { readOnlyMode: isReadOnly }),
    ),
    serverAdapter,
    options: {
      uiConfig: {
        boardTitle: isReadOnly ? 'Threadline (read-only)' : 'Threadline',
        miscLinks: [{ text: 'Log out', url: '/admin/logout' }],
      },
    },
  });
  await app.register(serverAdapter.registerPlugin(), { prefix: basePath });
}

/**
 * `/admin/*`: the login form, and the Bull Board dashboard behind it. The routes exist only when
 * ADMIN_TOKEN or ADMIN_READ_TOKEN is set. A browser logs in at `/admin/login` and gets an
 * `HttpOnly; Secure; SameSite=Strict` session cookie; scripts send `Authorization: Bearer <token>`.
 * HTTP Basic is refused: browsers cache it and attach it to cross-site requests.
 */
export async function adminRoutes(app: FastifyInstance, options: { deps: ApiDependencies }) {
  const { deps } = options;
  const tokens: AdminTokens = { admin: deps.config.adminToken, read: deps.config.adminReadToken };
  if (!tokens.admin && !tokens.read) return;

  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 4096 },
    (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(String(body)))),
  );

  app.addHook('onRequest', async (request, reply) => {
    reply.header('cache-control', 'no-store');
    // The route's own pattern: `/admin/login/` is the login route too (ignoreTrailingSlash).
    const path = request.routeOptions.url ?? pathOf(request.url);
    const access = authenticate(request, tokens, deps.now());
    const isStateChanging = request.method !== 'GET' && request.method !== 'HEAD';
    if (isStateChanging && !isFromThisOrigin(request, access !== 'basic' && access?.via === 'bearer')) {
      return refuse(
        reply,
        403,
        'cross_origin',
        'a state-changing admin request must come from this origin (Origin header), or from a script with the bearer token',
      );
    }
    if (path === '/admin/login' || path === '/admin/logout') return;
    if (access === 'basic') {
      return refuse(
        reply,
        401,
        'unauthorized',
        'HTTP Basic is not accepted: log in at /admin/login, or send Authorization: Bearer <ADMIN_TOKEN>',
      );
    }
    if (!access) {
      // Straight from a successful login, yet no cookie: the browser refused it (it is `Secure`).
      if (wantsPage(request) && request.url.endsWith('?login')) {
        return reply.redirect('/admin/login?cookie-refused', 303);
      }
      if (wantsPage(request)) return reply.redirect('/admin/login', 303);
      return refuse(
        reply,
        401,
        'unauthorized',
        'log in at /admin/login, or send Authorization: Bearer <ADMIN_TOKEN>',
      );
    }
    if (access.role === 'read') {
      if (isUnder(path, adminBoardPaths.admin)) {
        if (wantsPage(request)) return reply.redirect(adminBoardPaths.read, 303);
        return refuse(reply, 403, 'read_only', `ADMIN_READ_TOKEN sees only ${adminBoardPaths.read}`);
      }
      if (isStateChanging) return refuse(reply, 403, 'read_only', 'ADMIN_READ_TOKEN cannot change anything');
    }
  });

  const boardOf = (role: AdminRole) => adminBoardPaths[role];

  app.get('/admin', async (_request, reply) => reply.redirect('/admin/login', 303));

  app.get('/admin/login', async (request, reply) => {
    const session = cookieOf(request, adminSessionCookie);
    const role = session ? readAdminSession(session, tokens, deps.now()) : null;
    if (role) return reply.redirect(boardOf(role), 303);
    return reply.type('text/html; charset=utf-8').send(
      renderAdminLoginPage({
        isLoggedOut: request.url.endsWith('?logged-out'),
        ...(request.url.endsWith('?cookie-refused') ? { error: cookieRefusedMessage } : {}),
      }),
    );
  });

  app.post('/admin/login', async (request, reply) => {
    const limit = await deps.rateLimiter.hit(`admin-login:${request.ip}`, loginAttemptsPerMinute, 60_000);
    if (!limit.isAllowed) {
      return reply
        .code(429)
        .header('retry-after', String(Math.max(1, Math.ceil(limit.retryAfterMs / 1000))))
        .type('text/html; charset=utf-8')
        .send(renderAdminLoginPage({ error: 'Too many attempts from this address; wait a minute.' }));
    }
    const body = request.body as Record<string, unknown> | undefined;
    const token = typeof body?.token === 'string' ? body.token.trim() : '';
    const role = token ? roleOfToken(token, tokens) : null;
    if (!role) {
      return reply
        .code(401)
        .type('text/html; charset=utf-8')
        .send(renderAdminLoginPage({ error: 'That is neither ADMIN_TOKEN nor ADMIN_READ_TOKEN.' }));
    }
    request.log.info({ role }, 'admin logged in');
    return reply
      .header('set-cookie', sessionCookie(issueAdminSession(role, tokens, deps.now()), adminSessionSeconds))
      .redirect(`${boardOf(role)}?login`, 303);
  });

  const logout = async (_request: FastifyRequest, reply: FastifyReply) =>
    reply.header('set-cookie', sessionCookie('', 0)).redirect('/admin/login?logged-out', 303);
  app.get('/admin/logout', logout);
  app.post('/admin/logout', logout);

  if (tokens.admin) await mountBoard(app, deps, adminBoardPaths.admin, false);
  await mountBoard(app, deps, adminBoardPaths.read, true);
}
