/** The shared frame of every email: escaping and the HTML layout. */
export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

export const escape = (s: string) => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

export function layout(title: string, paragraphs: string[]): string {
  return `<!doctype html><html><body style="font-family:sans-serif;color:#0f172a"><h2>${escape(title)}</h2>${paragraphs
    .map((p) => `<p>${escape(p)}</p>`)
    .join("")}<p style="color:#64748b;font-size:12px">不良贷款清收交易平台 · NPL Collection Marketplace</p></body></html>`;
}

