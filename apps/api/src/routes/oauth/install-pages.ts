import { escapeHtml, type InstallOutcome, type Workspace } from '@threadline/core';

/** What a failed install page says: its status, its heading, and what to do. */
export interface InstallProblem {
  status: number;
  title: string;
  advice: string;
}

type Failure = Exclude<InstallOutcome, { kind: 'installed' }>['kind'] | 'off';

const restart = 'Start the install again from the beginning.';

/** Every way an install can fail, in the words the page uses. */
export const installProblems: Record<Failure, InstallProblem> = {
  off: {
    status: 404,
    title: 'Installing with Intercom is not set up',
    advice:
      'This Threadline has no Intercom app: its operator sets INTERCOM_CLIENT_ID, INTERCOM_CLIENT_SECRET, THREADLINE_PUBLIC_URL and THREADLINE_ENCRYPTION_KEY (see docs/intercom.md).',
  },
  missing_cookie: {
    status: 400,
    title: 'This browser did not start the install',
    advice: `The install cookie is missing: the install was started in another browser or profile, cookies are blocked for this site, or more than 10 minutes passed. ${restart}`,
  },
  missing_state: {
    status: 400,
    title: 'The answer from Intercom is incomplete',
    advice: `The link has no state. ${restart}`,
  },
  unknown_state: {
    status: 400,
    title: 'This install link is no longer valid',
    advice: `Each install link works once and for 10 minutes; this one was used already, has expired, or was not made here. ${restart}`,
  },
  wrong_browser: {
    status: 400,
    title: 'This install was started in another browser',
    advice: `The link does not belong to this browser, so it was refused (someone may have sent it to you). ${restart}`,
  },
  denied: {
    status: 403,
    title: 'The install was cancelled',
    advice:
      'Intercom says the app was not approved, so nothing was installed. To install, start again and press Approve.',
  },
  missing_code: {
    status: 400,
    title: 'The answer from Intercom has no code',
    advice: restart,
  },
  code_refused: {
    status: 400,
    title: 'Intercom refused the install code',
    advice: `The code from Intercom has expired or was used already (each works once, for a few minutes). ${restart}`,
  },
  intercom_unavailable: {
    status: 502,
    title: 'Intercom did not answer',
    advice:
      'Intercom could not be reached or answered with an error, so nothing was installed. Try again in a minute.',
  },
};

const style =
  'body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f7f7f5;color:#161616}' +
  'main{max-width:44rem;margin:2.5rem auto;padding:2rem;background:#fff;border:1px solid #c8c8c8;border-radius:8px}' +
  'code,pre{font:14px/1.45 ui-monospace,monospace;background:#f0f0ee;border-radius:4px}code{padding:.1rem .3rem}' +
  'pre{padding:.75rem;overflow-x:auto;white-space:pre-wrap;word-break:break-all}' +
  'dt{font-weight:600;margin-top:.75rem}dd{margin:0}a{color:#0b4fc2}:focus-visible{outline:3px solid #e09b00;outline-offset:2px}' +
  '.warning{border-left:4px solid #b35c00;padding:.25rem .75rem;background:#fff6eb}';

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex"><title>${escapeHtml(title)} · Threadline</title><style>${style}</style></head><body><main>${body}</main></body></html>`;
}

export function renderInstallProblem(problem: InstallProblem): string {
  return page(
    problem.title,
    `<h1>${escapeHtml(problem.title)}</h1><p role="alert">${escapeHtml(problem.advice)}</p><p><a href="/oauth/intercom/install">Install again</a></p>`,
  );
}

export interface InstalledPage {
  workspace: Workspace;
  keys: { captureKey: string; mcpKey: string; mcpKeyId: string } | null;
  publicUrl: string;
  topics: readonly string[];
}

/** The success page: the product id, the keys (only on a first install, shown this once) and next steps. */
export function renderInstalled(input: InstalledPage): string {
  const { workspace, keys, publicUrl } = input;
  const e = escapeHtml;
  const captureKey = keys?.captureKey ?? '<your capture key>';
  const keyList = keys
    ? `<h2>Your keys</h2><p class="warning">Copy them now: they are shown only this once (Threadline keeps only their SHA-256).</p>` +
      `<dl><dt id="capture-key-label">Capture key (public: it goes in your pages)</dt><dd><code aria-labelledby="capture-key-label" data-key="capture">${e(keys.captureKey)}</code></dd>` +
      `<dt id="mcp-key-label">MCP key for Fin (secret; id ${e(keys.mcpKeyId)})</dt><dd><code aria-labelledby="mcp-key-label" data-key="mcp">${e(keys.mcpKey)}</code></dd></dl>`
    : `<h2>Your keys</h2><p>This workspace was installed before: its token is replaced, and its keys and data are kept. Keys are shown only when they are made; make more with <code>threadline keys create ${e(workspace.productId)}</code>.</p>`;
  const posthogLine = `posthog.init('${captureKey}', { api_host: '${publicUrl}' });`;
  return page(
    'Threadline is installed',
    `<h1>Threadline is installed</h1>` +
      `<p>Workspace <code>${e(workspace.appId)}</code> is product <strong><code data-product-id>${e(workspace.productId)}</code></strong>.</p>` +
      keyList +
      `<h2>Next steps</h2><ol>` +
      `<li><p>Send product events with posthog-js (then <code>posthog.identify('&lt;your user id&gt;')</code>, the same id as the Intercom user's <code>external_id</code>):</p><pre>${e(posthogLine)}</pre></li>` +
      `<li><p>In the Intercom Developer Hub, your app's Webhooks: the endpoint is <code>${e(publicUrl)}/webhooks/intercom</code>, with these topics:</p><ul>${input.topics.map((topic) => `<li><code>${e(topic)}</code></li>`).join('')}</ul></li>` +
      `<li><p>Fin: add a custom MCP connector with the URL <code>${e(publicUrl)}/mcp</code> and the header <code>Authorization: Bearer &lt;the MCP key&gt;</code> (docs/fin.md).</p></li>` +
      `</ol>`,
  );
}

/** `GET /oauth/intercom`: where an admin starts (a plain page with the Install link). */
export function renderInstallStart(): string {
  return page(
    'Install Threadline in Intercom',
    `<h1>Install Threadline in Intercom</h1><p>Threadline writes what your users just did in your product into their Intercom conversations, as internal notes, and answers Fin with it.</p>` +
      `<p>Installing asks Intercom for a workspace of yours (you choose it on Intercom's page) and gives you that workspace's product id, a capture key and a key for Fin.</p>` +
      `<p><a href="/oauth/intercom/install" role="button">Install</a></p>`,
  );
}
