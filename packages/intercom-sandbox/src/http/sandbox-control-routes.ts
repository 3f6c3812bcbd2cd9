import type { FastifyInstance, FastifyReply } from 'fastify';
import { canvasResponseProblems } from '../canvas/canvas-kit-schema.js';
import { canvasRequestBody, requestCanvas } from '../canvas/inbox-app-client.js';
import { renderCanvas } from '../page/render-canvas.js';
import { renderInboxFragments, renderSandboxPage } from '../page/render-sandbox-page.js';
import { plainTextToBody } from '../state/intercom-html-body.js';
import type { ConversationState } from '../state/sandbox-store.js';
import type { SandboxContact, SandboxConversation } from '../state/sandbox-types.js';
import {
  buildConversationNotification,
  buildDeletedConversationNotification,
  buildPingNotification,
  type ConversationTopic,
  type IntercomNotification,
} from '../webhooks/build-conversation-notification.js';
import { deliverSignedWebhook } from '../webhooks/deliver-signed-webhook.js';
import type { SandboxFault } from './fault-injector.js';
import type { SandboxContext } from './sandbox-context.js';
import { type SandboxPermission, sandboxPermissions } from './token-permissions.js';

interface WebhookTarget {
  url: string;
  clientSecret: string;
}

const webhookSchema = {
  type: 'object',
  required: ['url', 'clientSecret'],
  additionalProperties: false,
  properties: { url: { type: 'string', minLength: 1 }, clientSecret: { type: 'string', minLength: 1 } },
} as const;

const nullableString = { type: ['string', 'null'] } as const;

/**
 * Routes that drive the sandbox from tests and the start script (no Intercom token): create contacts and
 * conversations, simulate user replies with signed webhooks, inject faults, read what was received, reset.
 * Also the page at `/`, whose buttons close, snooze and reopen conversations.
 */
export async function sandboxControlRoutes(app: FastifyInstance, context: SandboxContext): Promise<void> {
  const { workspaces } = context;
  /** The workspace holding a conversation (the main one when none does). */
  const workspaceOfConversation = (conversationId: string) =>
    workspaces.ofConversation(conversationId) ?? workspaces.main;
  const storeOf = (conversationId: string) => workspaceOfConversation(conversationId).store;
  // The page's buttons send their webhooks where the conversation's own webhooks went.
  const webhookOf = new Map<string, WebhookTarget>();
  function notify(
    topic: ConversationTopic,
    conversation: SandboxConversation,
    contact: SandboxContact,
    webhook: WebhookTarget | undefined,
  ) {
    if (webhook) webhookOf.set(conversation.id, webhook);
    const target = webhook ?? webhookOf.get(conversation.id);
    if (!target) return Promise.resolve(undefined);
    const { appId } = workspaceOfConversation(conversation.id);
    return send(buildConversationNotification(topic, conversation, contact, appId), target);
  }
  async function send(notification: IntercomNotification, webhook: WebhookTarget) {
    try {
      return {
        notification_id: notification.id,
        ...(await deliverSignedWebhook({ ...webhook, notification })),
      };
    } catch (error) {
      return {
        notification_id: notification.id,
        error: error instanceof Error ? error.message : String(error),
      };
    }
  }

  // Checked before anything is created, so a refused request changes nothing.
  const refuseTarget = (webhook: WebhookTarget | undefined, reply: FastifyReply) =>
    webhook && !context.isAllowedWebhookUrl(webhook.url)
      ? reply.code(400).send({
          error: `webhook.url ${webhook.url} is not allowed: the sandbox sends webhooks only to the configured API (SANDBOX_WEBHOOK_URL, default any loopback URL)`,
        })
      : undefined;

  const pageConversations = () =>
    workspaces.all.flatMap(({ store }) =>
      store.allConversations().map((conversation) => ({
        conversation,
        contact: store.contact(conversation.contacts.contacts[0]?.id ?? ''),
      })),
    );
  app.get<{ Querystring: { conversation?: string } }>('/', async (request, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .send(renderSandboxPage(pageConversations(), request.query.conversation)),
  );
  // What the page polls to update itself without a reload.
  app.get<{ Querystring: { conversation?: string } }>('/_sandbox/inbox.json', async (request, reply) =>
    reply
      .header('cache-control', 'no-store')
      .send(renderInboxFragments(pageConversations(), request.query.conversation)),
  );

  /** The Inbox app beside a conversation: the API its webhooks went to serves the Canvas Kit URLs. */
  const inboxAppOf = (conversationId: string) => {
    const target = webhookOf.get(conversationId);
    return target
      ? { baseUrl: new URL('/intercom/canvas', target.url).href, clientSecret: target.clientSecret }
      : undefined;
  };
  /** The app's answer to `initialize` (the conversation opened) or `submit` (its Refresh), rendered. */
  async function canvasOf(
    kind: 'initialize' | 'submit',
    conversation: SandboxConversation,
    contact: SandboxContact | undefined,
  ) {
    const inboxApp = inboxAppOf(conversation.id);
    if (!inboxApp) return undefined;
    const { store, appId } = workspaceOfConversation(conversation.id);
    const body = canvasRequestBody(kind, conversation, contact, appId, {
      id: store.admin.id,
      name: store.admin.name ?? 'Sandbox Admin',
      email: store.admin.email ?? '',
    });
    const answer = await requestCanvas(inboxApp, kind, body);
    return renderCanvas(
      conversation.id,
      answer.ok
        ? { response: answer.response, problems: canvasResponseProblems(answer.response) }
        : { problems: [answer.message] },
    );
  }

  const contactOf = (conversation: SandboxConversation) =>
    storeOf(conversation.id).contact(conversation.contacts.contacts[0]?.id ?? '');
  // The apps column of the page loads this when a conversation is selected.
  app.get<{ Params: { id: string } }>('/_sandbox/conversations/:id/canvas', async (request, reply) => {
    const conversation = storeOf(request.params.id).conversation(request.params.id);
    const canvas = conversation
      ? await canvasOf('initialize', conversation, contactOf(conversation))
      : undefined;
    return reply
      .header('cache-control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(canvas ?? '<p class="empty">No Inbox app answers for this conversation.</p>');
  });

  // The canvas's Refresh button: a submit request to the app, as the Inbox sends it.
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_request, body, done) => done(null, body),
  );
  app.post<{ Params: { id: string } }>(
    '/_sandbox/conversations/:id/canvas/submit',
    async (request, reply) => {
      const conversation = storeOf(request.params.id).conversation(request.params.id);
      const canvas = conversation
        ? await canvasOf('submit', conversation, contactOf(conversation))
        : undefined;
      if (!conversation || canvas === undefined)
        return reply.code(404).send({ error: 'no Inbox app for this conversation' });
      // The page's script asks for the new canvas; a plain form post goes back to the page.
      if (request.headers['x-sandbox-fragment'] === '1')
        return reply.header('cache-control', 'no-store').type('text/html; charset=utf-8').send(canvas);
      return reply.redirect(`/?conversation=${encodeURIComponent(conversation.id)}`, 303);
    },
  );

  app.post<{
    Body: { external_id?: string | null; email?: string | null; name?: string };
    Querystring: { workspace?: string };
  }>(
    '/_sandbox/contacts',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { external_id: nullableString, email: nullableString, name: { type: 'string' } },
        },
      },
    },
    async (request, reply) => {
      const store = workspaces.byAppId(request.query.workspace)?.store;
      if (!store)
        return reply.code(404).send({ error: `no workspace with app id ${request.query.workspace}` });
      const externalId = request.body.external_id;
      if (externalId && store.findContactByExternalId(externalId)) {
        return reply.code(409).send({ error: `a contact with external_id ${externalId} already exists` });
      }
      return reply.code(201).send(store.createContact(request.body));
    },
  );

  app.post<{
    Body: {
      contact_id?: string;
      external_id?: string | null;
      email?: string | null;
      name?: string;
      body?: string;
      url?: string;
      webhook?: WebhookTarget;
    };
    Querystring: { workspace?: string };
  }>(
    '/_sandbox/conversations',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            contact_id: { type: 'string' },
            external_id: nullableString,
            email: nullableString,
            name: { type: 'string' },
            body: { type: 'string' },
            url: { type: 'string' },
            webhook: webhookSchema,
          },
        },
      },
    },
    async (request, reply) => {
      const input = request.body;
      const refused = refuseTarget(input.webhook, reply);
      if (refused) return refused;
      const store = workspaces.byAppId(request.query.workspace)?.store;
      if (!store)
        return reply.code(404).send({ error: `no workspace with app id ${request.query.workspace}` });
      let contact: SandboxContact | undefined;
      if (input.contact_id !== undefined) {
        contact = store.contact(input.contact_id);
        if (!contact) return reply.code(404).send({ error: `no contact with id ${input.contact_id}` });
      } else {
        contact =
          (input.external_id ? store.findContactByExternalId(input.external_id) : undefined) ??
          (input.email ? store.findContactByEmail(input.email) : undefined) ??
          store.createContact({
            external_id: input.external_id ?? null,
            email: input.email ?? null,
            ...(input.name === undefined ? {} : { name: input.name }),
          });
      }
      const conversation = store.createConversation({
        contactId: contact.id,
        ...(input.body === undefined ? {} : { body: input.body }),
        ...(input.url === undefined ? {} : { url: input.url }),
      });
      const webhook = await notify('conversation.user.created', conversation, contact, input.webhook);
      return reply.code(201).send({ conversation, contact, ...(webhook ? { webhook } : {}) });
    },
  );

  app.post<{ Params: { id: string }; Body: { body?: string; webhook?: WebhookTarget } }>(
    '/_sandbox/conversations/:id/user-replies',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { body: { type: 'string' }, webhook: webhookSchema },
        },
      },
    },
    async (request, reply) => {
      const refused = refuseTarget(request.body.webhook, reply);
      if (refused) return refused;
      const store = storeOf(request.params.id);
      const existing = store.conversation(request.params.id);
      const contact = store.contact(existing?.contacts.contacts[0]?.id ?? '');
      if (!existing || !contact)
        return reply.code(404).send({ error: `no conversation with id ${request.params.id}` });
      const part = store.addContactComment(
        existing.id,
        contact.id,
        plainTextToBody(request.body.body ?? 'Any news?'),
      );
      const conversation = store.conversation(existing.id)!;
      const webhook = await notify('conversation.user.replied', conversation, contact, request.body.webhook);
      return reply.code(201).send({ conversation, part, ...(webhook ? { webhook } : {}) });
    },
  );

  const stateTopics: Record<ConversationState, ConversationTopic> = {
    closed: 'conversation.admin.closed',
    snoozed: 'conversation.admin.snoozed',
    open: 'conversation.admin.opened',
  };
  app.post<{ Params: { id: string }; Body: { state: ConversationState; webhook?: WebhookTarget } }>(
    '/_sandbox/conversations/:id/state',
    {
      schema: {
        body: {
          type: 'object',
          required: ['state'],
          additionalProperties: false,
          properties: { state: { enum: ['open', 'closed', 'snoozed'] }, webhook: webhookSchema },
        },
      },
    },
    async (request, reply) => {
      const store = storeOf(request.params.id);
      const existing = store.conversation(request.params.id);
      const contact = store.contact(existing?.contacts.contacts[0]?.id ?? '');
      if (!existing || !contact)
        return reply.code(404).send({ error: `no conversation with id ${request.params.id}` });
      const part = store.setState(existing.id, request.body.state);
      if (!part) return reply.code(409).send({ error: `the conversation is already ${existing.state}` });
      const topic =
        part.part_type === 'unsnoozed' ? 'conversation.admin.unsnoozed' : stateTopics[request.body.state];
      const conversation = store.conversation(existing.id)!;
      const webhook = await notify(topic, conversation, contact, request.body.webhook);
      return reply.code(201).send({ conversation, part, topic, ...(webhook ? { webhook } : {}) });
    },
  );

  app.delete<{ Params: { id: string } }>('/_sandbox/conversations/:id', async (request, reply) => {
    const { store, appId } = workspaceOfConversation(request.params.id);
    if (!store.deleteConversation(request.params.id))
      return reply.code(404).send({ error: `no conversation with id ${request.params.id}` });
    const target = webhookOf.get(request.params.id);
    const notification = buildDeletedConversationNotification(request.params.id, appId);
    const webhook = target ? await send(notification, target) : undefined;
    return reply.code(200).send({ deleted: request.params.id, ...(webhook ? { webhook } : {}) });
  });

  app.get<{ Querystring: { workspace?: string } }>('/_sandbox/conversations', async (request, reply) => {
    const store = workspaces.byAppId(request.query.workspace)?.store;
    if (!store) return reply.code(404).send({ error: `no workspace with app id ${request.query.workspace}` });
    return { conversations: store.allConversations() };
  });

  app.get('/_sandbox/workspaces', async () => ({
    workspaces: workspaces.all.map((workspace) => ({
      app_id: workspace.appId,
      name: workspace.name,
      admin_id: workspace.store.admin.id,
    })),
  }));

  // An uninstall: the token (or every installed token of a workspace) answers 401 from now on.
  app.post<{ Body: { token?: string; app_id?: string } }>(
    '/_sandbox/tokens/revoke',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { token: { type: 'string', minLength: 1 }, app_id: { type: 'string', minLength: 1 } },
        },
      },
    },
    async (request, reply) => {
      const { token, app_id: appId } = request.body;
      if ((token === undefined) === (appId === undefined))
        return reply.code(400).send({ error: 'give either token or app_id' });
      const revoked = workspaces.revoke(token === undefined ? { appId: appId! } : { token });
      return reply.send({ revoked });
    },
  );

  // Lets a test see what a late callback meets: every code issued so far is expired.
  app.post('/_sandbox/oauth/expire-codes', async () => ({ expired: context.expireCodes() }));

  app.post<{ Body: SandboxFault }>(
    '/_sandbox/faults',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            status: { enum: [400, 429, 500, 502, 503, 504] },
            retryAfterSeconds: { type: 'integer', minimum: 0 },
            delayMs: { type: 'integer', minimum: 0 },
            applyEffect: { type: 'boolean' },
            count: { type: 'integer', minimum: 1 },
            method: { type: 'string' },
            pathPattern: { type: 'string' },
          },
        },
      },
    },
    async (request, reply) => {
      try {
        context.faults.inject(request.body);
      } catch (error) {
        return reply.code(400).send({ error: error instanceof Error ? error.message : String(error) });
      }
      return reply.code(201).send({ injected: request.body });
    },
  );

  app.get('/_sandbox/requests', async () => ({ requests: context.recordedRequests }));

  // What Intercom sends to check an endpoint: a signed `ping`.
  app.post<{ Body: { webhook: WebhookTarget }; Querystring: { workspace?: string } }>(
    '/_sandbox/ping',
    {
      schema: {
        body: {
          type: 'object',
          required: ['webhook'],
          additionalProperties: false,
          properties: { webhook: webhookSchema },
        },
      },
    },
    async (request, reply) => {
      const refused = refuseTarget(request.body.webhook, reply);
      if (refused) return refused;
      const workspace = workspaces.byAppId(request.query.workspace);
      if (!workspace)
        return reply.code(404).send({ error: `no workspace with app id ${request.query.workspace}` });
      return reply.send(await send(buildPingNotification(workspace.appId), request.body.webhook));
    },
  );

  // A token with only some permissions, to see what Threadline (and `threadline doctor --live`) does
  // when the app lacks one.
  app.post<{ Body: { token: string; permissions: SandboxPermission[] } }>(
    '/_sandbox/tokens',
    {
      schema: {
        body: {
          type: 'object',
          required: ['token', 'permissions'],
          additionalProperties: false,
          properties: {
            token: { type: 'string', minLength: 8 },
            permissions: { type: 'array', items: { type: 'string', enum: [...sandboxPermissions] } },
          },
        },
      },
    },
    async (request, reply) => {
      if (request.body.token === context.token)
        return reply.code(400).send({ error: 'that is the main token, which holds every permission' });
      context.permissions.grant(request.body.token, request.body.permissions);
      return reply.code(201).send({ token: request.body.token, permissions: request.body.permissions });
    },
  );

  app.delete('/_sandbox/state', async (_request, reply) => {
    context.reset();
    webhookOf.clear();
    return reply.code(204).send();
  });
}
