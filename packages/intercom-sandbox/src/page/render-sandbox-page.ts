import { createHash } from 'node:crypto';
import { bodyToPlainText, escapeHtml } from '../state/intercom-html-body.js';
import type { SandboxContact, SandboxConversation, SandboxPart } from '../state/sandbox-types.js';
import { layOutNote } from './note-layout.js';
import { inboxScript } from './sandbox-page-script.js';
import { inboxStyle } from './sandbox-page-style.js';
import { sanitizeNoteHtml } from './sanitize-note-html.js';

/** One conversation as the page shows it. */
export interface PageConversation {
  conversation: SandboxConversation;
  contact: SandboxContact | undefined;
}

/** What the page's live update fetches (`/_sandbox/inbox.json`): rendered pieces and their version. */
export interface InboxFragments {
  /** Changes whenever anything shown changes; the page swaps the pieces only then. */
  version: string;
  selected: string | null;
  list: string;
  thread: string;
}

function clock(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(11, 19);
}

function dateTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('T', ' ').replace('.000Z', ' UTC');
}

/** A person's name, or what Intercom's inbox would fall back to. */
export function displayName(contact: SandboxContact | undefined): string {
  if (!contact) return 'Unknown contact';
  return (
    contact.name ?? contact.email ?? (contact.external_id ? `User ${contact.external_id}` : 'Anonymous lead')
  );
}

const stateEvents: Record<string, string> = {
  close: 'closed the conversation',
  open: 'reopened the conversation',
  snoozed: 'snoozed the conversation',
  unsnoozed: 'unsnoozed the conversation',
};

function stateBadge(state: string): string {
  return `<span class="state ${escapeHtml(state)}" data-state="${escapeHtml(state)}">${escapeHtml(state)}</span>`;
}

function renderNote(part: SandboxPart): string {
  const author = escapeHtml(part.author.name ?? part.author.id);
  if (part.redacted) {
    return `<article class="part note redacted" data-part-id="${escapeHtml(part.id)}">
<header class="note-label">Internal note <span class="badge">redacted</span></header>
<div class="body">${sanitizeNoteHtml(part.body ?? '')}</div>
<footer class="part-meta">${author} · ${clock(part.created_at)} · part ${escapeHtml(part.id)}</footer></article>`;
  }
  const layout = layOutNote(sanitizeNoteHtml(part.body ?? ''));
  const byThreadline = layout.reference !== undefined;
  const label = byThreadline ? 'Internal note · Threadline' : `Internal note · ${author}`;
  const reference = layout.reference
    ? ` · <span class="reference" title="Threadline's reference for this note">${escapeHtml(layout.reference)}</span>`
    : '';
  return `<article class="part note${byThreadline ? ' threadline' : ''}" data-part-id="${escapeHtml(part.id)}">
<header class="note-label">${label}</header>
<div class="body">${layout.html}</div>
<footer class="part-meta">${author} · ${clock(part.created_at)} · part ${escapeHtml(part.id)}${reference}</footer></article>`;
}

function renderPart(part: SandboxPart, contactName: string): string {
  const event = stateEvents[part.part_type];
  if (event) {
    return `<div class="part event" data-part-id="${escapeHtml(part.id)}">${escapeHtml(part.author.name ?? part.author.id)} ${event} · ${clock(part.created_at)}</div>`;
  }
  if (part.part_type === 'note') return renderNote(part);
  const badge = part.redacted ? ' <span class="badge">redacted</span>' : '';
  return `<article class="part comment${part.redacted ? ' redacted' : ''}" data-part-id="${escapeHtml(part.id)}">
<div class="bubble">${sanitizeNoteHtml(part.body ?? '')}</div>
<footer class="part-meta">${escapeHtml(contactName)} · ${clock(part.created_at)}${badge}</footer></article>`;
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

function renderThread(selected: PageConversation | undefined): string {
  if (!selected)
    return '<p class="empty">No conversations yet. Run <code>npm run demo</code> to open one.</p>';
  const { conversation, contact } = selected;
  const name = displayName(contact);
  const parts = conversation.conversation_parts.conversation_parts;
  const who = [
    contact?.external_id ? `User ID ${escapeHtml(contact.external_id)}` : 'no User ID (lead)',
    contact?.email ? escapeHtml(contact.email) : '',
  ]
    .filter(Boolean)
    .join(' · ');
  return `<header class="thread-header" id="conversation-${escapeHtml(conversation.id)}" data-conversation-id="${escapeHtml(conversation.id)}">
<div><h2 class="contact-name">${escapeHtml(name)}</h2>
<div class="meta">${who} · conversation ${escapeHtml(conversation.id)} · opened ${dateTime(conversation.created_at)}</div></div>
<div class="thread-controls">${stateBadge(conversation.state)}${renderActions(conversation)}</div></header>
<div class="parts">
<article class="part comment opening"><div class="bubble">${sanitizeNoteHtml(conversation.source.body)}</div>
<footer class="part-meta">${escapeHtml(name)} · ${clock(conversation.created_at)}</footer></article>
${parts.length === 0 ? '<p class="empty">No notes yet: Threadline writes them a moment after the webhook.</p>' : parts.map((part) => renderPart(part, name)).join('\n')}
</div>`;
}

function preview(conversation: SandboxConversation): string {
  const parts = conversation.conversation_parts.conversation_parts;
  const notes = parts.filter((part) => part.part_type === 'note').length;
  return notes === 0 ? 'no notes yet' : `${notes} internal note${notes === 1 ? '' : 's'}`;
}

function renderList(conversations: PageConversation[], selectedId: string | undefined): string {
  if (conversations.length === 0) return '<p class="empty">No conversations yet.</p>';
  const items = conversations.map(({ conversation, contact }) => {
    const id = escapeHtml(conversation.id);
    const isSelected = conversation.id === selectedId;
    const text = bodyToPlainText(conversation.source.body).replace(/\s+/g, ' ');
    return `<li><a class="item${isSelected ? ' selected' : ''}" href="?conversation=${id}" data-conversation-id="${id}"${isSelected ? ' aria-current="true"' : ''}>
<span class="item-top"><span class="contact-name">${escapeHtml(displayName(contact))}</span><time>${clock(conversation.updated_at)}</time></span>
<span class="item-text">${escapeHtml(text.slice(0, 80))}</span>
<span class="item-meta">${stateBadge(conversation.state)} ${preview(conversation)}</span></a></li>`;
  });
  return `<ul class="conversation-list">${items.join('\n')}</ul>`;
}

/** The list and the selected thread (the newest conversation unless one is asked for). */
export function renderInboxFragments(conversations: PageConversation[], requested?: string): InboxFragments {
  const selected =
    conversations.find(({ conversation }) => conversation.id === requested) ?? conversations[0];
  const list = renderList(conversations, selected?.conversation.id);
  const thread = renderThread(selected);
  const version = createHash('sha1').update(list).update(thread).digest('hex').slice(0, 16);
  return { version, selected: selected?.conversation.id ?? null, list, thread };
}

/**
 * The page a person watches while Threadline writes notes: an inbox with the conversations (give them
 * newest first) and the selected thread, where Threadline's notes are internal notes. It updates itself
 * by polling `/_sandbox/inbox.json`, without reloading. Note bodies render as HTML (sanitised),
 * everything else is escaped. The column `#conversation-apps` is the slot for apps shown beside the
 * conversation (as Intercom's Inbox shows apps); the page fires `sandbox:conversation-selected` on it.
 */
export function renderSandboxPage(conversations: PageConversation[], requested?: string): string {
  const fragments = renderInboxFragments(conversations, requested);
  const selected = fragments.selected ? escapeHtml(fragments.selected) : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Intercom sandbox — Threadline</title>
<style>${inboxStyle}</style></head>
<body data-version="${fragments.version}" data-selected="${selected}">
<header class="top"><h1>Intercom sandbox</h1><span class="top-note">a local stand-in for Intercom's Inbox · notes by Threadline appear as internal notes</span><span class="live" id="live-status">live</span></header>
<div class="inbox">
<nav class="list-pane" aria-label="Conversations" id="conversation-list">${fragments.list}</nav>
<main class="thread-pane" id="thread">${fragments.thread}</main>
<aside class="apps-pane" id="conversation-apps" data-slot="apps-beside-conversation" data-conversation-id="${selected}" aria-label="Apps beside the conversation">
<h3>Apps</h3><p class="empty">Apps shown beside the conversation in Intercom's Inbox appear here.</p></aside>
</div>
<script>${inboxScript}</script></body></html>`;
}
