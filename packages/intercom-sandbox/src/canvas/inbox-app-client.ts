import { createHmac } from 'node:crypto';
import type { SandboxContact, SandboxConversation } from '../state/sandbox-types.js';

/** An Inbox app as the sandbox workspace has it installed: where its Canvas Kit URLs are, and the secret. */
export interface InboxApp {
  /** `…/intercom/canvas` (the sandbox adds `/initialize` and `/submit`). */
  baseUrl: string;
  clientSecret: string;
}

export type CanvasAnswer = { ok: true; response: unknown } | { ok: false; message: string };

/** The initialize or submit body Intercom sends for a conversation (shapes of the Canvas Kit reference). */
export function canvasRequestBody(
  kind: 'initialize' | 'submit',
  conversation: SandboxConversation,
  contact: SandboxContact | undefined,
  appId: string,
  admin: { id: string; name: string; email: string },
  currentCanvas?: unknown,
): Record<string, unknown> {
  const common = {
    workspace_id: appId,
    workspace_region: 'us',
    admin: {
      type: 'admin',
      ...admin,
      away_mode_enabled: false,
      away_mode_reassign: false,
      has_inbox_seat: true,
    },
    context: { conversation_id: Number(conversation.id), location: 'conversation', locale: 'en' },
    conversation,
    contact: contact ?? null,
  };
  return kind === 'initialize'
    ? { ...common, card_creation_options: {} }
    : {
        ...common,
        component_id: 'threadline-refresh',
        current_canvas: currentCanvas ?? {},
        input_values: {},
        user: contact ?? null,
      };
}

/** POSTs a Canvas Kit request signed as Intercom signs it (`X-Body-Signature`, hex HMAC-SHA256). */
export async function requestCanvas(
  app: InboxApp,
  kind: 'initialize' | 'submit',
  body: Record<string, unknown>,
  timeoutMs = 2000,
): Promise<CanvasAnswer> {
  const raw = JSON.stringify(body);
  try {
    const response = await fetch(`${app.baseUrl}/${kind}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-body-signature': createHmac('sha256', app.clientSecret).update(raw).digest('hex'),
      },
      body: raw,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    if (!response.ok)
      return { ok: false, message: `the app answered ${response.status}: ${text.slice(0, 200)}` };
    return { ok: true, response: JSON.parse(text) };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}
