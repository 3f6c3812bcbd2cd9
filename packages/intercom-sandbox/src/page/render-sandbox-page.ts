import { escapeHtml } from '../state/intercom-html-body.js';
import type { SandboxContact, SandboxConversation, SandboxPart } from '../state/sandbox-types.js';
import { sanitizeNoteHtml } from './sanitize-note-html.js';

/** One conversation as the page shows it. */
export interface PageConversation {
  conversation: SandboxConversation;
  contact: SandboxContact | undefined;
  /** The Inbox app's canvas for this conversation, as HTML (see `render-canvas.ts`), when there is one. */
  canvas?: string;
}

const style = `
body{font:14px/1.45 system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1f2328}
header{background:#1f2937;color:#fff;padding:12px 20px}header h1{margin:0;font-size:17px}
main{max-width:920px;margin:0 auto;padding:16px}
.conversation{background:#fff;border:1px solid #d0d7de;border-radius:8px;margin:0 0 16px;padding:12px 16px}
.conversation h2{font-size:15px;margin:0 0 8px}.meta{color:#57606a;font-size:12px}
.part{border-left:3px solid #f5c542;background:#fffbea;margin:8px 0;padding:6px 10px}
.part.comment{border-color:#5b8def;background:#eef4ff}
.part.redacted{border-color:#999;background:#eee;color:#666}
.badge{display:inline-block;background:#999;color:#fff;border-radius:4px;padding:0 6px;font-size:11px}
.state{display:inline-block;border-radius:4px;padding:0 8px;font-size:12px;font-weight:600;color:#fff;margin-left:8px}
.state.open{background:#1a7f37}.state.closed{background:#57606a}.state.snoozed{background:#9a6700}
.part.event{border-color:#8250df;background:#f6f0ff;color:#57606a;font-size:12px}
.actions{margin:6px 0}.actions button{margin-right:6px;font:inherit;font-size:12px;padding:2px 10px;cursor:pointer}
.empty{color:#57606a}`;

function time(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('T', ' ').replace('.000Z', 'Z');
}

const stateEvents: Record<string, string> = {
  close: 'Closed by',
  open: 'Reopened by',
  snoozed: 'Snoozed by',
  unsnoozed: 'Unsnoozed by',
};

function renderPart(part: SandboxPart): string {
  const event = stateEvents[part.part_type];
  if (event) {
    return `<div class="part event" data-part-id="${escapeHtml(part.id)}">${event} ${escapeHtml(part.author.name ?? part.author.id)} · ${escapeHtml(time(part.created_at))}</div>`;
  }
  const classes = ['part', part.part_type, part.redacted ? 'redacted' : ''].filter(Boolean).join(' ');
  const label = part.part_type === 'note' ? 'Note' : 'User reply';
  const badge = part.redacted ? ' <span class="badge">redacted</span>' : '';
  return `<div class="${classes}" data-part-id="${escapeHtml(part.id)}">
<div class="meta">${label} #${escapeHtml(part.id)} · ${escapeHtml(time(part.created_at))} · ${escapeHtml(part.author.name ?? part.author.id)}${badge}</div>
<div class="body">${sanitizeNoteHtml(part.body ?? '')}</div></div>`;
}

function renderConversation({ conversation, contact, canvas }: PageConversation): string {
  const who = contact
    ? `${escapeHtml(contact.name ?? '(no name)')} · external_id ${escapeHtml(contact.external_id ?? '(none)')}`
    : 'unknown contact';
  const parts = conversation.conversation_parts.conversation_parts;
  return `<section class="conversation" id="conversation-${escapeHtml(conversation.id)}">
<h2>Conversation ${escapeHtml(conversation.id)}<span class="state ${conversation.state}" data-state="${conversation.state}">${conversation.state}</span></h2>
<div class="meta">${who} · opened ${escapeHtml(time(conversation.created_at))}</div>
${renderActions(conversation)}
${canvas ?? ''}
<div class="part comment"><div class="body">${sanitizeNoteHtml(conversation.source.body)}</div></div>
${parts.length === 0 ? '<p class="empty">No notes yet.</p>' : parts.map(renderPart).join('\n')}
</section>`;
}

/** Buttons that act as an admin would in the Inbox; the signed webhook goes where this conversation's went. */
function renderActions(conversation: SandboxConversation): string {
  const id = escapeHtml(conversation.id);
  const buttons = [
    conversation.state !== 'closed'
      ? `<button data-state="closed" data-conversation="${id}">Close</button>`
      : '',
    conversation.state === 'open'
      ? `<button data-state="snoozed" data-conversation="${id}">Snooze</button>`
      : '',
    conversation.state !== 'open'
      ? `<button data-state="open" data-conversation="${id}">Reopen</button>`
      : '',
  ];
  return `<div class="actions">${buttons.join('')}</div>`;
}

const script = `
document.addEventListener('click', async (event) => {
  const button = event.target.closest('button[data-state]');
  if (!button) return;
  button.disabled = true;
  await fetch('/_sandbox/conversations/' + encodeURIComponent(button.dataset.conversation) + '/state', {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ state: button.dataset.state }),
  });
  location.reload();
});`;

/**
 * The page a person watches while Threadline writes notes: conversations newest first (give them
 * in that order), their contact, their state with Close / Snooze / Reopen buttons, and every part. Note bodies render as HTML (sanitised), everything else is
 * escaped. It reloads itself every 2 seconds.
 */
export function renderSandboxPage(conversations: PageConversation[]): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="refresh" content="2">
<title>Intercom sandbox — Threadline</title>
<style>${style}</style></head>
<body><header><h1>Intercom sandbox — Threadline</h1></header>
<main>
${conversations.length === 0 ? '<p class="empty">No conversations yet.</p>' : conversations.map(renderConversation).join('\n')}
</main><script>${script}</script></body></html>`;
}
