import { hash } from 'node:crypto';
import { LruMap } from '../redaction/lru-map.js';
import type { ActionType } from './action.js';
import { cleanText, MAX_VALUE_LENGTH } from './clean-text.js';
import { describeClickTarget, describeField, describeForm, type ElementLabel } from './describe-element.js';
import type { ResolvedDescribeOptions } from './describe-options.js';
import { readElements } from './read-elements.js';
import { readText } from './read-property.js';

/** A described interaction before it becomes an action. */
export interface Interaction {
  type: ActionType;
  description: string;
}

function quoted(label: ElementLabel, options: ResolvedDescribeOptions): string | undefined {
  if (label.label === undefined) return undefined;
  const text = cleanText(label.label, MAX_VALUE_LENGTH, options.redaction);
  return text === '' ? undefined : `"${text}"`;
}

function onPage(page: string | undefined): string {
  return page ? ` on ${page}` : '';
}

function describeClickedThing(properties: Record<string, unknown>, options: ResolvedDescribeOptions): string {
  const elements = readElements(properties);
  const target = describeClickTarget(elements, readText(properties, '$el_text'));
  const name = quoted(target, options);
  if (name) return target.role ? `${name} ${target.role}` : name;
  return `an unlabelled ${target.role ?? (elements[0]?.tag || 'element')}`;
}

/**
 * The same buttons are clicked over and over, so what was clicked is remembered by a digest of the
 * element chain and `$el_text` it was read from: parsing the chain is the dearest part of describing.
 * Only the digest and the redacted name are kept, never the raw chain.
 */
const CLICKED_THINGS = new LruMap<string, string>(2048);

function clickedThing(properties: Record<string, unknown>, options: ResolvedDescribeOptions): string {
  const chain = properties.$elements_chain;
  const hasExtraPatterns = (options.redaction.extraPatterns?.length ?? 0) > 0;
  if (typeof chain !== 'string' || chain.trim() === '' || hasExtraPatterns) {
    return describeClickedThing(properties, options);
  }
  const fallbackText = readText(properties, '$el_text') ?? '';
  // The length prefix keeps (text, chain) pairs apart that would concatenate to the same string.
  const digest = hash('sha1', `${fallbackText.length}:${fallbackText}${chain}`, 'base64');
  const known = CLICKED_THINGS.get(digest);
  if (known !== undefined) return known;
  const thing = describeClickedThing(properties, options);
  CLICKED_THINGS.set(digest, thing);
  return thing;
}

/**
 * Describes clicks, rage clicks, dead clicks, form submits and field changes from their elements.
 * Returns null for autocapture kinds a support agent has no use for (copy, cut…).
 */
export function describeInteraction(
  event: string,
  properties: Record<string, unknown>,
  page: string | undefined,
  options: ResolvedDescribeOptions,
): Interaction | null {
  if (event === '$rageclick') {
    return {
      type: 'rageclick',
      description: `Rage-clicked ${clickedThing(properties, options)}${onPage(page)}`,
    };
  }
  if (event === '$dead_click') {
    return {
      type: 'deadclick',
      description: `Clicked ${clickedThing(properties, options)}${onPage(page)} but nothing happened`,
    };
  }
  switch (readText(properties, '$event_type')) {
    case 'click':
      return { type: 'click', description: `Clicked ${clickedThing(properties, options)}${onPage(page)}` };
    case 'submit': {
      const name = quoted(describeForm(readElements(properties)), options);
      return {
        type: 'submit',
        description: `Submitted ${name ? `the ${name} form` : 'a form'}${onPage(page)}`,
      };
    }
    case 'form_start': {
      const name = quoted(describeForm(readElements(properties)), options);
      return {
        type: 'change',
        description: `Started filling in ${name ? `the ${name} form` : 'a form'}${onPage(page)}`,
      };
    }
    case 'change': {
      const field = describeField(readElements(properties));
      const name = quoted(field, options);
      const role = field.role ?? 'field';
      return {
        type: 'change',
        description: `Changed ${name ? `the ${name} ${role}` : `a ${role}`}${onPage(page)}`,
      };
    }
    default:
      return null;
  }
}
