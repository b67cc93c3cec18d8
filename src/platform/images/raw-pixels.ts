/**
 * Raw RGB pixels (ImageProcessor's working form) without sharp: the checks on their shape and the
 * obscuring of regions (the blur of faces without consent), pure functions on buffers, tested on
 * synthetic pixels.
 */
import { randomFillSync } from 'node:crypto';
import type { BlurOptions, RawRgbImage, Region } from './image-processor.ts';

export function assertPositiveInt(n: number, name: string): void {
  if (!Number.isInteger(n) || n <= 0) throw new RangeError(`${name} must be a positive integer`);
}

export function assertRaw(p: RawRgbImage): void {
  assertPositiveInt(p.width, 'width');
  assertPositiveInt(p.height, 'height');
  if (p.data.length !== p.width * p.height * 3) {
    throw new RangeError('raw RGB data length does not match width × height × 3');
  }
}

export function copyRaw(p: RawRgbImage): RawRgbImage {
  assertRaw(p);
  return { data: Buffer.from(p.data), width: p.width, height: p.height };
}

/**
 * Replaces each region's pixels in place (see {@link ImageProcessor.blurRegions}). Exported for
 * tests of the algorithm on synthetic pixels.
 */
export function obscureRegions(
  pixels: RawRgbImage,
  regions: readonly Region[],
  options: BlurOptions = {},
): void {
  assertRaw(pixels);
  const cellsAcross = Math.min(12, Math.max(2, Math.round(options.strength ?? 4)));
  const margin = Math.max(0, options.margin ?? 0.4);
  for (const r of regions) {
    if (!(r.width > 0 && r.height > 0)) continue;
    const mx = r.width * margin;
    const my = r.height * margin;
    const x0 = Math.max(0, Math.floor(r.x - mx));
    const y0 = Math.max(0, Math.floor(r.y - my));
    const x1 = Math.min(pixels.width, Math.ceil(r.x + r.width + mx));
    const y1 = Math.min(pixels.height, Math.ceil(r.y + r.height + my));
    if (x1 - x0 < 1 || y1 - y0 < 1) continue;
    // Feather only inside the margin, so the region itself is replaced completely.
    const feather = Math.floor(Math.min(mx, my, (Math.min(x1 - x0, y1 - y0) * 0.12) | 0));
    obscureRect(pixels, x0, y0, x1 - x0, y1 - y0, cellsAcross, feather);
  }
}

const NOISE = 28; // ± brightness per block
const COLOUR_NOISE = 8; // ± per channel per block

function obscureRect(
  img: RawRgbImage,
  x0: number,
  y0: number,
  w: number,
  h: number,
  cellsAcross: number,
  feather: number,
): void {
  const { data, width } = img;
  const cell = Math.max(2, Math.max(w, h) / cellsAcross);
  const cols = Math.max(1, Math.round(w / cell));
  const rows = Math.max(1, Math.round(h / cell));
  // 1. Average colour of each block.
  const sums = new Float64Array(cols * rows * 3);
  const counts = new Float64Array(cols * rows);
  for (let y = 0; y < h; y++) {
    const row = Math.min(rows - 1, Math.floor((y * rows) / h));
    let p = ((y0 + y) * width + x0) * 3;
    for (let x = 0; x < w; x++, p += 3) {
      const b = row * cols + Math.min(cols - 1, Math.floor((x * cols) / w));
      sums[b * 3] = sums[b * 3]! + data[p]!;
      sums[b * 3 + 1] = sums[b * 3 + 1]! + data[p + 1]!;
      sums[b * 3 + 2] = sums[b * 3 + 2]! + data[p + 2]!;
      counts[b] = counts[b]! + 1;
    }
  }
  // 2. Random noise on every block, so block averages cannot be read back exactly either.
  //    Mostly the same for the three channels (brightness), a little per channel (colour), so
  //    the result looks like a soft blur rather than confetti.
  const noise = randomFillSync(new Uint8Array(cols * rows * 4));
  const blocks = new Float64Array(cols * rows * 3);
  for (let b = 0; b < cols * rows; b++) {
    const n = counts[b]! || 1;
    const shared = ((noise[b * 4]! / 255) * 2 - 1) * NOISE;
    for (let c = 0; c < 3; c++) {
      const own = ((noise[b * 4 + 1 + c]! / 255) * 2 - 1) * COLOUR_NOISE;
      blocks[b * 3 + c] = sums[b * 3 + c]! / n + shared + own;
    }
  }
  // 3. Smooth (bilinear) reconstruction from block centres, feathered into the surroundings
  //    over the outer `feather` pixels (which lie in the margin, outside the region itself).
  for (let y = 0; y < h; y++) {
    const fy = Math.min(rows - 1, Math.max(0, ((y + 0.5) * rows) / h - 0.5));
    const r0 = Math.floor(fy);
    const r1 = Math.min(rows - 1, r0 + 1);
    const ty = fy - r0;
    const edgeY = Math.min(y + 1, h - y);
    let p = ((y0 + y) * width + x0) * 3;
    for (let x = 0; x < w; x++, p += 3) {
      const fx = Math.min(cols - 1, Math.max(0, ((x + 0.5) * cols) / w - 0.5));
      const c0 = Math.floor(fx);
      const c1 = Math.min(cols - 1, c0 + 1);
      const tx = fx - c0;
      const edge = Math.min(edgeY, x + 1, w - x);
      const alpha = edge > feather ? 1 : edge / (feather + 1);
      for (let c = 0; c < 3; c++) {
        const a = blocks[(r0 * cols + c0) * 3 + c]!;
        const b = blocks[(r0 * cols + c1) * 3 + c]!;
        const d = blocks[(r1 * cols + c0) * 3 + c]!;
        const e = blocks[(r1 * cols + c1) * 3 + c]!;
        const v = (a * (1 - tx) + b * tx) * (1 - ty) + (d * (1 - tx) + e * tx) * ty;
        const out = alpha * v + (1 - alpha) * data[p + c]!;
        data[p + c] = out < 0 ? 0 : out > 255 ? 255 : Math.round(out);
      }
    }
  }
}
