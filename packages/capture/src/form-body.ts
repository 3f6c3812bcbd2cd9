const formFieldPattern = /(?:^|&)(?:data|compression|ver|ip|_)=/;

/** The fields of a posthog-js form body that matter here. */
export interface CaptureForm {
  data: string | undefined;
  compression: string | undefined;
}

/**
 * True when the content type says form, or the text starts like one (posthog-js sendBeacon and
 * older versions post `data=…` with varying or no content type).
 */
export function looksLikeForm(text: string, contentType: string | undefined): boolean {
  if (contentType?.toLowerCase().includes('application/x-www-form-urlencoded')) return true;
  return formFieldPattern.test(text.slice(0, 128));
}

/** Reads `data` and `compression` from an `application/x-www-form-urlencoded` body. */
export function parseCaptureForm(text: string): CaptureForm {
  const params = new URLSearchParams(text);
  return { data: params.get('data') ?? undefined, compression: params.get('compression') ?? undefined };
}
