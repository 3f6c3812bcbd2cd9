import Fastify, { type FastifyInstance } from 'fastify';
import { FaultInjector, type SandboxFault } from './http/fault-injector.js';
import { intercomApiRoutes } from './http/intercom-api-routes.js';
import { intercomErrors } from './http/intercom-error.js';
import { oauthRoutes, type SandboxOAuthApp } from './http/oauth-routes.js';
import type { RecordedRequest, SandboxContext } from './http/sandbox-context.js';
import { sandboxControlRoutes } from './http/sandbox-control-routes.js';
import { type SandboxWorkspaceOptions, SandboxWorkspaces } from './http/sandbox-workspaces.js';
import { type SandboxPermission, TokenPermissions } from './http/token-permissions.js';
import { webhookTargetPolicy } from './http/webhook-targets.js';
import { plainTextToBody } from './state/intercom-html-body.js';
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
   * More workspaces beside the main one (whose app id, admin and rate limit are the options above), each
   * with its own data, admin, app id and rate limit; OAuth installs into any of them. Default: none.
   */
  workspaces?: SandboxWorkspaceOptions[];
  /**
   * The public app of the OAuth flow (`/oauth`, `POST /auth/eagle/token`). Default client id
   * `sandbox-client-id`, secret `sandbox-client-secret`, codes valid 5 minutes.
   */
  oauth?: Partial<SandboxOAuthApp>;
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
  /** Creates a contact (a user when it has an `external_id`, a lead otherwise), in `workspace` (app id; default the main one). */
  createContact(input: {
    external_id?: string | null;
    email?: string | null;
    name?: string;
    workspace?: string;
  }): SandboxContact;
  /** Opens a conversation by the contact (in the contact's workspace); `body` is the plain text they typed, `url` the page they were on. */
  createConversation(input: { contactId: string; body?: string; url?: string }): SandboxConversation;
  /** Adds a reply by the conversation's contact (no webhook), as many chatty users do. */
  addUserReply(conversationId: string, text: string): void;
  /** A copy of the conversation with all its parts. */
  conversation(id: string): SandboxConversation | undefined;
  /** Admin notes of the conversation in order, redacted ones included (flagged `redacted`). */
  notes(conversationId: string): (SandboxPart & { body: string })[];
  /** Adds a token of the main workspace that holds only `permissions` (Developer Hub labels). */
  grantToken(token: string, permissions: readonly SandboxPermission[]): void;
  /** Every workspace: app id, name, admin id (the main one first). */
  workspaces(): { appId: string; name: string; adminId: string }[];
  /** Every token issued by the OAuth flow, with its workspace's app id (tests look for them in Redis). */
  issuedTokens(): { token: string; appId: string }[];
  /** Revokes a token, or every installed token of a workspace (an uninstall): their calls get 401. */
  revokeTokens(target: { token: string } | { appId: string }): number;
  /** Queues a fault for the next matching API request(s). */
  injectFault(fault: SandboxFault): void;
  /** Every API request seen so far. */
  requests(): RecordedRequest[];
  /** Forgets all state, faults, recorded requests and the rate-limit window. */
  reset(): void;
}

/** Builds the sandbox app (not listening yet): Intercom API routes, `/_sandbox/*` control routes and the page. */
export async function createIntercomSandbox(options: IntercomSandboxOptions): Promise<IntercomSandbox> {
  const appId = options.appId ?? 'abc12345';
  const faults = new FaultInjector();
  const recordedRequests: RecordedRequest[] = [];
  const shutdown = new AbortController();
  const permissions = new TokenPermissions(options.token);
  const fallbackLimit = options.rateLimitPerWindow ?? 1666;
  const workspaces = new SandboxWorkspaces(
    [
      {
        appId,
        adminId: options.adminId ?? '991267',
        name: 'Threadline sandbox',
        rateLimitPerWindow: fallbackLimit,
      },
      ...(options.workspaces ?? []),
    ],
    permissions,
    fallbackLimit,
  );
  const { store, rateLimit } = workspaces.main;
  const oauth: SandboxOAuthApp = {
    clientId: options.oauth?.clientId ?? 'sandbox-client-id',
    clientSecret: options.oauth?.clientSecret ?? 'sandbox-client-secret',
    codeTtlMs: options.oauth?.codeTtlMs ?? 5 * 60_000,
  };
  const forgetters: (() => void)[] = [];
  const grantConfiguredTokens = () => {
    for (const { token, permissions: granted } of options.tokens ?? []) permissions.grant(token, granted);
  };
  grantConfiguredTokens();
  const reset = (): void => {
    permissions.reset();
    grantConfiguredTokens();
    workspaces.reset();
    faults.clear();
    recordedRequests.length = 0;
    for (const forget of forgetters) forget();
  };
  const context: SandboxContext = {
    token: options.token,
    workspaces,
    permissions,
    appId,
    store,
    faults,
    rateLimit,
    recordedRequests,
    isAllowedWebhookUrl: webhookTargetPolicy(options.webhookUrls),
    shutdownSignal: shutdown.signal,
    reset,
    onReset: (forget) => forgetters.push(forget),
    expireCodes: () => 0,
  };

  const app = Fastify({ logger: options.logger ?? false });
  app.setNotFoundHandler((_request, reply) => reply.code(404).send(intercomErrors.resourceNotFound()));
  await app.register(async (scope) => intercomApiRoutes(scope, context));
  await app.register(async (scope) => sandboxControlRoutes(scope, context));
  await app.register(async (scope) => oauthRoutes(scope, context, oauth));
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
    createContact: ({ workspace, ...input }) => {
      const target = workspaces.byAppId(workspace);
      if (!target) throw new Error(`no sandbox workspace with app id ${workspace}`);
      return target.store.createContact(input);
    },
    createConversation: (input) => {
      const target = workspaces.all.find((each) => each.store.contact(input.contactId)) ?? workspaces.main;
      return target.store.createConversation(input);
    },
    addUserReply: (conversationId, text) => {
      const target = workspaces.ofConversation(conversationId)?.store ?? store;
      const contactId = target.conversation(conversationId)?.contacts.contacts[0]?.id;
      if (contactId) target.addContactComment(conversationId, contactId, plainTextToBody(text));
    },
    conversation: (id) => (workspaces.ofConversation(id)?.store ?? store).conversation(id),
    notes: (conversationId) =>
      (
        (workspaces.ofConversation(conversationId)?.store ?? store).conversation(conversationId)
          ?.conversation_parts.conversation_parts ?? []
      ).filter(
        (part): part is SandboxPart & { body: string } =>
          part.part_type === 'note' && part.author.type === 'admin' && part.body !== null,
      ),
    grantToken: (token, granted) => permissions.grant(token, granted),
    workspaces: () =>
      workspaces.all.map((workspace) => ({
        appId: workspace.appId,
        name: workspace.name,
        adminId: workspace.store.admin.id,
      })),
    revokeTokens: (target) => workspaces.revoke(target),
    issuedTokens: () => workspaces.issuedTokens(),
    injectFault: (fault) => faults.inject(fault),
    requests: () => structuredClone(recordedRequests),
    reset,
  };
}
