/**
 * Turns an event name into a sentence: `checkout_failed`, `Checkout Failed`, `checkoutFailed` and
 * `checkout.failed` all become `Checkout failed`. Words in capitals (`API`, `CSV`) stay as they are.
 */
export function humanizeEventName(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[\s_.:/-]+/)
    .filter(Boolean)
    .map((word) => (/^[A-Z][a-z]/.test(word) || /^[a-z]/.test(word) ? word.toLowerCase() : word));
  const sentence = words.join(' ');
  return sentence.charAt(0).toUpperCase() + sentence.slice(1);
}
