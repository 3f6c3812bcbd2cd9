import type { RedisClient } from '@threadline/redis-store';
import type { Job, Queue } from 'bullmq';

/** Who is being erased, as job data can name them. */
export interface JobErasureMatch {
  /** Product user ids (a link job's `contact.externalId`, its result's `userId`). */
  userIds: readonly string[];
  /** Contact emails (a link job's `contact.email`), compared case-insensitively. */
  emails: readonly string[];
  /** Conversations of the user: every job about one goes (link, notes and summary jobs). */
  conversationIds: readonly string[];
}

export interface JobErasureReport {
  /** `<queue>/<job id>` of every job removed. */
  removed: string[];
  /** Jobs running right now (locked by a worker): not removable; run the command again. */
  active: string[];
  /** Entries deleted from the queues' event streams (a completed link job's event carries its result). */
  events: number;
  /** User ids, emails and conversations that matching link jobs revealed (beyond those asked for). */
  found: { userIds: string[]; emails: string[]; conversationIds: string[] };
}

const states = [
  'waiting',
  'paused',
  'prioritized',
  'delayed',
  'waiting-children',
  'failed',
  'completed',
] as const;
const pageSize = 500;

interface Wanted {
  userIds: Set<string>;
  emails: Set<string>;
  conversationIds: Set<string>;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

/** The ids a job names: its conversation, its contact's external id and email, the user its result names. */
function namesOf(job: Job): {
  conversationId?: string;
  userId?: string;
  email?: string;
  resultUserId?: string;
} {
  const data = record(job.data);
  const contact = record(data.contact);
  const result = record(job.returnvalue);
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  const names: { conversationId?: string; userId?: string; email?: string; resultUserId?: string } = {};
  const conversationId = text(data.conversationId);
  const userId = text(contact.externalId);
  const email = text(contact.email);
  const resultUserId = text(result.userId);
  if (conversationId) names.conversationId = conversationId;
  if (userId) names.userId = userId;
  if (email) names.email = email.trim().toLowerCase();
  if (resultUserId) names.resultUserId = resultUserId;
  return names;
}

function isWanted(job: Job, wanted: Wanted): boolean {
  const names = namesOf(job);
  return (
    (names.conversationId !== undefined && wanted.conversationIds.has(names.conversationId)) ||
    (names.userId !== undefined && wanted.userIds.has(names.userId)) ||
    (names.resultUserId !== undefined && wanted.userIds.has(names.resultUserId)) ||
    (names.email !== undefined && wanted.emails.has(names.email))
  );
}

async function* jobsOf(queue: Queue, types: readonly string[]): AsyncGenerator<Job> {
  for (const state of types) {
    for (let start = 0; ; start += pageSize) {
      const page = await queue.getJobs([state as 'waiting'], start, start + pageSize - 1, true);
      for (const job of page) if (job) yield job;
      if (page.length < pageSize) break;
    }
  }
}

/**
 * Removes every job whose data names the person (for an erasure request), in every queue and every
 * state, and the event-stream entries about those jobs. Failed jobs are otherwise kept 14 days with
 * their payload (a link job carries the contact's email and external id).
 *
 * A first pass widens the match with what matching link jobs reveal (a contact's email and the
 * conversation of a job found by user id, or the user id of one found by email), so a person asked
 * for by one of them is erased by all. Removal pages through the states again after each removal
 * pass, since removing shifts the pages.
 */
export async function eraseJobs(
  queues: readonly Queue[],
  connection: RedisClient,
  match: JobErasureMatch,
): Promise<JobErasureReport> {
  const wanted: Wanted = {
    userIds: new Set(match.userIds),
    emails: new Set(match.emails.map((email) => email.trim().toLowerCase())),
    conversationIds: new Set(match.conversationIds),
  };
  const askedUsers = new Set(wanted.userIds);
  const askedEmails = new Set(wanted.emails);
  const askedConversations = new Set(wanted.conversationIds);
  for (let grew = true; grew; ) {
    grew = false;
    for (const queue of queues) {
      for await (const job of jobsOf(queue, [...states, 'active'])) {
        if (!isWanted(job, wanted)) continue;
        const names = namesOf(job);
        for (const [set, value] of [
          [wanted.emails, names.email],
          [wanted.conversationIds, names.conversationId],
          [wanted.userIds, names.userId],
        ] as const) {
          if (value !== undefined && !set.has(value)) {
            set.add(value);
            grew = true;
          }
        }
      }
    }
  }

  const removed: string[] = [];
  const active: string[] = [];
  let events = 0;
  for (const queue of queues) {
    const removedHere = new Set<string>();
    for (let again = true; again; ) {
      const doomed: Job[] = [];
      for await (const job of jobsOf(queue, states)) if (isWanted(job, wanted)) doomed.push(job);
      again = false;
      for (const job of doomed) {
        if (!job.id || removedHere.has(job.id)) continue;
        try {
          await job.remove();
          removedHere.add(job.id);
          removed.push(`${queue.name}/${job.id}`);
          again = true;
        } catch {
          // Taken by a worker between the listing and the removal: reported as active below.
        }
      }
    }
    for await (const job of jobsOf(queue, ['active'])) {
      if (isWanted(job, wanted)) active.push(`${queue.name}/${job.id}`);
    }
    events += await eraseEvents(connection, queue, removedHere, wanted);
  }
  return {
    removed,
    active,
    events,
    found: {
      userIds: [...wanted.userIds].filter((id) => !askedUsers.has(id)),
      emails: [...wanted.emails].filter((email) => !askedEmails.has(email)),
      conversationIds: [...wanted.conversationIds].filter((id) => !askedConversations.has(id)),
    },
  };
}

/** Deletes the event-stream entries about removed jobs, or naming the person in any field. */
async function eraseEvents(
  client: RedisClient,
  queue: Queue,
  jobIds: ReadonlySet<string>,
  wanted: Wanted,
): Promise<number> {
  const key = queue.keys.events;
  if (!key) return 0;
  const needles = [...wanted.userIds, ...wanted.emails];
  let deleted = 0;
  let start = '-';
  for (;;) {
    const entries = (await client.xrange(key, start, '+', 'COUNT', 1000)) as [string, string[]][];
    for (const [id, fields] of entries) {
      const jobIdAt = fields.indexOf('jobId');
      const jobId = jobIdAt !== -1 && jobIdAt % 2 === 0 ? fields[jobIdAt + 1] : undefined;
      const lower = fields.join('\n').toLowerCase();
      const names = needles.some((needle) => needle !== '' && lower.includes(needle.toLowerCase()));
      if ((jobId !== undefined && jobIds.has(jobId)) || names) deleted += await client.xdel(key, id);
    }
    if (entries.length < 1000) break;
    start = `(${entries.at(-1)![0]}`;
  }
  return deleted;
}
