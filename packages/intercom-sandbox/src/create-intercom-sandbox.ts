import Fastify, { type FastifyInstance } from 'fastify';
import { FaultInjector, type SandboxFault } from './http/fault-injector.js';
import { intercomApiRoutes } from './http/intercom-api-routes.js';
import { intercomErrors } from './http/intercom-error.js';
import { RateLimitWindow } from './http/rate-limit-window.js';
import type { RecordedRequest, SandboxContext } from './http/sandbox-context.js';
import { sandboxControlRoutes } from './http/sandbox-control-routes.js';
import { type SandboxPermission, TokenPermissions } from './http/token-permissions.js';
import { webhookTargetPolicy } from './http/webhook-targets.js';
import { plainTextToBody } from './state/intercom-html-body.js';
import { SandboxStore } from './state/sandbox-store.js';
import type { SandboxContact, SandboxConversation, SandboxPart } from './state/sandbox-types.js';

/** How the sandbox workspace is set up. */
export interface IntercomSandboxOptions {
  /** The access token it accepts as `Authorization: Bearer <token>`, with every permission; others get 401. */
  token: string;
  /** More tokens, each with only the permissions given (a missing one answers 403, as Intercom does). */
  tokens?: { token: string; permissions: readonly SandboxPermission[] }[];
  /** Id of the admin returned by `GET /me`, valid as `admin_id` for notes. Default `'991267'`. */
  adminId?: string;
  /** Workspace app id, used in `/me` and in webhook notifications. Default `'abc12345'`. */
  appId?: string;
  /** Requests per 10-second window before 429. Default 1666 (about 10,000 a minute). */
  rateLimitPerWindow?: number;
  /** Fastify's logger. Default false. */
  logger?: boolean;
  /**
   * The only URLs the control routes send signed webhooks to (SANDBOX_WEBHOOK_URL). Default: any URL
   * on this machine's loopback.
   */
  webhookUrls?: readonly string[];
}

/** A running (or ready to listen) fake of Intercom's REST API, with direct access for tests. */
export interface IntercomSandbox {
  app: FastifyInstance;
  /** Starts listening (default 127.0.0.1, port 0 = a free port); resolves the base URL. */
  listen(options?: { port?: number; host?: string }): Promise<string>;
  /** The base URL after `listen`; throws before. */
  url(): string;
  /** Stops the server; calling it again is harmless. */
  close(): Promise<void>;
  /** Creates a contact (a user when it has an `external_id`, a lead otherwise). */
  createContact(input: { external_id?: string | null; email?: string | null; name?: string }): SandboxContact;
  /** Opens a conversation by the contact; `body` is the plain text they typed, `url` the page they were on. */
  createConversation(input: { contactId: string; body?: string; url?: string }): SandboxConversation;
  /** Adds a reply by the conversation's contact (no webhook), as many chatty users do. */
  addUserReply(conversationId: string, text: string): void;
  /** A copy of the conversation with all its parts. */
  conversation(id: string): SandboxConversation | undefined;
  /** Admin notes of the conversation in order, redacted ones included (flagged `redacted`). */
  notes(conversationId: string): (SandboxPart & { body: string })[];
  /** Adds a token that holds only `permissions` (Developer Hub labels). */
  grantToken(token: string, permissions: readonly SandboxPermission[]): void;
  /** Queues a fault for the next matching API request(s). */
  injectFault(fault: SandboxFault): void;
  /** Every API request seen so far. */
  requests(): RecordedRequest[];
  /** Forgets all state, faults, recorded requests and the rate-limit window. */
  reset(): void;
}

/** Builds the sandbox app (not listening yet): Intercom API routes, `/_sandbox/*` control routes and the page. */
export async function createIntercomSandbox(options: IntercomSandboxOptions): Promise<IntercomSandbox> {
  const adminId = options.adminId ?? '991267';
  const appId = options.appId ?? 'abc12345';
  const store = new SandboxStore(
    { type: 'admin', id: adminId, name: 'Sandbox Admin', email: 'admin@sandbox.threadline.invalid' },
    appId,
  );
  const faults = new FaultInjector();
  const rateLimit = new RateLimitWindow(options.rateLimitPerWindow ?? 1666);
  const recordedRequests: RecordedRequest[] = [];
  const shutdown = new AbortController();
  const permissions = new TokenPermissions(options.token);
  const grantConfiguredTokens = () => {
    for (const { token, permissions: granted } of options.tokens ?? []) permissions.grant(token, granted);
  };
  grantConfiguredTokens();
  const reset = (): void => {
    permissions.reset();
    grantConfiguredTokens();
    store.reset();
    faults.clear();
    rateLimit.reset();
    recordedRequests.length = 0;
  };
  const context: SandboxContext = {
    token: options.token,
    permissions,
    appId,
    store,
    faults,
    rateLimit,
    recordedRequests,
    isAllowedWebhookUrl: webhookTargetPolicy(options.webhookUrls),
    shutdownSignal: shutdown.signal,
    reset,
  };

  const app = Fastify({ logger: options.logger ?? false });
  app.setNotFoundHandler((_request, reply) => reply.code(404).send(intercomErrors.resourceNotFound()));
  await app.register(async (scope) => intercomApiRoutes(scope, context));
  await app.register(async (scope) => sandboxControlRoutes(scope, context));
  await app.ready();

  let baseUrl: string | undefined;
  let closing: Promise<void> | undefined;

  return {
    app,
    async listen(listenOptions = {}) {
      const address = await app.listen({
        port: listenOptions.port ?? 0,
        host: listenOptions.host ?? '127.0.0.1',
      });
      baseUrl = address;
      return address;
    },
    url() {
      if (baseUrl === undefined) throw new Error('the Intercom sandbox is not listening yet');
      return baseUrl;
    },
    close() {
      if (!closing) {
        // Release injected delays first so in-flight requests can finish and close does not wait on them.
        shutdown.abort();
        closing = app.close();
      }
      return closing;
    },
    createContact: (input) => store.createContact(input),
    createConversation: (input) => store.createConversation(input),
    addUserReply: (conversationId, text) => {
      const contactId = store.conversation(conversationId)?.contacts.contacts[0]?.id;
      if (contactId) store.addContactComment(conversationId, contactId, plainTextToBody(text));
    },
    conversation: (id) => store.conversation(id),
    notes: (conversationId) =>
      (store.conversation(conversationId)?.conversation_parts.conversation_parts ?? []).filter(
        (part): part is SandboxPart & { body: string } =>
          part.part_type === 'note' && part.author.type === 'admin' && part.body !== null,
      ),
    grantToken: (token, granted) => permissions.grant(token, granted),
    injectFault: (fault) => faults.inject(fault),
    requests: () => structuredClone(recordedRequests),
    reset,
  };
}
