import type { Config } from '@threadline/config';
import type { ActivityStore, DeliveryStore, IdentityStore, IntercomPort, LinkStore } from '@threadline/core';
import type { ThreadlineQueues } from '@threadline/jobs';
import type { Logger } from '@threadline/observability';
import type { ConnectionOptions } from 'bullmq';

/** What the job processors need, built by compose() in production and by tests. */
export interface WorkerDependencies {
  config: Config;
  logger: Logger;
  /** A connection BullMQ workers may block on (`maxRetriesPerRequest: null`). */
  connection: ConnectionOptions;
  activity: ActivityStore;
  links: LinkStore;
  /** Present only with LINK_BY_EMAIL. */
  identities: IdentityStore | undefined;
  delivery: DeliveryStore;
  intercom: IntercomPort;
  queues: Pick<ThreadlineQueues, 'requestDelivery' | 'sendGate'>;
  now(): Date;
}
