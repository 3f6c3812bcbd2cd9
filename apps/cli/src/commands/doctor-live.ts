import type { Config } from '@threadline/config';
import { IntercomError, subscribedTopics } from '@threadline/core';
import { IntercomAdapter } from '@threadline/intercom';
import { type RedisClient, RedisKeys, RedisWebhookLog } from '@threadline/redis-store';
import { type Check, type CheckName, check } from './doctor-check.js';

const authenticationPage = 'Developer Hub → your app → Configure → Authentication';
const webhooksPage = 'Developer Hub → your app → Configure → Webhooks';
const basicInformationPage = 'Developer Hub → your app → Basic information';
/** An id no workspace has: a 404 for it proves the permission without touching real data. */
const probeId = '0';

export interface LiveOptions {
  /** A test conversation the operator names: one internal note is posted there, then redacted. */
  conversationId?: string | undefined;
  now: Date;
  /** Reaches THREADLINE_PUBLIC_URL (tests pass one that trusts their certificate). */
  fetch?: typeof fetch;
}

const ago = (iso: string, now: Date) => {
  const seconds = Math.max(0, Math.round((now.getTime() - Date.parse(iso)) / 1000));
  if (seconds < 120) return `${seconds} s ago`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86_400)} days ago`;
};

const isRefusal = (error: unknown): error is IntercomError =>
  error instanceof IntercomError && (error.status === 401 || error.status === 403);

/**
 * One permission, tried with a call Threadline makes: ok unless Intercom answers 401/403 (a 404 for
 * the probe id means the call was allowed).
 */
async function permissionCheck(
  name: CheckName,
  permission: string,
  call: () => Promise<string>,
): Promise<Check> {
  try {
    return check(name, 'ok', `"${permission}": ${await call()}`);
  } catch (error) {
    if (error instanceof IntercomError && error.code === 'not_found')
      return check(name, 'ok', `"${permission}": allowed (404 for a made-up id)`);
    if (isRefusal(error))
      return check(name, 'fail', `"${permission}" is missing: Intercom answered ${error.status}`, [], {
        fix: `tick "${permission}" under ${authenticationPage} and save`,
      });
    return check(name, 'warn', `"${permission}" could not be checked: ${(error as Error).message}`);
  }
}

async function intercomChecks(config: Config, options: LiveOptions): Promise<Check[]> {
  const accessToken = config.intercom.accessToken;
  const names: CheckName[] = ['token', 'read-contact', 'read-conversation', 'write-note', 'redact', 'admin'];
  if (!accessToken) {
    return names.map((name) =>
      check(name, name === 'token' ? 'fail' : 'skip', 'INTERCOM_ACCESS_TOKEN is not set', [], {
        fix: `copy the app's Access token from ${authenticationPage} into INTERCOM_ACCESS_TOKEN`,
      }),
    );
  }
  const intercom = new IntercomAdapter({
    accessToken,
    baseUrl: config.intercom.apiBaseUrl,
    timeoutMs: config.intercom.timeoutMs,
  });
  let me: Awaited<ReturnType<IntercomAdapter['identifyToken']>>;
  try {
    me = await intercom.identifyToken();
  } catch (error) {
    const refused = isRefusal(error);
    const skipped = names.slice(1).map((name) => check(name, 'skip', 'skipped: the token does not work'));
    return [
      check('token', 'fail', `GET /me at ${config.intercom.apiBaseUrl}: ${(error as Error).message}`, [], {
        fix: refused
          ? `copy the Access token from ${authenticationPage} into INTERCOM_ACCESS_TOKEN`
          : `check INTERCOM_API_BASE_URL (${config.intercom.apiBaseUrl}): https://api.intercom.io, https://api.eu.intercom.io or https://api.au.intercom.io`,
      }),
      ...skipped,
    ];
  }
  const workspace = me.workspaceName ? ` "${me.workspaceName}"` : '';
  const checks = [
    check(
      'token',
      'ok',
      `accepted by ${config.intercom.apiBaseUrl}: workspace${workspace} (${me.workspaceId ?? 'no id'}), admin ${me.adminId}`,
    ),
  ];
  const conversationId = options.conversationId;
  checks.push(
    await permissionCheck('read-conversation', 'Read conversations', async () => {
      const notes = await intercom.listNotes(conversationId ?? probeId);
      return `read conversation ${conversationId} (${notes.length} notes)`;
    }),
  );
  checks.push(
    await permissionCheck('read-contact', 'Read one user and one company', async () => {
      await intercom.findContact(probeId);
      return 'allowed';
    }),
  );
  if (!conversationId) {
    checks.push(
      check('write-note', 'skip', '"Write conversations": not tried (it would post a note)', [], {
        fix: 'run with --conversation <id> of a test conversation: one internal note is posted there, then redacted',
      }),
      await permissionCheck('redact', 'Write conversations', async () => {
        await intercom.redactPart(probeId, probeId);
        return 'allowed';
      }),
    );
  } else {
    let partId: string | undefined;
    const reference = `tl-doctor-${options.now.getTime()}`;
    checks.push(
      await permissionCheck('write-note', 'Write conversations', async () => {
        const note = await intercom.addNote(conversationId, {
          html: `<p>Threadline doctor: this internal note checks that Threadline may write notes; it is redacted next. (${reference})</p>`,
          reference,
        });
        partId = note.partId;
        return `posted internal note ${note.partId} in conversation ${conversationId}`;
      }),
    );
    checks.push(
      partId
        ? await permissionCheck('redact', 'Write conversations', async () => {
            await intercom.redactPart(conversationId, partId as string);
            return `redacted that note (${partId})`;
          })
        : check('redact', 'skip', 'skipped: no note was posted'),
    );
  }
  checks.push(await adminCheck(config, intercom, me.adminId));
  return checks;
}

async function adminCheck(config: Config, intercom: IntercomAdapter, tokenAdminId: string): Promise<Check> {
  const configured = config.intercom.adminId;
  if (!configured)
    return check('admin', 'ok', `notes are written by the token's admin ${tokenAdminId} (GET /me)`);
  try {
    const admin = await intercom.findAdmin(configured);
    if (!admin)
      return check('admin', 'fail', `INTERCOM_ADMIN_ID ${configured}: no such admin in this workspace`, [], {
        fix: `unset INTERCOM_ADMIN_ID (notes are then written by the token's admin ${tokenAdminId}) or set an existing admin's id`,
      });
    return check(
      'admin',
      'ok',
      `INTERCOM_ADMIN_ID ${configured} exists${admin.name ? ` (${admin.name})` : ''}`,
    );
  } catch (error) {
    if (isRefusal(error))
      return check(
        'admin',
        'fail',
        `INTERCOM_ADMIN_ID ${configured} could not be read: "Read admins" is missing`,
        [],
        {
          fix: `tick "Read admins" under ${authenticationPage}, or unset INTERCOM_ADMIN_ID`,
        },
      );
    return check(
      'admin',
      'warn',
      `INTERCOM_ADMIN_ID ${configured} could not be checked: ${(error as Error).message}`,
    );
  }
}

function webhookUrl(config: Config): string {
  return `${config.publicUrl ?? 'https://<your host>'}/webhooks/intercom`;
}

async function webhookChecks(config: Config, redis: RedisClient, now: Date): Promise<Check[]> {
  const seen = await new RedisWebhookLog(redis, new RedisKeys(config.prefix)).read();
  const checks: Check[] = [];
  if (seen.lastPingAt) {
    checks.push(
      check('webhook-ping', 'ok', `last ping received ${seen.lastPingAt} (${ago(seen.lastPingAt, now)})`),
    );
  } else if (seen.lastVerifiedAt) {
    checks.push(
      check(
        'webhook-ping',
        'warn',
        `no ping seen, but deliveries arrive (last ${ago(seen.lastVerifiedAt, now)})`,
      ),
    );
  } else {
    checks.push(
      check(
        'webhook-ping',
        'fail',
        'no ping and no delivery has reached the API (with this THREADLINE_PREFIX)',
        [],
        {
          fix: `set the endpoint URL under ${webhooksPage} to ${webhookUrl(config)} and save it`,
        },
      ),
    );
  }
  const badSince = seen.lastBadSignatureAt;
  const isBadLatest = badSince !== null && (seen.lastVerifiedAt === null || badSince > seen.lastVerifiedAt);
  if (isBadLatest) {
    checks.push(
      check(
        'signature',
        'fail',
        `the last delivery failed its signature check (${badSince}, ${ago(badSince, now)}; ${seen.badSignatures} refused so far)`,
        [],
        {
          fix: `set INTERCOM_CLIENT_SECRET to the Client secret under ${basicInformationPage}; no proxy may change the body`,
        },
      ),
    );
  } else if (seen.lastVerifiedAt) {
    const earlier = seen.badSignatures > 0 ? `; ${seen.badSignatures} refused earlier` : '';
    checks.push(
      check(
        'signature',
        'ok',
        `last delivery verified ${seen.lastVerifiedAt} (${ago(seen.lastVerifiedAt, now)})${earlier}`,
      ),
    );
  } else {
    checks.push(check('signature', 'warn', 'no delivery seen yet, so the client secret is unchecked'));
  }
  const topics = new Set(seen.topics.map((entry) => entry.topic));
  const missing = [...subscribedTopics].filter((topic) => !topics.has(topic));
  checks.push(
    missing.length === 0
      ? check('topics', 'ok', `every topic Threadline uses has been delivered (${subscribedTopics.size})`)
      : check('topics', 'warn', `not delivered yet: ${missing.join(', ')}`, [], {
          fix: `subscribe to them under ${webhooksPage} (a topic counts here after its first delivery)`,
        }),
  );
  return checks;
}

async function publicUrlCheck(config: Config, fetcher: typeof fetch): Promise<Check> {
  const url = config.publicUrl;
  const fix =
    'set THREADLINE_PUBLIC_URL to the https URL Intercom reaches (docs/deployment.md, "The way to the internet")';
  if (!url) return check('public-url', 'fail', 'THREADLINE_PUBLIC_URL is not set', [], { fix });
  if (!url.startsWith('https://'))
    return check('public-url', 'fail', `${url} is not https: Intercom calls only https endpoints`, [], {
      fix,
    });
  const get = (path: string, method = 'GET') =>
    fetcher(`${url}${path}`, { method, signal: AbortSignal.timeout(10_000), redirect: 'manual' });
  try {
    const health = await get('/healthz');
    if (health.status !== 200)
      return check('public-url', 'fail', `${url}/healthz answered ${health.status}`, [], {
        fix: 'route the public URL to the API (docs/deployment.md, "Caddy in front")',
      });
    const webhook = await get('/webhooks/intercom', 'HEAD');
    if (webhook.status >= 300)
      return check('public-url', 'fail', `HEAD ${url}/webhooks/intercom answered ${webhook.status}`, [], {
        fix: 'expose /webhooks/intercom through the proxy: Intercom checks the URL with HEAD',
      });
    const metrics = await get('/metrics');
    if (metrics.status === 200)
      return check('public-url', 'fail', `${url}/metrics answers from the internet`, [], {
        fix: 'keep /metrics and /admin inside: the Caddy profile (deploy/caddy/Caddyfile) does',
      });
    return check(
      'public-url',
      'ok',
      `${url} answers over HTTPS; /webhooks/intercom is public, /metrics is not`,
    );
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return check(
      'public-url',
      'fail',
      `${url} is not reachable: ${cause?.code ?? cause?.message ?? (error as Error).message}`,
      [],
      {
        fix: 'check DNS, the proxy and its certificate (docs/deployment.md, "The way to the internet")',
      },
    );
  }
}

/** The checks against the real workspace and the internet, after the local ones. */
export async function liveChecks(
  config: Config,
  redis: RedisClient | undefined,
  options: LiveOptions,
): Promise<Check[]> {
  const checks = await intercomChecks(config, options);
  if (redis) checks.push(...(await webhookChecks(config, redis, options.now)));
  else
    for (const name of ['webhook-ping', 'signature', 'topics'] as const)
      checks.push(check(name, 'skip', 'skipped: Redis is not reachable'));
  checks.push(await publicUrlCheck(config, options.fetch ?? fetch));
  return checks;
}
