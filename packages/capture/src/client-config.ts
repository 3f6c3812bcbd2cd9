/**
 * The settings posthog-js reads from its remote config (posthog-js `RemoteConfig`), shared by
 * `/array/:token/config`, `/flags?config=true` and legacy `/decide`: autocapture on, everything
 * we do not use off.
 *
 * There is deliberately no `surveys` key: posthog-js loads its surveys bundle whenever the key is
 * present. `hasFeatureFlags` is left out too, so posthog-js still calls `/flags`, gets an empty
 * answer and runs any `onFeatureFlags` callbacks the product registered.
 */
export function clientConfig(): Record<string, unknown> {
  return {
    // posthog-js switches to gzip only when this lists 'gzip-js'; both spellings are what PostHog sends.
    supportedCompression: ['gzip', 'gzip-js'],
    autocapture_opt_out: false,
    // Autocapture events carry `$elements_chain` as one string instead of an `$elements` array.
    elementsChainAsString: true,
    sessionRecording: false,
    heatmaps: false,
    captureDeadClicks: false,
    capturePerformance: false,
    autocaptureExceptions: false,
    errorTracking: { autocaptureExceptions: false },
    siteApps: [],
  };
}
