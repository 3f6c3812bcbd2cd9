import { escapeHtml } from '../state/intercom-html-body.js';

/** Styles of the canvas panel (inside it, so the page itself needs no change but the slot). */
const canvasStyle = `
.canvas{border:1px solid #d0d7de;border-radius:8px;padding:10px 12px;margin:8px 0;background:#fbfcfd;max-width:340px}
.canvas .canvas-title{font-size:11px;color:#57606a;text-transform:uppercase;letter-spacing:.04em;margin:0 0 6px}
.canvas .ck-text{margin:0 0 10px}.canvas .ck-text.none{margin-bottom:2px}.canvas .ck-header{font-weight:600;font-size:14px}
.canvas .ck-muted{color:#57606a;font-size:12px}.canvas .ck-error{color:#cf222e;font-weight:600}
.canvas table{border-collapse:collapse;width:100%;font-size:12px;margin:0 0 10px}
.canvas td{padding:2px 4px;vertical-align:top;border-bottom:1px solid #eaeef2}
.canvas td.field{color:#57606a;white-space:nowrap;width:1%}
.canvas hr{border:0;border-top:1px solid #d0d7de;margin:8px 0}
.canvas .canvas-problem{color:#cf222e;font-size:12px}`;

interface Component {
  type?: unknown;
  [key: string]: unknown;
}

const text = (value: unknown) => escapeHtml(typeof value === 'string' ? value : '');

function renderComponent(component: Component, conversationId: string): string {
  switch (component.type) {
    case 'text': {
      const style = typeof component.style === 'string' ? component.style : 'paragraph';
      const margin = component.bottom_margin === 'none' ? ' none' : '';
      return `<p class="ck-text ck-${text(style)}${margin}">${text(component.text)}</p>`;
    }
    case 'data-table': {
      const items = Array.isArray(component.items) ? (component.items as Component[]) : [];
      return `<table>${items.map((item) => `<tr><td class="field">${text(item.field)}</td><td>${text(item.value)}</td></tr>`).join('')}</table>`;
    }
    case 'list': {
      const items = Array.isArray(component.items) ? (component.items as Component[]) : [];
      return `<ul>${items.map((item) => `<li>${text(item.title)} <span class="ck-muted">${text(item.subtitle)}</span></li>`).join('')}</ul>`;
    }
    case 'divider':
      return '<hr>';
    case 'spacer':
      return '<div style="height:8px"></div>';
    case 'button':
      // The sandbox sends the app a submit request for this component, as the Inbox would.
      return `<form method="post" action="/_sandbox/conversations/${escapeHtml(conversationId)}/canvas/submit"><button type="submit" name="component_id" value="${text(component.id)}">${text(component.label)}</button></form>`;
    default:
      return `<p class="canvas-problem">unsupported component ${text(component.type)}</p>`;
  }
}

/**
 * An Inbox app's canvas as the conversation details panel shows it, beside the conversation: every
 * value escaped (Intercom renders text components' Markdown; the sandbox shows it as plain text).
 */
export function renderCanvas(
  conversationId: string,
  answer: { response?: unknown; problems: string[] },
): string {
  const components = (answer.response as { canvas?: { content?: { components?: Component[] } } } | undefined)
    ?.canvas?.content?.components;
  const body = Array.isArray(components)
    ? components.map((component) => renderComponent(component, conversationId)).join('\n')
    : '';
  const problems = answer.problems
    .map((problem) => `<p class="canvas-problem">${escapeHtml(problem)}</p>`)
    .join('');
  return `<aside class="canvas" data-canvas-conversation="${escapeHtml(conversationId)}"><style>${canvasStyle}</style><p class="canvas-title">Inbox app</p>${body}${problems}</aside>`;
}
