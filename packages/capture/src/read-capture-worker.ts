/**
 * The worker-thread side of `startCaptureReader`: reads one capture request off the event loop
 * and, with a budget, describes its events there too (the describing of a 1,000-event batch is
 * what would otherwise take the event loop's time, in slices, from every other request). Its
 * answer (events, Dates included, and actions) comes back by structured clone.
 */
import { type Action, describeEvent, type RawCaptureRequest, type ReadCapture } from '@threadline/core';
import { type CaptureReaderSettings, readCaptureRequest } from './read-capture-request.js';

export interface ReadCaptureTask {
  request: RawCaptureRequest;
  receivedAt: Date;
  settings: CaptureReaderSettings;
  /** CAPTURE_CPU_BUDGET_MS: describe the events, the first ones that fit in this much time. */
  describeBudgetMs?: number;
}

export default function readInWorker({
  request,
  receivedAt,
  settings,
  describeBudgetMs,
}: ReadCaptureTask): ReadCapture {
  const read = readCaptureRequest(request, receivedAt, settings);
  // Neither key: refused whatever its events say.
  if (!read.ok || read.key === null || describeBudgetMs === undefined) return read;
  const described: (Action | null)[] = [];
  const started = performance.now();
  for (const event of read.events) {
    described.push(describeEvent(event));
    if (performance.now() - started > describeBudgetMs) break;
  }
  return { ...read, described };
}
