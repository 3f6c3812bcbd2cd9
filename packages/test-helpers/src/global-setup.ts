import type { TestProject } from 'vitest/node';
import { type LocalRedis, redisAnswers, startLocalRedis } from './redis-server.js';
import './redis.js';

let started: LocalRedis | undefined;

/** Uses the Redis at REDIS_URL when it answers; otherwise starts a private one for the whole run. */
export async function setup(project: TestProject): Promise<void> {
  const configured = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  let url = configured;
  if (!(await redisAnswers(configured))) {
    started = await startLocalRedis({ appendOnly: false });
    url = started.url;
    console.warn(`tests: no Redis answered at ${configured}; started one at ${url}`);
  }
  project.provide('redisUrl', url);
}

export async function teardown(): Promise<void> {
  await started?.stop();
}
