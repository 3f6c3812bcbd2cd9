import { describe, expect, it } from 'vitest';
import { decideResponse } from './decide-response.js';
import { flagsResponse } from './flags-response.js';
import { remoteConfigResponse } from './remote-config-response.js';

const clientConfigKeys = {
  supportedCompression: ['gzip', 'gzip-js'],
  autocapture_opt_out: false,
  sessionRecording: false,
  heatmaps: false,
  autocaptureExceptions: false,
  capturePerformance: false,
};

describe('remoteConfigResponse', () => {
  it('turns autocapture on, recordings and heatmaps off, and names the token', () => {
    expect(remoteConfigResponse('phc_abc')).toMatchObject({ token: 'phc_abc', ...clientConfigKeys });
  });

  it('has no surveys key at all, and does not stop posthog-js asking for flags', () => {
    const config = remoteConfigResponse('phc_abc');
    expect(Object.hasOwn(config, 'surveys')).toBe(false);
    expect(Object.hasOwn(config, 'hasFeatureFlags')).toBe(false);
  });

  it('is plain JSON', () => {
    const config = remoteConfigResponse('phc_abc');
    expect(JSON.parse(JSON.stringify(config))).toEqual(config);
  });
});

describe('flagsResponse', () => {
  it('is a valid v2 answer with no flags, usable as config too', () => {
    expect(flagsResponse()).toMatchObject({
      flags: {},
      featureFlags: {},
      featureFlagPayloads: {},
      errorsWhileComputingFlags: false,
      ...clientConfigKeys,
    });
    expect(Object.hasOwn(flagsResponse(), 'surveys')).toBe(false);
  });
});

describe('decideResponse', () => {
  it('answers v3 with a flag map and the legacy config', () => {
    const response = decideResponse(3);
    expect(response).toMatchObject({
      featureFlags: {},
      config: { enable_collect_everything: true },
      errorsWhileComputingFlags: false,
      ...clientConfigKeys,
    });
    expect(Object.hasOwn(response, 'flags')).toBe(false);
    expect(Object.hasOwn(response, 'surveys')).toBe(false);
  });

  it('adds the flags details map from v4, and answers v1 with a list', () => {
    expect(decideResponse(4)).toMatchObject({ flags: {}, featureFlags: {} });
    expect(decideResponse(1).featureFlags).toEqual([]);
    expect(decideResponse(undefined).featureFlags).toEqual({});
  });
});
