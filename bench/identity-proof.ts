/**
 * What checking identity costs at capture: one `$user_hash`, one `$user_jwt`, and extracting a
 * posthog-js batch of 50 events of one user with and without the identity secret. Run with
 * `npx tsx bench/identity-proof.ts` (no Redis needed). Options (env): BENCH_ROUNDS (default 20000).
 */
import { createHmac } from 'node:crypto';
import { extractEvents } from '../packages/capture/src/index.js';
import { isValidUserHash, isValidUserJwt } from '../packages/core/src/index.js';
import { reportFigures } from './report.js';

const rounds = Number(process.env.BENCH_ROUNDS ?? 20_000);
const secret = 'bench-identity-secret';
const userId = 'user-42';
const now = new Date();
const hash = createHmac('sha256', secret).update(userId).digest('hex');
const segment = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const signed = `${segment({ alg: 'HS256', typ: 'JWT' })}.${segment({ user_id: userId, exp: now.getTime() / 1000 + 3600 })}`;
const jwt = `${signed}.${createHmac('sha256', secret).update(signed).digest('base64url')}`;
const batch = {
  api_key: 'phc_bench',
  batch: Array.from({ length: 50 }, (_, index) => ({
    event: '$pageview',
    properties: {
      distinct_id: userId,
      $user_hash: hash,
      $is_identified: true,
      $current_url: `https://app.acme.io/projects/${index}`,
      $pathname: `/projects/${index}`,
      $session_id: 'session-1',
    },
  })),
};

/** Median of five runs of `rounds` calls, in microseconds per call. */
function microseconds(run: () => void, count = rounds): number {
  for (let index = 0; index < Math.min(count, 2000); index += 1) run();
  const samples: number[] = [];
  for (let sample = 0; sample < 5; sample += 1) {
    const start = process.hrtime.bigint();
    for (let index = 0; index < count; index += 1) run();
    samples.push(Number(process.hrtime.bigint() - start) / count / 1000);
  }
  return samples.sort((a, b) => a - b)[2] as number;
}

const figures = {
  userHash: microseconds(() => isValidUserHash(userId, hash, secret)),
  userJwt: microseconds(() => isValidUserJwt(userId, jwt, secret, now)),
  batchOff: microseconds(() => extractEvents(batch, { now }), rounds / 10),
  batchOn: microseconds(() => extractEvents(batch, { now, identitySecret: secret }), rounds / 10),
};

console.log('| measure | µs |');
console.log('| --- | --- |');
console.log(`| one $user_hash check | ${figures.userHash.toFixed(2)} |`);
console.log(`| one $user_jwt check | ${figures.userJwt.toFixed(2)} |`);
console.log(`| extract 50 events, identity off | ${figures.batchOff.toFixed(1)} |`);
console.log(`| extract 50 events, identity on | ${figures.batchOn.toFixed(1)} |`);
reportFigures([
  { benchmark: 'identity', name: 'user_hash check', value: figures.userHash, unit: 'µs' },
  { benchmark: 'identity', name: 'user_jwt check', value: figures.userJwt, unit: 'µs' },
  {
    benchmark: 'identity',
    name: 'extract 50 events, on vs off',
    value: figures.batchOn / figures.batchOff,
    unit: '×',
  },
]);
