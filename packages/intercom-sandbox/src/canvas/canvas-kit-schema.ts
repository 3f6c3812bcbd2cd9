import { Ajv, type ValidateFunction } from 'ajv';

/**
 * The Canvas Kit response shapes Intercom documents (developers.intercom.com, Canvas Kit reference:
 * canvas, content, and the presentation and interactive components text, button, list with items,
 * data-table with field-value items, divider, spacer, image). Properties outside the documented ones
 * are refused, so an app that answers with an undocumented component or field fails here as it would
 * render wrongly (or not at all) in the Inbox.
 */
const submitAction = {
  type: 'object',
  additionalProperties: false,
  required: ['type'],
  properties: { type: { const: 'submit' } },
};
const urlAction = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'url'],
  properties: { type: { const: 'url' }, url: { type: 'string' } },
};
const action = { oneOf: [submitAction, urlAction] };

const components = {
  text: {
    type: 'object',
    additionalProperties: false,
    required: ['type', 'text'],
    properties: {
      type: { const: 'text' },
      id: { type: 'string' },
      text: { type: 'string' },
      align: { enum: ['left', 'center', 'right'] },
      style: { enum: ['header', 'paragraph', 'muted', 'error'] },
      bottom_margin: { const: 'none' },
    },
  },
  button: {
    type: 'object',
    additionalProperties: false,
    required: ['type', 'id', 'label', 'action'],
    properties: {
      type: { const: 'button' },
      id: { type: 'string' },
      label: { type: 'string' },
      action,
      style: { enum: ['primary', 'secondary', 'link'] },
      disabled: { type: 'boolean' },
    },
  },
  list: {
    type: 'object',
    additionalProperties: false,
    required: ['type', 'items'],
    properties: {
      type: { const: 'list' },
      disabled: { type: 'boolean' },
      items: {
        type: 'array',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['type', 'id', 'title'],
          properties: {
            type: { const: 'item' },
            id: { type: 'string' },
            title: { type: 'string' },
            subtitle: { type: 'string' },
            tertiary_text: { type: 'string' },
            image: { type: 'string' },
            image_width: { type: 'number' },
            image_height: { type: 'number' },
            rounded_image: { type: 'boolean' },
            disabled: { type: 'boolean' },
            action,
          },
        },
      },
    },
  },
  'data-table': {
    type: 'object',
    additionalProperties: false,
    required: ['type', 'items'],
    properties: {
      type: { const: 'data-table' },
      items: {
        type: 'array',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['type', 'field', 'value'],
          properties: {
            type: { const: 'field-value' },
            field: { type: 'string' },
            value: { type: 'string' },
          },
        },
      },
    },
  },
  divider: {
    type: 'object',
    additionalProperties: false,
    required: ['type'],
    properties: { type: { const: 'divider' }, id: { type: 'string' }, bottom_margin: { const: 'none' } },
  },
  spacer: {
    type: 'object',
    additionalProperties: false,
    required: ['type'],
    properties: {
      type: { const: 'spacer' },
      id: { type: 'string' },
      size: { enum: ['xs', 's', 'm', 'l', 'xl'] },
    },
  },
  image: {
    type: 'object',
    additionalProperties: false,
    required: ['type', 'url', 'width', 'height'],
    properties: {
      type: { const: 'image' },
      id: { type: 'string' },
      url: { type: 'string' },
      align: { enum: ['left', 'center', 'right', 'full_width'] },
      width: { type: 'number' },
      height: { type: 'number' },
      rounded: { type: 'boolean' },
      bottom_margin: { const: 'none' },
      action: urlAction,
    },
  },
};

/** The documented component types, for messages. */
export const documentedComponentTypes = Object.keys(components);

const canvasResponseSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['canvas'],
  properties: {
    canvas: {
      type: 'object',
      additionalProperties: false,
      required: ['content'],
      properties: {
        content: {
          type: 'object',
          additionalProperties: false,
          required: ['components'],
          properties: {
            components: {
              type: 'array',
              items: {
                type: 'object',
                required: ['type'],
                // Each component by its type; an undocumented type matches none.
                discriminator: { propertyName: 'type' },
                oneOf: Object.values(components),
              },
            },
          },
        },
        stored_data: { type: 'object' },
      },
    },
  },
};

let validator: ValidateFunction | undefined;

/** Problems of a Canvas Kit response against the documented shapes (empty: it conforms). */
export function canvasResponseProblems(response: unknown): string[] {
  validator ??= new Ajv({ allErrors: true, strict: false, discriminator: true }).compile(
    canvasResponseSchema,
  );
  if (validator(response)) return [];
  return (validator.errors ?? []).map(
    (error) => `${error.instancePath || '/'} ${error.message ?? 'is invalid'}`,
  );
}
