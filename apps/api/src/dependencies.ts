import type { Config } from '@threadline/config';
import type { ActivityStore, IdentityStore, LinkStore, NotificationClaims } from '@threadline/core';
import type { ThreadlineQueues } from '@threadline/jobs';
import type { Logger } from '@threadline/observability';

/** Everything the HTTP app needs, built by compose() in production and by tests with test settings. */
export interface ApiDependencies {
  config: Config;
  logger: Logger;
  activity: ActivityStore;
  links: LinkStore;
  /** Present only with LINK_BY_EMAIL. */
  identities: IdentityStore | undefined;
  claims: NotificationClaims;
  queues: Pick<ThreadlineQueues, 'enqueueLink' | 'requestDelivery'>;
  /** Whether Redis answers right now (for /readyz). */
  isRedisReady(): Promise<boolean>;
  now(): Date;
}
