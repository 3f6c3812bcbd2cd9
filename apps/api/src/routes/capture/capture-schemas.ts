/** Fastify route schemas of the capture routes (bodies stay raw bytes: they are decoded by the use case). */

/** The query values posthog-js sends (each read by the use case, which bounds them); others are ignored. */
export const captureQuerySchema = {
  type: 'object',
  properties: {
    compression: { type: 'string' },
    ver: { type: 'string' },
    _: { type: 'string' },
    ip: { type: 'string' },
    data: { type: 'string' },
  },
} as const;

export const captureResponseSchema = {
  type: 'object',
  required: ['status'],
  properties: { status: { type: 'integer' } },
} as const;

/** Every refusal: a stable code and a sentence for the developer who reads it. */
export const captureErrorSchema = {
  type: 'object',
  required: ['error', 'message'],
  properties: { error: { type: 'string' }, message: { type: 'string' } },
} as const;

export const remoteConfigParamsSchema = {
  type: 'object',
  required: ['token'],
  properties: { token: { type: 'string', minLength: 1, maxLength: 200 } },
} as const;

export const decideQuerySchema = {
  type: 'object',
  properties: { v: { type: 'string', maxLength: 8 } },
} as const;
