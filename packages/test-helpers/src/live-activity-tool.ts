/** What `get_live_user_activity` answers over MCP: its text content and its structured result. */
export interface LiveActivityToolResult {
  content: { type: string; text: string }[];
  structuredContent: {
    notice: string;
    actions: { description: string; page?: string }[];
  };
}

/**
 * Calls the MCP tool `get_live_user_activity` of a running API over HTTP (JSON-RPC `tools/call`),
 * as Fin's connector does, and answers the tool's result; a non-200 answer throws with its body.
 */
export async function callLiveActivityTool(
  apiUrl: string,
  accessKey: string,
  userId: string,
  productId = 'default',
): Promise<LiveActivityToolResult> {
  const response = await fetch(`${apiUrl}/mcp`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      authorization: `Bearer ${accessKey}`,
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'get_live_user_activity', arguments: { product_id: productId, user_id: userId } },
    }),
  });
  if (response.status !== 200) throw new Error(`/mcp answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { result: LiveActivityToolResult }).result;
}
