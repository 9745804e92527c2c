/*
 * A tiny SVG plotting helper for the examples: scatter plots, trajectories, heat maps and
 * line charts, written as standalone SVG files (no dependencies, deterministic output).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { deflateSync } from "node:zlib";

export interface Panel {
  title: string;
  /** Point clouds: flat [x0, y0, x1, y1, ...] with a colour and radius. */
  points?: { data: ArrayLike<number>; color: string; radius?: number; opacity?: number; maxPoints?: number }[];
  /** Polylines (trajectories): each a flat [x, y, ...] list. */
  lines?: { data: ArrayLike<number>; color: string; width?: number; opacity?: number }[];
  /** A heat map over the panel's box: values[i * cols + j] for row i (y, bottom to top) and column j (x). */
  heat?: { values: ArrayLike<number>; rows: number; cols: number };
  /** Data box [xmin, xmax, ymin, ymax]. */
  box: [number, number, number, number];
  /** A caption under the title. */
  caption?: string;
}

const SIZE = 320;
const PAD = 28;

/** Writes panels side by side into one SVG file. */
export function writePanels(file: string, panels: Panel[]): void {
  const width = panels.length * (SIZE + PAD) + PAD;
  const height = SIZE + 2 * PAD + 20;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
  ];
  panels.forEach((p, k) => {
    const ox = PAD + k * (SIZE + PAD);
    const oy = PAD + 20;
    const [x0, x1, y0, y1] = p.box;
    const sx = (x: number) => ox + ((x - x0) / (x1 - x0)) * SIZE;
    const sy = (y: number) => oy + SIZE - ((y - y0) / (y1 - y0)) * SIZE;
    parts.push(`<text x="${ox}" y="${PAD - 6}" font-size="14" font-weight="bold">${escape(p.title)}</text>`);
    if (p.caption) parts.push(`<text x="${ox}" y="${PAD + 10}" font-size="11" fill="#444">${escape(p.caption)}</text>`);
    parts.push(`<rect x="${ox}" y="${oy}" width="${SIZE}" height="${SIZE}" fill="#fafafa" stroke="#ccc"/>`);
    if (p.heat) {
      // Heat maps are embedded as one small PNG (nearest-neighbour scaled), so a 128 x 128
      // histogram costs a few kB instead of 16k SVG rectangles.
      const { values, rows, cols } = p.heat;
      let lo = Infinity, hi = -Infinity;
      for (let i = 0; i < values.length; i++) {
        const v = values[i] as number;
        if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
      }
      const rgb = new Uint8Array(rows * cols * 3);
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < cols; j++) {
          const v = values[i * cols + j] as number;
          const u = Number.isFinite(v) && hi > lo ? (v - lo) / (hi - lo) : 0;
          // image rows run top to bottom; heat rows run bottom to top
          rgb.set(viridisRgb(u), ((rows - 1 - i) * cols + j) * 3);
        }
      }
      parts.push(`<image x="${ox}" y="${oy}" width="${SIZE}" height="${SIZE}" preserveAspectRatio="none" style="image-rendering:pixelated" href="data:image/png;base64,${encodePng(rgb, cols, rows).toString("base64")}"/>`);
    }
    for (const line of p.lines ?? []) {
      const pts: string[] = [];
      for (let i = 0; i + 1 < line.data.length; i += 2) pts.push(`${sx(line.data[i] as number).toFixed(1)},${sy(line.data[i + 1] as number).toFixed(1)}`);
      parts.push(`<polyline points="${pts.join(" ")}" fill="none" stroke="${line.color}" stroke-width="${line.width ?? 0.6}" stroke-opacity="${line.opacity ?? 0.5}"/>`);
    }
    for (const cloud of p.points ?? []) {
      const r = cloud.radius ?? 1.4;
      const dots: string[] = [];
      // keep committed pictures small: draw at most maxPoints (default 1200) points, the first ones
      const limit = Math.min(cloud.data.length, 2 * (cloud.maxPoints ?? 1200));
      for (let i = 0; i + 1 < limit; i += 2) {
        const x = cloud.data[i] as number, y = cloud.data[i + 1] as number;
        if (x < x0 || x > x1 || y < y0 || y > y1) continue;
        dots.push(`<circle cx="${sx(x).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="${r}"/>`);
      }
      parts.push(`<g fill="${cloud.color}" fill-opacity="${cloud.opacity ?? 0.6}">${dots.join("")}</g>`);
    }
  });
  parts.push("</svg>");
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, parts.join("\n"));
}

/** Writes a line chart (for example a loss curve) as an SVG file. */
export function writeLineChart(file: string, title: string, series: { values: ArrayLike<number>; color: string; label: string }[], logY = true): void {
  const w = 520, h = 260, pad = 40;
  let lo = Infinity, hi = -Infinity, len = 0;
  const f = (v: number) => (logY ? Math.log10(Math.max(v, 1e-12)) : v);
  for (const s of series) {
    len = Math.max(len, s.values.length);
    for (let i = 0; i < s.values.length; i++) {
      const v = f(s.values[i] as number);
      if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    }
  }
  if (!(hi > lo)) hi = lo + 1;
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" font-family="sans-serif">`, `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${pad}" y="20" font-size="14" font-weight="bold">${escape(title)}</text>`,
    `<rect x="${pad}" y="${pad}" width="${w - 2 * pad}" height="${h - 2 * pad}" fill="none" stroke="#ccc"/>`];
  series.forEach((s, k) => {
    const pts: string[] = [];
    for (let i = 0; i < s.values.length; i++) {
      const v = f(s.values[i] as number);
      if (!Number.isFinite(v)) continue;
      pts.push(`${(pad + (i / Math.max(1, len - 1)) * (w - 2 * pad)).toFixed(1)},${(h - pad - ((v - lo) / (hi - lo)) * (h - 2 * pad)).toFixed(1)}`);
    }
    parts.push(`<polyline points="${pts.join(" ")}" fill="none" stroke="${s.color}" stroke-width="1.2"/>`);
    parts.push(`<text x="${w - pad - 150}" y="${pad + 16 + 14 * k}" font-size="11" fill="${s.color}">${escape(s.label)}</text>`);
  });
  parts.push(`<text x="4" y="${pad + 4}" font-size="10">${logY ? `1e${hi.toFixed(1)}` : hi.toPrecision(3)}</text>`);
  parts.push(`<text x="4" y="${h - pad}" font-size="10">${logY ? `1e${lo.toFixed(1)}` : lo.toPrecision(3)}</text>`);
  parts.push("</svg>");
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, parts.join("\n"));
}

function escape(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** A compact viridis-like colour ramp for u in [0, 1]. */
function viridisRgb(u: number): number[] {
  const stops = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
  const x = Math.min(1, Math.max(0, u)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const a = stops[i] as number[], b = stops[i + 1] as number[];
  return a.map((v, k) => Math.round(v + f * ((b[k] as number) - v)));
}

/** Encodes 8-bit RGB pixels (row-major, top row first) as a PNG file. */
function encodePng(rgb: Uint8Array, width: number, height: number): Buffer {
  const raw = Buffer.alloc(height * (1 + 3 * width));
  for (let y = 0; y < height; y++) {
    raw[y * (1 + 3 * width)] = 0; // filter: none
    raw.set(rgb.subarray(y * 3 * width, (y + 1) * 3 * width), y * (1 + 3 * width) + 1);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8 bits, truecolour, deflate, no filter set, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header), chunk("IDAT", deflateSync(raw, { level: 9 })), chunk("IEND", Buffer.alloc(0)),
  ]);
}

function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, "ascii");
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = (CRC_TABLE[(c ^ b) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
