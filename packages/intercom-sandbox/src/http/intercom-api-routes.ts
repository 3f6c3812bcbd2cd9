import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { checkAgainstSpec } from '../spec/spec-validator.js';
import type { MultipleFilter, SingleFilter } from '../state/contact-search.js';
import { searchContacts } from '../state/contact-search.js';
import { bodyToPlainText, normaliseReplyBody } from '../state/intercom-html-body.js';
import { type RedactOutcome, type SandboxStore, withReturnedParts } from '../state/sandbox-store.js';
import type { SandboxConversation } from '../state/sandbox-types.js';
import type { ActiveFault } from './fault-injector.js';
import { intercomError, intercomErrors } from './intercom-error.js';
import type { RateLimitStatus } from './rate-limit-window.js';
import type { SandboxContext } from './sandbox-context.js';
import type { SandboxWorkspace } from './sandbox-workspaces.js';
import { requiredPermission } from './token-permissions.js';

type Json = Record<string, unknown>;

function setRateLimitHeaders(reply: FastifyReply, status: RateLimitStatus): void {
  reply.header('X-RateLimit-Limit', status.limit);
  reply.header('X-RateLimit-Remaining', status.remaining);
  reply.header('X-RateLimit-Reset', status.resetAt);
}

function pathOf(request: FastifyRequest): string {
  return request.url.split('?')[0] ?? request.url;
}

async function pause(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0) return;
  await sleep(ms, undefined, { signal }).catch(() => undefined);
}

/** Answers 400 with the spec violation, or returns the body typed as an object when it satisfies the schema. */
function specBody(schemaName: string, request: FastifyRequest, reply: FastifyReply): Json | undefined {
  const check = checkAgainstSpec(schemaName, request.body ?? {});
  if (check.valid) return request.body as Json;
  void reply.code(400).send(intercomError(check.violation.code, check.violation.message));
  return undefined;
}

function asPlainText(conversation: SandboxConversation): SandboxConversation {
  conversation.source.body = bodyToPlainText(conversation.source.body);
  conversation.source.subject = bodyToPlainText(conversation.source.subject);
  for (const part of conversation.conversation_parts.conversation_parts)
    if (part.body !== null) part.body = bodyToPlainText(part.body);
  return conversation;
}

/**
 * The Intercom REST API calls Threadline makes, answered from the sandbox store as the vendored OpenAPI
 * description (v2.16) specifies. Every request is authenticated, rate limited, open to injected faults
 * and recorded; hooks here apply to these routes only.
 */
export async function intercomApiRoutes(app: FastifyInstance, context: SandboxContext): Promise<void> {
  // Intercom answers a conversation with its 500 most recent parts only (the spec's "Hard limit").
  const returned = (store: SandboxStore, conversationId: string) => {
    const conversation = store.conversation(conversationId);
    return conversation && withReturnedParts(conversation);
  };
  const activeFaults = new WeakMap<FastifyRequest, ActiveFault>();
  // Each request acts on the workspace of its token, and only on it.
  const owners = new WeakMap<FastifyRequest, SandboxWorkspace>();
  const workspaceOf = (request: FastifyRequest): SandboxWorkspace =>
    owners.get(request) ?? context.workspaces.main;

  app.setErrorHandler((error: { statusCode?: number; message: string }, _request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500)
      return reply.code(status).send(intercomError('parameter_invalid', error.message));
    return reply.code(500).send(intercomError('server_error', 'Server Error'));
  });

  app.addHook('onRequest', async (request, reply) => {
    const authorization = request.headers.authorization ?? '';
    const owner = authorization.startsWith('Bearer ')
      ? context.workspaces.ownerOf(authorization.slice('Bearer '.length))
      : undefined;
    if (!owner) {
      setRateLimitHeaders(reply, context.rateLimit.peek());
      return reply.code(401).send(intercomErrors.unauthorized());
    }
    owners.set(request, owner.workspace);
    const needed = requiredPermission(request.method, request.routeOptions.url);
    if (needed && !owner.permissions.includes(needed)) {
      setRateLimitHeaders(reply, owner.workspace.rateLimit.peek());
      return reply.code(403).send(intercomErrors.missingPermission(needed));
    }
    const status = owner.workspace.rateLimit.consume();
    setRateLimitHeaders(reply, status);
    if (!status.isAllowed) {
      reply.header('Retry-After', status.retryAfterSeconds);
      return reply.code(429).send(intercomErrors.rateLimited(status.limit));
    }
  });

  app.addHook('preHandler', async (request, reply) => {
    const fault = context.faults.take(request.method, pathOf(request));
    if (!fault) return;
    if (fault.isEffectApplied) {
      activeFaults.set(request, fault);
      return;
    }
    await pause(fault.delayMs, context.shutdownSignal);
    if (fault.status === undefined) return;
    if (fault.status === 429) playRateLimitFault(request, reply, fault);
    return reply.code(fault.status).send(faultBody(fault, workspaceOf(request)));
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const fault = activeFaults.get(request);
    if (!fault) return payload;
    activeFaults.delete(request);
    await pause(fault.delayMs, context.shutdownSignal);
    if (fault.status === undefined) return payload;
    if (fault.status === 429) playRateLimitFault(request, reply, fault);
    reply.code(fault.status);
    return JSON.stringify(faultBody(fault, workspaceOf(request)));
  });

  app.addHook('onResponse', async (request, reply) => {
    context.recordedRequests.push({
      method: request.method,
      path: pathOf(request),
      query: { ...(request.query as Json) },
      status: reply.statusCode,
      body: request.body ?? null,
      at: Date.now(),
    });
  });

  function playRateLimitFault(request: FastifyRequest, reply: FastifyReply, fault: ActiveFault): void {
    const status = workspaceOf(request).rateLimit.peek();
    reply.header('X-RateLimit-Remaining', 0);
    reply.header('Retry-After', fault.retryAfterSeconds ?? status.retryAfterSeconds);
  }

  app.get('/me', async (request) => {
    const { store, appId, name } = workspaceOf(request);
    return {
      type: 'admin',
      id: store.admin.id,
      email: store.admin.email,
      name: store.admin.name,
      email_verified: true,
      app: {
        type: 'app',
        id_code: appId,
        name,
        created_at: 1734537243,
        secure: false,
        identity_verification: false,
        timezone: 'Etc/UTC',
        region: 'US',
      },
      avatar: { type: 'avatar', image_url: null },
      has_inbox_seat: true,
    };
  });

  app.get<{ Params: { admin_id: string } }>('/admins/:admin_id', async (request, reply) => {
    const { store } = workspaceOf(request);
    if (request.params.admin_id !== store.admin.id)
      return reply.code(404).send(intercomErrors.adminNotFound());
    return {
      type: 'admin',
      id: store.admin.id,
      name: store.admin.name,
      email: store.admin.email,
      away_mode_enabled: false,
      away_mode_reassign: false,
      has_inbox_seat: true,
      team_ids: [],
    };
  });

  app.post<{ Params: { conversation_id: string } }>(
    '/conversations/:conversation_id/reply',
    async (request, reply) => {
      const { store } = workspaceOf(request);
      const body = specBody('reply_conversation_request', request, reply);
      if (!body) return reply;
      const messageType = body.message_type as string;
      const text = typeof body.body === 'string' ? body.body : undefined;
      const createdAt = typeof body.created_at === 'number' ? body.created_at : undefined;
      if (messageType === 'quick_reply') {
        return reply
          .code(400)
          .send(intercomError('parameter_invalid', 'quick_reply is not supported by the sandbox'));
      }
      if (text === undefined || text.trim() === '') {
        return reply
          .code(400)
          .send(intercomError('parameter_not_found', `body is required for ${messageType} replies`));
      }

      if (body.type === 'admin') {
        const conversation = store.conversation(request.params.conversation_id);
        if (!conversation) return reply.code(404).send(intercomErrors.resourceNotFound());
        // The spec's only not-found answer for this operation covers an unknown admin too.
        if (body.admin_id !== store.admin.id) return reply.code(404).send(intercomErrors.resourceNotFound());
        store.addAdminPart(
          conversation.id,
          messageType === 'note' ? 'note' : 'comment',
          normaliseReplyBody(text),
          createdAt,
        );
        return returned(store, conversation.id);
      }

      const contact =
        typeof body.intercom_user_id === 'string'
          ? store.contact(body.intercom_user_id)
          : typeof body.user_id === 'string'
            ? store.findContactByExternalId(body.user_id)
            : store.findContactByEmail(String(body.email));
      if (!contact) return reply.code(404).send(intercomErrors.userNotFound());
      const conversationId = request.params.conversation_id;
      const conversation =
        conversationId === 'last' ? store.lastConversationOf(contact.id) : store.conversation(conversationId);
      if (!conversation) return reply.code(404).send(intercomErrors.resourceNotFound());
      store.addContactComment(conversation.id, contact.id, normaliseReplyBody(text), createdAt);
      return returned(store, conversation.id);
    },
  );

  app.post('/conversations/redact', async (request, reply) => {
    const { store } = workspaceOf(request);
    const body = specBody('redact_conversation_request', request, reply);
    if (!body) return reply;
    const conversationId = body.conversation_id as string;
    const outcome: RedactOutcome =
      body.type === 'source'
        ? store.redactSource(conversationId, body.source_id as string)
        : store.redactPart(conversationId, body.conversation_part_id as string);
    switch (outcome) {
      case 'redacted':
        return returned(store, conversationId);
      case 'conversation_not_found':
      case 'part_not_found':
        return reply.code(404).send(intercomErrors.partOrMessageNotFound());
      case 'not_redactable':
        return reply.code(400).send(intercomErrors.partNotRedactable());
    }
  });

  app.get<{ Params: { conversation_id: string }; Querystring: { display_as?: string } }>(
    '/conversations/:conversation_id',
    async (request, reply) => {
      const { store } = workspaceOf(request);
      const found = store.conversation(request.params.conversation_id);
      if (!found) return reply.code(404).send(intercomErrors.resourceNotFound());
      const conversation = withReturnedParts(found);
      return request.query.display_as === 'plaintext' ? asPlainText(conversation) : conversation;
    },
  );

  app.get<{ Params: { contact_id: string } }>('/contacts/:contact_id', async (request, reply) => {
    const { store } = workspaceOf(request);
    const contact = store.contact(request.params.contact_id);
    return contact ?? reply.code(404).send(intercomErrors.userNotFound());
  });

  app.post('/contacts/search', async (request, reply) => {
    const { store } = workspaceOf(request);
    const body = specBody('contact_search_request', request, reply);
    if (!body) return reply;
    const result = searchContacts(store.allContacts(), body.query as SingleFilter | MultipleFilter);
    if (!result.ok) return reply.code(400).send(intercomError('parameter_invalid', result.message));
    const pagination = (body.pagination ?? {}) as { per_page?: number; starting_after?: string | null };
    const perPage = Math.min(Math.max(pagination.per_page ?? 50, 1), 150);
    const offset = pagination.starting_after
      ? Number(Buffer.from(pagination.starting_after, 'base64url').toString())
      : 0;
    const start = Number.isInteger(offset) && offset > 0 ? offset : 0;
    const data = result.contacts.slice(start, start + perPage);
    const totalPages = Math.ceil(result.contacts.length / perPage);
    const hasMore = start + perPage < result.contacts.length;
    return {
      type: 'list',
      data,
      total_count: result.contacts.length,
      pages: {
        type: 'pages',
        page: Math.floor(start / perPage) + 1,
        per_page: perPage,
        total_pages: totalPages,
        ...(hasMore
          ? {
              next: {
                per_page: perPage,
                starting_after: Buffer.from(String(start + perPage)).toString('base64url'),
              },
            }
          : {}),
      },
    };
  });
}

function faultBody(fault: ActiveFault, workspace: SandboxWorkspace) {
  if (fault.status === 429) return intercomErrors.rateLimited(workspace.rateLimit.peek().limit);
  if (fault.status === 400)
    return intercomError('parameter_invalid', 'Injected fault: the request was refused');
  return intercomErrors.serverError(fault.status ?? 500);
}
