/**
 * A benchmark's server in a child process of its own (the script itself, run with `--serve <kind>
 * …`), so the load generator does not share its event loop; and the closed-loop autocannon run
 * over a list of JSON bodies that the capture benchmarks drive it with.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

export interface ServeChild {
  url: string;
  child: ChildProcess;
}

/**
 * Runs `script --serve <args…>` with `nodeOptions` and resolves with the `{ url }` the child prints
 * as its first JSON line.
 */
export async function spawnServeChild(
  scriptUrl: string,
  args: string[],
  env: Record<string, string>,
  nodeOptions: string[] = [],
): Promise<ServeChild> {
  const child = spawn(
    process.execPath,
    [...nodeOptions, '--import', 'tsx', fileURLToPath(scriptUrl), '--serve', ...args],
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split('\n').find((candidate) => candidate.startsWith('{'));
      if (line) resolve((JSON.parse(line) as { url: string }).url);
    });
    child.once('exit', (code) => reject(new Error(`${args[0]} server exited with ${code}`)));
  });
  return { url, child };
}

export async function stopServeChild(server: ServeChild): Promise<void> {
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGTERM');
  await exited;
}

/** POSTs `bodies` round robin to `url + path` over `connections` for `duration` seconds. */
export function loadBodies(
  url: string,
  path: string,
  bodies: string[],
  options: { connections: number; duration: number; overallRate?: number },
) {
  let next = 0;
  return autocannon({
    url: `${url}${path}`,
    connections: options.connections,
    duration: options.duration,
    ...(options.overallRate ? { overallRate: options.overallRate } : {}),
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        setupRequest: (request) => {
          next = (next + 1) % bodies.length;
          return { ...request, body: bodies[next] };
        },
      },
    ],
  });
}
