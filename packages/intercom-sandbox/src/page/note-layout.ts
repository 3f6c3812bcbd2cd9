/** A pause between two groups of actions: Threadline writes it as an empty paragraph. */
const pauseParagraph = '<p><br></p>';
/** Threadline's reference footer, the last paragraph of each of its notes. */
const referenceFooter = /<p><i>Threadline · ([^<]{1,200})<\/i><\/p>\s*$/;

/** A note body split into what the inbox shows differently: the text, its pauses, its reference. */
export interface NoteLayout {
  /** The body without the footer, each pause replaced by a drawn break. */
  html: string;
  /** `tl-…` when the note is Threadline's. */
  reference: string | undefined;
  pauses: number;
}

export const pauseBreakHtml =
  '<div class="pause-break" data-pause-break role="separator"><span>pause in activity</span></div>';

/** Lays out a sanitised note body for the page (the stored body is untouched). */
export function layOutNote(sanitisedHtml: string): NoteLayout {
  const footer = referenceFooter.exec(sanitisedHtml);
  const withoutFooter = footer ? sanitisedHtml.slice(0, footer.index) : sanitisedHtml;
  const pieces = withoutFooter.split(pauseParagraph);
  return {
    html: pieces.join(pauseBreakHtml),
    reference: footer?.[1],
    pauses: pieces.length - 1,
  };
}
