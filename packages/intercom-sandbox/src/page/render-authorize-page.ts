import { escapeHtml } from '../state/intercom-html-body.js';

export interface AuthorizePageInput {
  clientId: string;
  state: string;
  redirectUri: string;
  workspaces: { appId: string; name: string }[];
}

const style =
  'body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f6f6f4;color:#1a1a1a}' +
  'main{max-width:34rem;margin:3rem auto;padding:2rem;background:#fff;border:1px solid #ccc;border-radius:8px}' +
  'fieldset{border:1px solid #bbb;border-radius:6px;margin:1rem 0}label{display:block;padding:.25rem 0}' +
  'button{font:inherit;padding:.5rem 1.25rem;margin-right:.75rem;border-radius:6px;border:1px solid #333;cursor:pointer}' +
  'button[value=approve]{background:#1f5fd1;color:#fff;border-color:#1f5fd1}' +
  ':focus-visible{outline:3px solid #f0a000;outline-offset:2px}';

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title><style>${style}</style></head><body><main>${body}</main></body></html>`;
}

/** The sandbox's stand-in for Intercom's "Connect an app" page: choose a workspace, Approve or Deny. */
export function renderAuthorizePage(input: AuthorizePageInput): string {
  const hidden = (name: string, value: string) =>
    `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;
  const choices = input.workspaces
    .map(
      (workspace, index) =>
        `<label><input type="radio" name="workspace" value="${escapeHtml(workspace.appId)}"${index === 0 ? ' checked' : ''}> ${escapeHtml(workspace.name)} <small>(app id ${escapeHtml(workspace.appId)})</small></label>`,
    )
    .join('');
  return page(
    'Install app · Intercom sandbox',
    `<h1>Install this app?</h1><p>The app asks to read contacts, read and list conversations, reply to conversations and write conversations in the workspace you choose.</p>` +
      `<form method="post" action="/oauth/decide">${hidden('client_id', input.clientId)}${hidden('state', input.state)}${hidden('redirect_uri', input.redirectUri)}` +
      `<fieldset><legend>Workspace</legend>${choices}</fieldset>` +
      `<button type="submit" name="decision" value="approve">Approve</button><button type="submit" name="decision" value="deny">Deny</button></form>`,
  );
}

/** A plain page for an OAuth request the sandbox cannot serve. */
export function renderOAuthProblemPage(message: string): string {
  return page(
    'Cannot install · Intercom sandbox',
    `<h1>Cannot install this app</h1><p>${escapeHtml(message)}</p>`,
  );
}
