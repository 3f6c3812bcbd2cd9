/**
 * The worker-thread side of `pooledCaptureReader`: reads one capture request off the event loop.
 * Its answer (the extracted events, Dates included) comes back by structured clone.
 */
import type { RawCaptureRequest, ReadCapture } from '@threadline/core';
import { type CaptureReaderSettings, readCaptureRequest } from './read-capture-request.js';

export interface ReadCaptureTask {
  request: RawCaptureRequest;
  receivedAt: Date;
  settings: CaptureReaderSettings;
}

export default function readInWorker({ request, receivedAt, settings }: ReadCaptureTask): ReadCapture {
  return readCaptureRequest(request, receivedAt, settings);
}
