/** The outcome of decoding lz-string's base64 form under a size cap. */
export type Lz64Result = { ok: true; text: string } | { ok: false; reason: 'too_large' | 'corrupt' };

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=';
const alphabetValues = new Map([...alphabet].map((char, index) => [char, index]));

/**
 * Decodes what lz-string's `compressToBase64` produced (posthog-js `compression=lz64`), stopping
 * once the output passes `maxOutputChars`.
 *
 * This is lz-string 1.5's `_decompress` with a cap: the library itself has none, and an LZ78
 * stream whose codes each extend the previous one grows quadratically, so 1 MiB of input can
 * ask for gigabytes of output.
 */
export function decompressLz64Bounded(input: string, maxOutputChars: number): Lz64Result {
  if (input === '') return { ok: false, reason: 'corrupt' };
  const resetValue = 32;
  const length = input.length;
  let value = alphabetValues.get(input.charAt(0)) ?? 0;
  let position = resetValue;
  let index = 1;

  const readBits = (count: number): number => {
    let bits = 0;
    let power = 1;
    const maxPower = 2 ** count;
    while (power !== maxPower) {
      const bit = value & position;
      position >>= 1;
      if (position === 0) {
        position = resetValue;
        value = alphabetValues.get(input.charAt(index)) ?? 0;
        index += 1;
      }
      bits |= (bit > 0 ? 1 : 0) * power;
      power <<= 1;
    }
    return bits;
  };

  const dictionary: string[] = ['', '', ''];
  let enlargeIn = 4;
  let numBits = 3;
  const result: string[] = [];
  let outputChars = 0;

  const first = readBits(2);
  let firstChar: string;
  if (first === 0) firstChar = String.fromCharCode(readBits(8));
  else if (first === 1) firstChar = String.fromCharCode(readBits(16));
  else return { ok: true, text: '' };
  dictionary[3] = firstChar;
  let previous = firstChar;
  result.push(firstChar);
  outputChars += 1;

  for (;;) {
    if (index > length) return { ok: false, reason: 'corrupt' };
    let code = readBits(numBits);
    if (code === 0 || code === 1) {
      dictionary.push(String.fromCharCode(readBits(code === 0 ? 8 : 16)));
      code = dictionary.length - 1;
      enlargeIn -= 1;
    } else if (code === 2) {
      return { ok: true, text: result.join('') };
    }
    if (enlargeIn === 0) {
      enlargeIn = 2 ** numBits;
      numBits += 1;
    }
    let entry: string;
    const known = code > 2 ? dictionary[code] : undefined;
    if (known !== undefined) entry = known;
    else if (code === dictionary.length) entry = previous + previous.charAt(0);
    else return { ok: false, reason: 'corrupt' };

    outputChars += entry.length;
    if (outputChars > maxOutputChars) return { ok: false, reason: 'too_large' };
    result.push(entry);
    dictionary.push(previous + entry.charAt(0));
    enlargeIn -= 1;
    previous = entry;
    if (enlargeIn === 0) {
      enlargeIn = 2 ** numBits;
      numBits += 1;
    }
  }
}
