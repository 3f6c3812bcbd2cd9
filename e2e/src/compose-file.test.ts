import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '@threadline/config';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// No Docker engine in the test run: the compose file is read as YAML (merge keys resolved) and its
// services' environments are fed to the same config validation the processes run.
interface Service {
  profiles?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  networks?: { default?: { aliases?: string[] } };
}
const compose = parse(
  readFileSync(fileURLToPath(new URL('../../docker-compose.yml', import.meta.url)), 'utf8'),
  {
    merge: true,
  },
) as { services: Record<string, Service> };
const services = compose.services;
const inProfile = (profile: string) =>
  Object.entries(services).filter(([, service]) => service.profiles?.includes(profile));

/** What compose's `${VAR:-default}` gives with nothing set in the shell or .env. */
function interpolated(environment: Record<string, string>, given: Record<string, string> = {}) {
  return Object.fromEntries(
    Object.entries(environment).map(([name, value]) => [
      name,
      String(value).replace(
        /\$\{(\w+):-([^}]*)\}/g,
        (_match, variable: string, fallback: string) => given[variable] ?? fallback,
      ),
    ]),
  );
}

describe('docker-compose.yml', () => {
  it('fills in no Intercom setting in the intercom profile: .env alone configures a real workspace', () => {
    const real = inProfile('intercom');
    expect(real.map(([name]) => name).sort()).toEqual(['api', 'worker']);
    for (const [name, service] of real) {
      const text = JSON.stringify(service);
      expect(text, name).not.toMatch(/sandbox/);
      expect(Object.keys(service.environment ?? {}).sort(), name).toEqual(['HOST', 'PORT', 'REDIS_URL']);
    }
  });

  it('a real token without its client secret stops the API and the worker, instead of the sandbox secret', () => {
    const dotEnv = { INTERCOM_ACCESS_TOKEN: 'dG9rOnJlYWw=', CAPTURE_API_KEY: 'phc_real' };
    for (const [name, role] of [
      ['api', 'api'],
      ['worker', 'worker'],
    ] as const) {
      // .env goes to the container whole; `environment` wins over it.
      const env = { ...dotEnv, ...interpolated(services[name]?.environment ?? {}, dotEnv) };
      const result = loadConfig(env, role);
      expect(result.ok, name).toBe(false);
      expect(!result.ok && result.problems).toContain(
        'INTERCOM_CLIENT_SECRET: required when INTERCOM_ACCESS_TOKEN is set (it is the key of webhook signatures)',
      );
    }
    // And the sandbox secret copied into .env is refused against the real API.
    const copied = { ...dotEnv, INTERCOM_CLIENT_SECRET: 'sandbox-client-secret' };
    const result = loadConfig({ ...copied, ...interpolated(services.api?.environment ?? {}, copied) }, 'api');
    expect(!result.ok && result.problems.join('\n')).toMatch(
      /INTERCOM_CLIENT_SECRET: is the public sandbox secret/,
    );
  });

  it('keeps the sandbox defaults in the sandbox profile, where they start a valid loop', () => {
    const sandboxed = inProfile('sandbox');
    expect(sandboxed.map(([name]) => name).sort()).toEqual(['api-sandbox', 'sandbox', 'worker-sandbox']);
    for (const [name, role] of [
      ['api-sandbox', 'api'],
      ['worker-sandbox', 'worker'],
    ] as const) {
      const env = interpolated(services[name]?.environment ?? {});
      expect(env.INTERCOM_API_BASE_URL, name).toBe('http://sandbox:8090');
      const result = loadConfig(env, role);
      expect(result.ok ? [] : result.problems, name).toEqual([]);
    }
    expect(services['api-sandbox']?.networks?.default?.aliases).toEqual(['api']);
  });

  it('publishes the sandbox on the host loopback only and lets it send webhooks only to the API', () => {
    const sandbox = services.sandbox;
    expect(sandbox?.ports).toEqual(['127.0.0.1:8090:8090']);
    expect(sandbox?.environment?.SANDBOX_WEBHOOK_URL).toBe('http://api:8080/webhooks/intercom');
    // Redis is never published.
    expect(services.redis?.ports).toBeUndefined();
  });

  it('puts Caddy in front in the public profile, and the intercom API on the host loopback only', () => {
    expect(services.caddy?.profiles).toEqual(['public']);
    expect(services.caddy?.ports).toEqual(['80:80', '443:443', '443:443/udp']);
    expect(services.api?.ports).toEqual(['127.0.0.1:8080:8080']);
    expect((services.caddy as { volumes?: string[] }).volumes).toContain(
      './deploy/caddy/Caddyfile:/etc/caddy/Caddyfile:ro',
    );
  });

  it('the Caddyfile proxies the public routes only: webhooks and capture yes, /metrics and /admin no', () => {
    const caddyfile = readFileSync(
      fileURLToPath(new URL('../../deploy/caddy/Caddyfile', import.meta.url)),
      'utf8',
    );
    const publicPaths = [...caddyfile.matchAll(/^\s*path (.+)$/gm)].flatMap((match) =>
      match[1]!.split(/\s+/),
    );
    for (const route of [
      '/webhooks/intercom',
      '/batch',
      '/e',
      '/i/v0/e',
      '/capture',
      '/decide',
      '/flags',
      '/mcp',
      '/healthz',
    ])
      expect(publicPaths, route).toContain(route);
    expect(publicPaths.filter((path) => /metrics|admin|readyz/.test(path))).toEqual([]);
    expect(caddyfile).toMatch(/\{\$THREADLINE_PUBLIC_URL:localhost\} \{/);
    expect(caddyfile).toMatch(/reverse_proxy api:8080/);
  });
});
