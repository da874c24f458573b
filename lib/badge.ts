const COLORS: Record<string, string> = { up: "#15803d", degraded: "#b45309", down: "#b91c1c" };

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Approximate text width in Verdana 11px, good enough to size a badge. */
const width = (s: string) => Math.round(s.length * 6.6 + 10);

/** A shields.io-style SVG: "<label> | <status> <uptime>". */
export function badgeSvg(label: string, status: string, uptime: string): string {
  const left = esc(label);
  const right = esc(`${status} ${uptime}`.trim());
  const lw = width(label);
  const rw = width(`${status} ${uptime}`.trim());
  const color = COLORS[status] ?? "#64748b";
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${lw + rw}" height="20" role="img" aria-label="${left}: ${right}">
<title>${left}: ${right}</title>
<rect width="${lw}" height="20" fill="#334155"/><rect x="${lw}" width="${rw}" height="20" fill="${color}"/>
<g fill="#fff" text-anchor="middle" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11">
<text x="${lw / 2}" y="14">${left}</text><text x="${lw + rw / 2}" y="14">${right}</text>
</g></svg>`;
}
