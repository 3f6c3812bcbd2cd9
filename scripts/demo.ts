/**
 * `npm run demo`: against a running stack (npm start), plays a short user journey with posthog-node,
 * opens a conversation in the Intercom sandbox (which sends the signed webhook), then does a little
 * more, so the sandbox page shows the pre-chat note and a live note.
 */
import { randomBytes } from 'node:crypto';
import { readConfigSources } from '@threadline/config';
import { PostHog } from 'posthog-node';

// The stack's own settings: the environment, then .env, then what the running `npm start` chose.
const env = readConfigSources(process.env, process.cwd()).values;
const apiUrl = env.THREADLINE_URL ?? `http://127.0.0.1:${env.PORT ?? '8080'}`;
const sandboxUrl = env.SANDBOX_URL ?? `http://127.0.0.1:${env.SANDBOX_PORT ?? '8090'}`;
const apiKey = env.CAPTURE_API_KEY ?? 'phc_threadline_local_key';
const clientSecret = env.INTERCOM_CLIENT_SECRET ?? 'sandbox-client-secret';
// Where the sandbox sends the webhook: the API as the sandbox sees it (under docker compose: http://api:8080).
const webhookUrl = env.DEMO_WEBHOOK_URL ?? `${apiUrl}/webhooks/intercom`;
const userId = `demo_user_${randomBytes(3).toString('hex')}`;
// A person as the Messenger would know them, so the sandbox inbox shows a name.
const people = ['Sam Rivera', 'Ana Lima', 'Noor Haddad', 'Jonas Berg', 'Mei Tanaka'];
const userName = people[randomBytes(1)[0]! % people.length]!;
const userEmail = `${userName.toLowerCase().replace(' ', '.')}@example.com`;
const sessionId = `demo-session-${randomBytes(3).toString('hex')}`;

// One batch per step, as a browser would send them: events arrive in the order they happened.
const posthog = new PostHog(apiKey, { host: apiUrl, flushAt: 100, flushInterval: 0, disableGeoip: true });
posthog.on('error', (error: unknown) => console.error('posthog-node:', error));

// The journey is played back over the last minute, a few seconds between steps, as a person would.
let journeyClock = Date.now() - 60_000;
function nextTime(gapMs = 2_000): Date {
  journeyClock += gapMs;
  return new Date(Math.min(journeyClock, Date.now()));
}

function pageview(path: string, title: string) {
  posthog.capture({
    distinctId: userId,
    timestamp: nextTime(),
    event: '$pageview',
    properties: {
      $current_url: `https://app.example.com${path}`,
      $pathname: path,
      title,
      $session_id: sessionId,
    },
  });
}
function click(path: string, text: string) {
  posthog.capture({
    distinctId: userId,
    timestamp: nextTime(),
    event: '$autocapture',
    properties: {
      $event_type: 'click',
      $current_url: `https://app.example.com${path}`,
      $pathname: path,
      $session_id: sessionId,
      $elements_chain: `button.btn.btn-primary:text="${text}"nth-child="1"nth-of-type="1";div.actions:nth-child="2"nth-of-type="1"`,
    },
  });
}
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function ok(response: Response, what: string) {
  if (!response.ok) throw new Error(`${what}: HTTP ${response.status} ${await response.text()}`);
  return response.json() as Promise<Record<string, unknown>>;
}

await ok(await fetch(`${apiUrl}/healthz`), 'the API is not running (npm start)').catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});

console.log(`${userName} (user ${userId}) browses the product…`);
pageview('/pricing', 'Pricing');
click('/pricing', 'Choose Pro');
journeyClock += 8_000; // a pause: the note shows it as a break between groups
pageview('/billing', 'Billing');
click('/billing', 'Pay now');
posthog.capture({
  distinctId: userId,
  timestamp: nextTime(),
  event: '$exception',
  properties: {
    $current_url: 'https://app.example.com/billing',
    $pathname: '/billing',
    $session_id: sessionId,
    $exception_list: [{ type: 'PaymentError', value: 'Card validation failed' }],
  },
});
click('/billing', 'Pay now');
await posthog.flush();
await pause(500);

console.log('…opens the Messenger and writes "I can\'t change my plan".');
const opened = await ok(
  await fetch(`${sandboxUrl}/_sandbox/conversations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      external_id: userId,
      name: userName,
      email: userEmail,
      body: "I can't change my plan",
      webhook: { url: webhookUrl, clientSecret },
    }),
  }),
  'creating the sandbox conversation',
);
const conversationId = String((opened.conversation as { id?: string } | undefined)?.id ?? opened.id);

await pause(1500);
console.log('…and keeps trying while waiting for an answer.');
journeyClock = Date.now() - 8_000;
pageview('/settings/payment', 'Payment methods');
click('/settings/payment', 'Update card');
await posthog.shutdown();

console.log(`\nConversation ${conversationId}: watch the notes arrive on ${sandboxUrl}/`);
for (let attempt = 0; attempt < 30; attempt += 1) {
  const conversations = (await ok(
    await fetch(`${sandboxUrl}/_sandbox/conversations`),
    'reading the sandbox',
  )) as unknown;
  const list = (
    Array.isArray(conversations)
      ? conversations
      : ((conversations as { conversations?: unknown[] }).conversations ?? [])
  ) as {
    id: string;
    notes?: unknown[];
    conversation_parts?: { conversation_parts?: { part_type?: string }[] };
  }[];
  const ours = list.find((conversation) => String(conversation.id) === conversationId);
  const notes =
    ours?.conversation_parts?.conversation_parts?.filter((part) => part.part_type === 'note').length ??
    ours?.notes?.length ??
    0;
  if (notes >= 2) {
    console.log(`${notes} notes written. Done.`);
    process.exit(0);
  }
  await pause(500);
}
console.log('Notes have not all arrived yet; check the worker output and the sandbox page.');
process.exit(1);
