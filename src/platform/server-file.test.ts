import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { advertiseServer, findRunningServer, serverFilePath } from './server-file.ts';

describe('the running-server file', () => {
  const dirs: string[] = [];
  const children: ReturnType<typeof spawn>[] = [];
  const folder = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lanyard-server-file-'));
    dirs.push(dir);
    return dir;
  };
  /** Another live process, standing in for a server. */
  const otherProcess = () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)']);
    children.push(child);
    return child;
  };
  afterEach(() => {
    for (const c of children.splice(0)) c.kill('SIGKILL');
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  it('is written by a server and removed when it stops, never someone else’s', () => {
    const dir = folder();
    const remove = advertiseServer(dir, { role: 'all', smtpSinkUrl: 'smtp://127.0.0.1:2525' });
    const written = JSON.parse(fs.readFileSync(serverFilePath(dir), 'utf8')) as { pid: number };
    expect(written).toEqual({
      pid: process.pid,
      role: 'all',
      smtpSinkUrl: 'smtp://127.0.0.1:2525',
    });
    expect(findRunningServer(dir)).toBeUndefined(); // this process is not "another server"
    fs.writeFileSync(serverFilePath(dir), JSON.stringify({ pid: 999_999_999, role: 'all' }));
    remove();
    expect(fs.existsSync(serverFilePath(dir))).toBe(true); // a newer server's file stays
  });

  it('names a live server; a dead one, or one whose pid the lock does not name, is ignored', async () => {
    const dir = folder();
    const server = otherProcess();
    const info = { pid: server.pid, role: 'all', embeddedPgPort: 54329 };
    fs.writeFileSync(serverFilePath(dir), JSON.stringify(info));
    fs.writeFileSync(path.join(dir, 'lanyard.lock'), String(server.pid));
    expect(findRunningServer(dir)).toEqual(info);

    fs.writeFileSync(path.join(dir, 'lanyard.lock'), String(server.pid! + 1));
    expect(findRunningServer(dir)).toBeUndefined(); // stale file, reused pid

    fs.writeFileSync(path.join(dir, 'lanyard.lock'), String(server.pid));
    server.kill('SIGKILL');
    await new Promise((resolve) => server.once('exit', resolve));
    expect(findRunningServer(dir)).toBeUndefined();
    expect(findRunningServer(folder())).toBeUndefined(); // no file at all
  });
});
