import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../src/demo/seed.ts';
import { multipartBody } from '../support/http.ts';
import { FetchClient as Client } from '../support/fetch-client.ts';
import {
  freePort,
  killPostgresFor,
  makeDataDir,
  startLanyard,
  stopLanyard,
  withTimeout,
  type LanyardOptions,
  type LanyardProcess,
} from '../support/lanyard-process.ts';

/**
 * Issue 10 item 9: `kill -9` while a 20,000-row pupil import is being saved. Before the fix the
 * import sat in "Importing" until its pg-boss job expired (15 minutes). Now a worker that starts
 * resumes every import left checking or saving, so it finishes within a minute of the restart.
 * Real processes, the embedded PostgreSQL, the demo school, the pages a school uses.
 */

const ROWS = 20_000;

function bigFile(): Buffer {
  const lines = ['pupil_id,given_name,family_name,date_of_birth,year_group,class'];
  for (let i = 0; i < ROWS; i++) {
    const year = 1 + (i % 6);
    lines.push(
      `R-${200000 + i},Child${i},Family${Math.floor(i / 2)},201${5 + (i % 4)}-0${1 + (i % 9)}-1${i % 9},${year},${year}${'ABC'[i % 3]}`,
    );
  }
  return Buffer.from(lines.join('\n') + '\n');
}

describe('an import interrupted by kill -9 (real processes)', () => {
  const processes: LanyardProcess[] = [];
  let options: LanyardOptions;
  let dataDir: string;

  const start = () => {
    const proc = startLanyard({
      ...options,
      env: { DEMO_SEED: 'true', LOG_LEVEL: 'warn' },
    });
    processes.push(proc);
    return proc;
  };

  beforeAll(async () => {
    dataDir = makeDataDir('lanyard-import-resume-');
    options = { dataDir, port: await freePort(), pgPort: await freePort() };
  });

  afterAll(async () => {
    for (const p of processes) {
      if (p.child.exitCode === null && p.child.signalCode === null) {
        p.child.kill('SIGKILL');
        await p.exited;
      }
    }
    await killPostgresFor(dataDir);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('finishes a 20,000-row import within a minute of the restart', async () => {
    const first = start();
    await withTimeout(first.ready, 120_000, 'the first start');
    const web = new Client(`http://127.0.0.1:${options.port}`);
    await web.request('/sign-in');
    const signIn = await web.form('/sign-in', {
      email: 'office@oakfield.example',
      password: DEMO_PASSWORD,
    });
    expect(signIn.status).toBe(303);

    await web.request('/imports/pupils');
    const upload = multipartBody(
      { _csrf: web.csrf },
      { filename: 'whole-roll.csv', content: bigFile() },
    );
    const uploaded = await web.request('/imports/pupils', {
      method: 'POST',
      body: new Uint8Array(upload.payload),
      type: upload.contentType,
    });
    expect(uploaded.status).toBe(303);
    const importUrl = uploaded.location!;

    let page = '';
    for (let i = 0; i < 240; i++) {
      page = (await web.request(importUrl)).body;
      if (page.includes('Ready to confirm')) break;
      await sleep(500);
    }
    expect(page).toContain('Ready to confirm');
    const confirmed = await web.form(`${importUrl}/confirm`, { roll: 'partial' });
    expect(confirmed.status).toBe(303);

    // Kill the server while it is saving (progress shown, not finished).
    let saving = false;
    for (let i = 0; i < 600 && !saving; i++) {
      page = (await web.request(importUrl)).body;
      saving = /Saving the changes: [\d,]+ of [\d,]+/.test(page) && !/: 0 of/.test(page);
      if (page.includes('Import complete')) break;
      if (!saving) await sleep(50);
    }
    expect(saving, 'the kill must land while the import is being saved').toBe(true);
    first.child.kill('SIGKILL');
    await first.exited;

    const second = start();
    const t0 = performance.now();
    await withTimeout(second.ready, 120_000, 'the restart');
    const readyMs = performance.now() - t0;
    // The session lives in PostgreSQL: the same browser carries on.
    let finished = false;
    while (!finished && performance.now() - t0 < 90_000) {
      page = (await web.request(importUrl)).body;
      finished = page.includes('Import complete') || page.includes('The import did not finish');
      if (!finished) await sleep(250);
    }
    const doneMs = performance.now() - t0;
    console.log(
      JSON.stringify({
        restartReadyMs: Math.round(readyMs),
        importDoneAfterRestartMs: Math.round(doneMs),
      }),
    );
    expect(page).toContain('Import complete');
    expect(page).toMatch(/20,000 pupils imported/);
    expect(doneMs).toBeLessThan(60_000);
    expect(second.output()).toContain('Resumed 1 interrupted pupil import');

    const { code } = await stopLanyard(second, 30_000);
    expect(code).toBe(0);
  }, 400_000);
});
