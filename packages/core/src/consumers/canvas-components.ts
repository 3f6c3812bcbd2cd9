/**
 * The Canvas Kit components Threadline answers with: the subset of Intercom's documented shapes it
 * uses (developers.intercom.com, Canvas Kit reference: text, data-table with field-value items,
 * divider, button with a submit action; the canvas object `{ canvas: { content: { components } } }`).
 */
export interface CanvasText {
  type: 'text';
  id?: string;
  /** Rendered as Markdown by Intercom: only Threadline's own wording goes here, never product text. */
  text: string;
  align?: 'left' | 'center' | 'right';
  style?: 'header' | 'paragraph' | 'muted' | 'error';
  bottom_margin?: 'none';
}

export interface CanvasDataTable {
  type: 'data-table';
  items: { type: 'field-value'; field: string; value: string }[];
}

export interface CanvasDivider {
  type: 'divider';
  id?: string;
}

export interface CanvasButton {
  type: 'button';
  id: string;
  label: string;
  action: { type: 'submit' };
  style?: 'primary' | 'secondary' | 'link';
  disabled?: boolean;
}

export type CanvasComponent = CanvasText | CanvasDataTable | CanvasDivider | CanvasButton;

/** What the initialize and submit requests are answered with. */
export interface CanvasResponse {
  canvas: { content: { components: CanvasComponent[] }; stored_data?: Record<string, unknown> };
}
