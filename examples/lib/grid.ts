/*
 * A picture grid for the few-step comparison: one row per method, one column per step
 * count, each cell a scatter of generated samples over the data in grey.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

export interface GridCell {
  /** Generated samples, flat [x, y, ...]. */
  points: ArrayLike<number>;
  /** Small caption (for example "W2 0.31"). */
  caption: string;
}

const CELL = 150;
const PAD = 8;
const LEFT = 120;
const TOP = 44;

export function writeGrid(file: string, title: string, columns: string[], rows: { label: string; cells: (GridCell | null)[] }[],
  reference: ArrayLike<number>, box: [number, number, number, number], maxPoints = 300): void {
  const width = LEFT + columns.length * (CELL + PAD) + PAD;
  const height = TOP + rows.length * (CELL + PAD + 14) + PAD;
  const [x0, x1, y0, y1] = box;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${PAD}" y="18" font-size="14" font-weight="bold">${escape(title)}</text>`,
  ];
  columns.forEach((c, j) => parts.push(`<text x="${LEFT + j * (CELL + PAD) + CELL / 2}" y="${TOP - 8}" font-size="12" text-anchor="middle">${escape(c)}</text>`));
  // each point is a small square in one <path> per cell, and the data cloud is defined once
  // and reused, which keeps a 7 x 4 grid at about 100 kB
  const dots = (data: ArrayLike<number>, size: number): string => {
    const out: string[] = [];
    for (let i = 0; i + 1 < Math.min(data.length, 2 * maxPoints); i += 2) {
      const x = data[i] as number, y = data[i + 1] as number;
      if (!(x >= x0 && x <= x1 && y >= y0 && y <= y1)) continue;
      out.push(`M${(((x - x0) / (x1 - x0)) * CELL).toFixed(1)} ${(CELL - ((y - y0) / (y1 - y0)) * CELL).toFixed(1)}h${size}v${size}h-${size}z`);
    }
    return out.join("");
  };
  parts.push(`<defs><path id="data" fill="#bbb" fill-opacity="0.6" d="${dots(reference, 1.4)}"/></defs>`);
  rows.forEach((row, i) => {
    const oy = TOP + i * (CELL + PAD + 14);
    parts.push(`<text x="${PAD}" y="${oy + CELL / 2}" font-size="12">${escape(row.label)}</text>`);
    row.cells.forEach((cell, j) => {
      const ox = LEFT + j * (CELL + PAD);
      parts.push(`<rect x="${ox}" y="${oy}" width="${CELL}" height="${CELL}" fill="#fafafa" stroke="#ccc"/>`);
      if (cell === null) return;
      parts.push(`<use href="#data" transform="translate(${ox},${oy})"/>`);
      parts.push(`<path transform="translate(${ox},${oy})" fill="#d62728" fill-opacity="0.6" d="${dots(cell.points, 1.6)}"/>`);
      parts.push(`<text x="${ox + 3}" y="${oy + CELL + 12}" font-size="10" fill="#444">${escape(cell.caption)}</text>`);
    });
  });
  parts.push("</svg>");
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, parts.join("\n"));
}

function escape(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
