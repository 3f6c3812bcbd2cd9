import { type Browser, chromium } from 'playwright-core';

/**
 * Debian's Chromium, headless, as the browser tests drive it. Without the background-networking flags
 * it keeps trying Google's hosts, which this closed network refuses.
 */
export function launchHeadlessChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
