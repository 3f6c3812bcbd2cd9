import { IntercomError, type IntercomPort } from '@threadline/core';
import { IntercomClient, IntercomError as SdkError } from 'intercom-client';
import { classifyIntercomError } from './classify-intercom-error.js';
import { type RateLimitHeaders, readRateLimitHeaders } from './rate-limit-headers.js';

export interface IntercomAdapterOptions {
  accessToken: string;
  baseUrl: string;
  /** The admin that authors notes; looked up with GET /me when unset. */
  adminId?: string | undefined;
  /** How long one call may take (INTERCOM_TIMEOUT_MS). Default 10,000. */
  timeoutMs?: number;
  /** The same in seconds (used when `timeoutMs` is unset). */
  timeoutSeconds?: number;
  /**
   * Told the `X-RateLimit-*` headers of every answer that carries them (errors included), so the
   * workspace's budget and coalescing can follow them. Must not throw.
   */
  onRateLimit?: (headers: RateLimitHeaders) => void;
}

interface PartLike {
  id?: string;
  part_type?: string;
  body?: string | null;
}

/**
 * Threadline's Intercom port over intercom-client. The SDK's own retries are off (`maxRetries: 0`):
 * a retried POST could write a note twice, so retrying is the job queue's business alone.
 */
export class IntercomAdapter implements IntercomPort {
  private readonly client: IntercomClient;
  private adminId: Promise<string> | undefined;
  private readonly onRateLimit: ((headers: RateLimitHeaders) => void) | undefined;

  constructor(options: IntercomAdapterOptions) {
    this.client = new IntercomClient({
      token: options.accessToken,
      baseUrl: options.baseUrl,
      timeoutInSeconds:
        options.timeoutMs === undefined ? (options.timeoutSeconds ?? 10) : options.timeoutMs / 1000,
      maxRetries: 0,
    });
    this.onRateLimit = options.onRateLimit;
    if (options.adminId) this.adminId = Promise.resolve(options.adminId);
  }

  /** The configured admin, or the token's own admin from GET /me (asked once). */
  async noteAuthorId(): Promise<string> {
    this.adminId ??= this.call(() => this.client.admins.identify())
      .then((me) => {
        if (!me?.id)
          throw new IntercomError('bad_request', 'GET /me returned no admin id; set INTERCOM_ADMIN_ID');
        return String(me.id);
      })
      .catch((error: unknown) => {
        this.adminId = undefined;
        throw error;
      });
    return this.adminId;
  }

  /** GET /me: the token's admin and its workspace (for `threadline doctor`; no port needs it). */
  async identifyToken(): Promise<{
    adminId: string;
    workspaceId: string | null;
    workspaceName: string | null;
  }> {
    const me = (await this.call(() => this.client.admins.identify())) as {
      id?: string | number;
      app?: { id_code?: string; name?: string } | null;
    } | null;
    if (!me?.id) throw new IntercomError('bad_request', 'GET /me returned no admin id');
    return {
      adminId: String(me.id),
      workspaceId: me.app?.id_code ?? null,
      workspaceName: me.app?.name ?? null,
    };
  }

  /** GET /admins/{id} (permission "Read admins"): the admin, or null when Intercom has none by that id. */
  async findAdmin(adminId: string): Promise<{ id: string; name: string | null } | null> {
    const numeric = Number(adminId);
    if (!Number.isSafeInteger(numeric)) return null;
    try {
      const admin = (await this.call(() => this.client.admins.find({ admin_id: numeric }))) as {
        id?: string | number;
        name?: string | null;
      };
      return { id: String(admin.id ?? adminId), name: admin.name ?? null };
    } catch (error) {
      if (error instanceof IntercomError && error.code === 'not_found') return null;
      throw error;
    }
  }

  async addNote(
    conversationId: string,
    note: { html: string; reference: string },
  ): Promise<{ partId: string }> {
    const adminId = await this.noteAuthorId();
    const conversation = await this.call(() =>
      this.client.conversations.reply({
        conversation_id: conversationId,
        body: { message_type: 'note', type: 'admin', admin_id: adminId, body: note.html },
      }),
    );
    const parts = (conversation.conversation_parts?.conversation_parts ?? []) as PartLike[];
    // The answer may list only the new part or the whole conversation: ours carries our reference.
    const ours = [...parts]
      .reverse()
      .find((part) => part.part_type === 'note' && part.body?.includes(note.reference));
    if (!ours?.id)
      throw new IntercomError('unavailable', 'Intercom accepted the note but returned no part id');
    return { partId: String(ours.id) };
  }

  async findNoteByReference(conversationId: string, reference: string): Promise<{ partId: string } | null> {
    const conversation = await this.call(() =>
      this.client.conversations.find({ conversation_id: conversationId }),
    );
    const parts = (conversation.conversation_parts?.conversation_parts ?? []) as PartLike[];
    const found = parts.find((part) => part.part_type === 'note' && part.body?.includes(reference));
    return found?.id ? { partId: String(found.id) } : null;
  }

  async findContact(contactId: string): Promise<{ externalId: string | null; email: string | null } | null> {
    try {
      const contact = await this.call(() => this.client.contacts.find({ contact_id: contactId }));
      const found = contact as { external_id?: string | null; email?: string | null };
      return { externalId: found.external_id ?? null, email: found.email ?? null };
    } catch (error) {
      if (error instanceof IntercomError && error.code === 'not_found') return null;
      throw error;
    }
  }

  async listNotes(conversationId: string): Promise<{ partId: string; html: string }[]> {
    const conversation = await this.call(() =>
      this.client.conversations.find({ conversation_id: conversationId }),
    );
    const parts = (conversation.conversation_parts?.conversation_parts ?? []) as PartLike[];
    return parts
      .filter((part) => part.part_type === 'note' && part.id)
      .map((part) => ({ partId: String(part.id), html: part.body ?? '' }));
  }

  async redactPart(conversationId: string, partId: string): Promise<'redacted' | 'not_redactable'> {
    try {
      await this.call(() =>
        this.client.conversations.redactConversationPart({
          type: 'conversation_part',
          conversation_id: conversationId,
          conversation_part_id: partId,
        }),
      );
      return 'redacted';
    } catch (error) {
      // Intercom answers a second redaction (or a part without a body) with 400 `conversation_part_not_redactable`.
      if (
        error instanceof IntercomError &&
        error.status === 400 &&
        error.message.includes('conversation_part_not_redactable')
      )
        return 'not_redactable';
      throw error;
    }
  }

  private async call<T>(
    request: () => Promise<T> & {
      withRawResponse(): Promise<{ data: T; rawResponse: { headers: Headers } }>;
    },
  ): Promise<T> {
    try {
      const { data, rawResponse } = await request().withRawResponse();
      this.report(rawResponse.headers);
      return data;
    } catch (error) {
      if (error instanceof SdkError) this.report(error.rawResponse?.headers);
      throw classifyIntercomError(error);
    }
  }

  private report(headers: unknown): void {
    if (!this.onRateLimit) return;
    const seen = readRateLimitHeaders(headers);
    if (seen) this.onRateLimit(seen);
  }
}
