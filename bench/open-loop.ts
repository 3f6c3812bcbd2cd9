/**
 * A constant-rate ("open loop") HTTP load generator, for figures stated "at a steady N requests/s".
 *
 * autocannon's `overallRate` is not steady: each connection sends its share of the second back to
 * back as soon as the second starts, then idles, and its coordinated-omission correction assumes a
 * 1 ms interval. Here request i is due at `start + i / rate`, whatever happened to earlier requests,
 * and its latency is measured from that due time (as wrk2 does), so a stall on either side is counted
 * in full rather than hidden by sending later.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import * as hdr from 'hdr-histogram-js';
import { Client, Pool } from 'undici';

export interface OpenLoopRequest {
  path: string;
  body: string | Uint8Array;
  headers: Record<string, string>;
}

export interface OpenLoopOptions {
  origin: string;
  rate: number;
  durationSeconds: number;
  /** Keep-alive connections, used in turn; 0 opens a new connection for every request. */
  connections: number;
  nextRequest(): OpenLoopRequest;
}

export interface OpenLoopResult {
  sent: number;
  ok: number;
  failed: number;
  /** Requests answered 2xx per second, from the first send to the last answer. */
  achievedPerSecond: number;
  elapsedSeconds: number;
  latencyMs: { p50: number; p90: number; p99: number; p999: number; max: number };
  /** How late the generator itself sent, p99: if this is large, the machine could not keep the rate. */
  sendLagP99Ms: number;
}

export async function runOpenLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const fresh = options.connections === 0;
  // A fresh connection per request: an unbounded pool whose connections close after one request.
  const clients: (Client | Pool)[] = fresh
    ? [new Pool(options.origin, { connections: null })]
    : Array.from(
        { length: options.connections },
        () => new Client(options.origin, { pipelining: 1, keepAliveTimeout: 30_000 }),
      );
  const latency = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000,
    numberOfSignificantValueDigits: 3,
  });
  const sendLag = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000,
    numberOfSignificantValueDigits: 3,
  });
  const total = Math.round(options.rate * options.durationSeconds);
  const intervalNs = 1e9 / options.rate;
  const inFlight = new Set<Promise<void>>();
  let ok = 0;
  let failed = 0;

  const send = (index: number, dueNs: bigint) => {
    const client = clients[index % clients.length]!;
    const request = options.nextRequest();
    sendLag.recordValue(Number((process.hrtime.bigint() - dueNs) / 1000n));
    const done = client
      .request({
        method: 'POST',
        path: request.path,
        headers: fresh ? { ...request.headers, connection: 'close' } : request.headers,
        body: request.body,
        reset: fresh,
      })
      .then(async (response) => {
        await response.body.dump();
        latency.recordValue(Number((process.hrtime.bigint() - dueNs) / 1000n));
        if (response.statusCode >= 200 && response.statusCode < 300) ok += 1;
        else failed += 1;
      })
      .catch(() => {
        failed += 1;
      })
      .finally(() => inFlight.delete(done));
    inFlight.add(done);
  };

  const startNs = process.hrtime.bigint();
  let sent = 0;
  while (sent < total) {
    const elapsedNs = Number(process.hrtime.bigint() - startNs);
    const due = Math.min(total, Math.floor(elapsedNs / intervalNs) + 1);
    for (; sent < due; sent += 1) send(sent, startNs + BigInt(Math.round(sent * intervalNs)));
    // Sleep until the next request is due. Node's timers have 1 ms steps and may fire late; the
    // latency, measured from the due time, includes that lateness rather than hiding it. (Spinning
    // instead would take a core from the server under test.)
    const nextDueNs = sent * intervalNs - Number(process.hrtime.bigint() - startNs);
    await sleep(Math.max(1, Math.floor(nextDueNs / 1e6)));
  }
  await Promise.all(inFlight);
  const elapsedSeconds = Number(process.hrtime.bigint() - startNs) / 1e9;
  await Promise.all(clients.map((client) => client.close()));

  const ms = (micros: number) => Math.round(micros / 10) / 100;
  return {
    sent,
    ok,
    failed,
    achievedPerSecond: Math.round(ok / elapsedSeconds),
    elapsedSeconds,
    latencyMs: {
      p50: ms(latency.getValueAtPercentile(50)),
      p90: ms(latency.getValueAtPercentile(90)),
      p99: ms(latency.getValueAtPercentile(99)),
      p999: ms(latency.getValueAtPercentile(99.9)),
      max: ms(latency.maxValue),
    },
    sendLagP99Ms: ms(sendLag.getValueAtPercentile(99)),
  };
}
