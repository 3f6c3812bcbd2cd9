import type { ElementInfo } from './element-info.js';
import { parseElementsArray } from './parse-elements-array.js';
import { parseElementsChain } from './parse-elements-chain.js';

/** The elements of an autocapture-like event: `$elements_chain` when present, else the older `$elements`. */
export function readElements(properties: Record<string, unknown>): ElementInfo[] {
  const chain = properties.$elements_chain;
  if (typeof chain === 'string' && chain.trim() !== '') return parseElementsChain(chain);
  return parseElementsArray(properties.$elements);
}
