import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  matchFaces,
  samplePhotos,
  type LabelledBox,
  type SamplePhoto,
} from '../../../test/support/sample-photos.ts';
import { ImageProcessor, type RawRgbImage } from '../images/image-processor.ts';
import {
  BlazeFaceDetector,
  DEFAULT_MODEL_PATH,
  expectedModelSha256,
  FaceModelMissingError,
  mergeDetections,
  resizeInJs,
  type FaceBox,
} from './face-detector.ts';

const processor = new ImageProcessor();
const detector = new BlazeFaceDetector({ resize: (img, w, h) => processor.resizeRaw(img, w, h) });

let photos: SamplePhoto[];
const pixels = new Map<string, RawRgbImage>();

beforeAll(async () => {
  photos = await samplePhotos();
  for (const p of photos) pixels.set(p.name, await processor.rawRgb(await fs.readFile(p.path)));
}, 180_000);

describe('BlazeFaceDetector on real photographs', () => {
  it('finds ≥ 95 % of the hand-labelled faces with ≤ 1 false positive per photo', async () => {
    let found = 0;
    let labelled = 0;
    let falsePositives = 0;
    for (const photo of photos) {
      const boxes = await detector.detect(pixels.get(photo.name)!);
      const m = matchFaces(photo.faces, boxes);
      found += m.found;
      labelled += m.labelled;
      falsePositives += m.falsePositives;
    }
    expect(labelled).toBeGreaterThanOrEqual(22);
    expect(found / labelled).toBeGreaterThanOrEqual(0.95);
    expect(falsePositives / photos.length).toBeLessThanOrEqual(1);
  }, 60_000);

  it('boxes are in pixels of the image given, inside it, with scores above the threshold', async () => {
    const photo = photos[0]!;
    const image = pixels.get(photo.name)!;
    const boxes = await detector.detect(image);
    expect(boxes.length).toBeGreaterThan(0);
    for (const b of boxes) {
      expect(b.x).toBeGreaterThanOrEqual(0);
      expect(b.y).toBeGreaterThanOrEqual(0);
      expect(b.x + b.width).toBeLessThanOrEqual(image.width + 0.001);
      expect(b.y + b.height).toBeLessThanOrEqual(image.height + 0.001);
      expect(b.score).toBeGreaterThanOrEqual(0.65);
      expect(b.score).toBeLessThanOrEqual(1);
    }
  }, 30_000);

  it('finds small faces (about 55–70 px) in a larger group picture', async () => {
    // Sample 5 (five faces, 173–223 px) shrunk to 30 % and placed on a 2400×1600 canvas at
    // (700, 500), as in a class photo.
    const photo = photos.find((p) => p.name === 'sample5.jpg')!;
    const source = pixels.get(photo.name)!;
    const k = 0.3;
    const small = await processor.resizeRaw(
      source,
      Math.round(source.width * k),
      Math.round(source.height * k),
    );
    const canvas = { data: Buffer.alloc(2400 * 1600 * 3, 110), width: 2400, height: 1600 };
    for (let y = 0; y < small.height; y++) {
      small.data.copy(
        canvas.data,
        ((500 + y) * canvas.width + 700) * 3,
        y * small.width * 3,
        (y + 1) * small.width * 3,
      );
    }
    const labels: LabelledBox[] = photo.faces.map((f) => ({
      x: 700 + f.x * k,
      y: 500 + f.y * k,
      width: f.width * k,
      height: f.height * k,
    }));
    const m = matchFaces(labels, await detector.detect(canvas));
    expect(m.found).toBeGreaterThanOrEqual(4);
    expect(m.falsePositives).toBeLessThanOrEqual(1);
  }, 30_000);

  it('the pure-JavaScript pyramid (no resize option) finds the same faces', async () => {
    const plain = new BlazeFaceDetector();
    const photo = photos.find((p) => p.name === 'sample6.jpg')!;
    const m = matchFaces(photo.faces, await plain.detect(pixels.get(photo.name)!));
    expect(m.found).toBe(photo.faces.length);
  }, 30_000);

  it('finds nothing in a blank image or in noise-free flat colour', async () => {
    expect(
      await detector.detect({ data: Buffer.alloc(800 * 600 * 3, 200), width: 800, height: 600 }),
    ).toEqual([]);
    expect(
      await detector.detect({ data: Buffer.alloc(32 * 32 * 3, 10), width: 32, height: 32 }),
    ).toEqual([]);
  });

  it('refuses pixels that are not RGB of the stated size', async () => {
    await expect(
      detector.detect({ data: Buffer.alloc(10 * 10 * 4), width: 10, height: 10 }),
    ).rejects.toThrow(RangeError);
    await expect(detector.detect({ data: Buffer.alloc(0), width: 0, height: 0 })).rejects.toThrow(
      RangeError,
    );
  });
});

describe('the publishable rendition leaves no recoverable detail', () => {
  /** Luma of a rectangle. */
  function luma(img: RawRgbImage, box: LabelledBox): { g: Float64Array; w: number; h: number } {
    const x0 = Math.round(box.x);
    const y0 = Math.round(box.y);
    const w = Math.round(box.width);
    const h = Math.round(box.height);
    const g = new Float64Array(w * h);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const p = ((y0 + y) * img.width + x0 + x) * 3;
        g[y * w + x] = 0.299 * img.data[p]! + 0.587 * img.data[p + 1]! + 0.114 * img.data[p + 2]!;
      }
    }
    return { g, w, h };
  }

  /** The detail layer: the image minus its box blur of radius r (what sharpening would amplify). */
  function detail(g: Float64Array, w: number, h: number, r: number): Float64Array {
    const out = new Float64Array(g.length);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let s = 0;
        let n = 0;
        for (let j = Math.max(0, y - r); j <= Math.min(h - 1, y + r); j++) {
          for (let i = Math.max(0, x - r); i <= Math.min(w - 1, x + r); i++) {
            s += g[j * w + i]!;
            n++;
          }
        }
        out[y * w + x] = g[y * w + x]! - s / n;
      }
    }
    return out;
  }

  const energy = (d: Float64Array): number => d.reduce((s, v) => s + v * v, 0) / d.length;

  function ncc(a: Float64Array, b: Float64Array): number {
    const ma = a.reduce((s, v) => s + v, 0) / a.length;
    const mb = b.reduce((s, v) => s + v, 0) / b.length;
    let num = 0;
    let da = 0;
    let db = 0;
    for (let i = 0; i < a.length; i++) {
      num += (a[i]! - ma) * (b[i]! - mb);
      da += (a[i]! - ma) ** 2;
      db += (b[i]! - mb) ** 2;
    }
    return num / Math.sqrt(da * db);
  }

  it('every blurred face keeps < 5 % of its high-frequency energy, its detail correlates < 0.3 with the original, and the detector no longer sees it', async () => {
    let faces = 0;
    for (const photo of photos) {
      const original = pixels.get(photo.name)!;
      const rendition = await processor.blurRegions(original, photo.faces);
      const blurred = await processor.rawRgb(rendition.data);
      for (const face of photo.faces) {
        const a = luma(original, face);
        const b = luma(blurred, face);
        const r = Math.max(2, Math.round(a.w / 24));
        const da = detail(a.g, a.w, a.h, r);
        const db = detail(b.g, b.w, b.h, r);
        const where = `${photo.name} face at ${Math.round(face.x)},${Math.round(face.y)}`;
        expect(energy(db) / energy(da), `${where}: high-frequency energy ratio`).toBeLessThan(0.05);
        expect(Math.abs(ncc(da, db)), `${where}: detail correlation`).toBeLessThan(0.3);
        faces++;
      }
      // The detector, which found these faces in the original, finds none of them now.
      const after = await detector.detect(blurred);
      const m = matchFaces(photo.faces, after);
      expect(m.found, `${photo.name}: faces still detectable after blurring`).toBe(0);
    }
    expect(faces).toBeGreaterThanOrEqual(22);
  }, 120_000);
});

describe('model loading', () => {
  it('a missing model is a clear error naming the fix', async () => {
    const missing = path.join(os.tmpdir(), 'lanyard-no-such-model.onnx');
    const d = new BlazeFaceDetector({ modelPath: missing });
    const e = await d.detect({ data: Buffer.alloc(3), width: 1, height: 1 }).catch((x) => x);
    expect(e).toBeInstanceOf(FaceModelMissingError);
    expect((e as Error).message).toContain('node scripts/fetch-face-model.mjs');
  });

  it('a model file that fails its sha256 check is refused before it is loaded', async () => {
    const copy = path.join(os.tmpdir(), `lanyard-model-${process.pid}.onnx`);
    await fs.writeFile(
      copy,
      Buffer.concat([await fs.readFile(DEFAULT_MODEL_PATH), Buffer.from([0])]),
    );
    try {
      const d = new BlazeFaceDetector({ modelPath: copy, modelSha256: expectedModelSha256() });
      const e = await d.load().catch((x: unknown) => x);
      expect(e).toBeInstanceOf(FaceModelMissingError);
      expect((e as Error).message).toMatch(/sha256.*node scripts\/fetch-face-model\.mjs/s);
    } finally {
      await fs.rm(copy, { force: true });
    }
  });

  it('the default model path is models/blazeface-back-256.onnx', () => {
    expect(DEFAULT_MODEL_PATH.endsWith(path.join('models', 'blazeface-back-256.onnx'))).toBe(true);
  });
});

describe('mergeDetections', () => {
  const box = (x: number, y: number, size: number, score: number): FaceBox => ({
    x,
    y,
    width: size,
    height: size,
    score,
  });

  it('merges overlapping boxes into their score-weighted mean and keeps distinct faces', () => {
    const merged = mergeDetections(
      [box(100, 100, 50, 0.9), box(104, 104, 50, 0.9), box(300, 100, 50, 0.8)],
      0.3,
      1000,
      1000,
    );
    expect(merged).toHaveLength(2);
    expect(merged[0]!.x).toBeCloseTo(102);
    expect(merged[0]!.y).toBeCloseTo(102);
    expect(merged[0]).toMatchObject({ width: 50, score: 0.9 });
    expect(merged[1]).toMatchObject({ x: 300, score: 0.8 });
  });

  it('absorbs a box lying mostly inside a better one (a face part seen in another tile)', () => {
    const merged = mergeDetections(
      [box(100, 100, 100, 0.95), box(120, 120, 40, 0.7)],
      0.3,
      500,
      500,
    );
    expect(merged).toHaveLength(1);
    expect(merged[0]).toMatchObject({ x: 100, width: 100 });
  });

  it('clips boxes to the image', () => {
    const [b] = mergeDetections([box(-10, 480, 40, 0.9)], 0.3, 500, 500);
    expect(b).toMatchObject({ x: 0, y: 480, height: 20 });
  });
});

describe('resizeInJs', () => {
  it('keeps the average colour when shrinking and enlarging', async () => {
    const w = 103;
    const h = 77;
    const data = Buffer.alloc(w * h * 3);
    for (let i = 0; i < data.length; i++) data[i] = (i * 31) % 256;
    const mean = (d: Uint8Array): number => d.reduce((s, v) => s + v, 0) / d.length;
    for (const [tw, th] of [
      [40, 30],
      [20, 15],
      [250, 180],
    ] as const) {
      const out = await resizeInJs({ data, width: w, height: h }, tw, th);
      expect(out.data.length).toBe(tw * th * 3);
      expect(Math.abs(mean(out.data) - mean(data))).toBeLessThan(4);
    }
  });
});
