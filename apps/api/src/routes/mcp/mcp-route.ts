import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import type { jsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/types.js';
import { type AccessGrant, isProductAllowed } from '@threadline/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiDependencies } from '../../dependencies.js';
import { forbiddenBody, grantOf, requireAccess } from '../activity/require-access.js';
import { createLiveActivityServer, liveActivityToolName } from './live-activity-tool.js';

export const mcpServerVersion = '0.1.0';

/**
 * The product ids a JSON-RPC body asks the tool for. Checked before the MCP server sees the body, so a
 * key of another product gets HTTP 403 (which any client can see) and nothing is read.
 */
function requestedProducts(body: unknown): string[] {
  const messages = Array.isArray(body) ? body : [body];
  const products: string[] = [];
  for (const message of messages) {
    if (typeof message !== 'object' || message === null) continue;
    const { method, params } = message as {
      method?: unknown;
      params?: { name?: unknown; arguments?: unknown };
    };
    if (method !== 'tools/call' || params?.name !== liveActivityToolName) continue;
    const productId = (params.arguments as { product_id?: unknown } | undefined)?.product_id;
    if (typeof productId === 'string') products.push(productId);
  }
  return products;
}

function toWebRequest(request: FastifyRequest): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else if (value !== undefined) headers.set(name, String(value));
  }
  return new Request(`http://${request.host}${request.url}`, { method: request.method, headers });
}

async function answer(
  request: FastifyRequest,
  reply: FastifyReply,
  grant: AccessGrant,
  deps: ApiDependencies,
  validator: jsonSchemaValidator,
) {
  const server = createLiveActivityServer(
    grant,
    { activity: deps.activity, links: deps.links },
    { version: mcpServerVersion, jsonSchemaValidator: validator },
  );
  // Stateless, with plain JSON answers: any replica can take any request, nothing is held open.
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
  });
  transport.onerror = (error) => request.log.debug({ err: error }, 'mcp transport');
  try {
    await server.connect(transport);
    const response = await transport.handleRequest(toWebRequest(request), { parsedBody: request.body });
    const text = await response.text();
    reply.code(response.status);
    response.headers.forEach((value, name) => {
      reply.header(name, value);
    });
    return reply.send(text);
  } finally {
    await server.close();
  }
}

/**
 * `POST /mcp`: MCP over Streamable HTTP (stateless, JSON responses) with the tool
 * `get_live_user_activity`. `GET` and `DELETE` (a server-sent event stream and a session's end) mean
 * nothing without sessions and answer 405, as the SDK's stateless examples do. Every method needs a
 * bearer key first.
 */
export async function mcpRoute(app: FastifyInstance, options: { deps: ApiDependencies }) {
  const { deps } = options;
  const validator = new AjvJsonSchemaValidator();
  app.addHook('onRequest', requireAccess(deps));

  app.post('/mcp', async (request, reply) => {
    const grant = grantOf(request);
    const refused = requestedProducts(request.body).find((productId) => !isProductAllowed(grant, productId));
    if (refused !== undefined) {
      request.log.info({ outcome: 'forbidden' }, 'mcp request');
      return reply.code(403).send(forbiddenBody(grant.productId, refused));
    }
    return answer(request, reply, grant, deps, validator);
  });

  const methodNotAllowed = async (_request: FastifyRequest, reply: FastifyReply) =>
    reply
      .code(405)
      .header('allow', 'POST')
      .send({
        jsonrpc: '2.0',
        error: { code: -32000, message: 'Method not allowed: this MCP server is stateless; send POST /mcp' },
        id: null,
      });
  app.get('/mcp', methodNotAllowed);
  app.delete('/mcp', methodNotAllowed);
}
