export { isValidIban } from './iban-checksum.js';
export { isSensitiveParameterName } from './is-sensitive-parameter-name.js';
export { passesLuhn } from './luhn.js';
export { isPlaceholder, PLACEHOLDERS, type Placeholder } from './placeholders.js';
export { MAX_REDACTION_INPUT_LENGTH, type RedactionOptions, redactText } from './redact-text.js';
