import fs from 'node:fs';
import path from 'node:path';
import { pidAlive } from './db/embedded.ts';

/**
 * What a running Lanyard server tells CLI commands on the same data folder, in
 * `DATA_DIR/lanyard.server.json`: where its embedded PostgreSQL and its development mail sink
 * listen (the ports actually bound, which may differ from the environment a command runs with,
 * e.g. SMTP_SINK_PORT=0). A command attaches to these instead of starting its own. The file holds
 * no secrets; it is removed when the server stops, and ignored when the process it names is gone.
 */
export interface RunningServer {
  pid: number;
  role: string;
  /** Port of the embedded PostgreSQL this server runs, if it runs one. */
  embeddedPgPort?: number;
  /** smtp:// address of this server's development mail sink, if it runs one. */
  smtpSinkUrl?: string;
  baseUrl?: string;
}

const FILE = 'lanyard.server.json';

export function serverFilePath(dataDir: string): string {
  return path.join(dataDir, FILE);
}

/** Writes the file for this process; the returned function removes it (if still ours). */
export function advertiseServer(dataDir: string, info: Omit<RunningServer, 'pid'>): () => void {
  const file = serverFilePath(dataDir);
  const content: RunningServer = { pid: process.pid, ...info };
  fs.mkdirSync(dataDir, { recursive: true });
  const temporary = `${file}.${process.pid}`;
  fs.writeFileSync(temporary, `${JSON.stringify(content)}\n`, { mode: 0o644 });
  fs.renameSync(temporary, file);
  let removed = false;
  const remove = () => {
    if (removed) return;
    removed = true;
    try {
      const current = JSON.parse(fs.readFileSync(file, 'utf8')) as RunningServer;
      if (current.pid === process.pid) fs.unlinkSync(file);
    } catch {
      /* already gone */
    }
  };
  process.once('exit', remove);
  return remove;
}

/** The server running on this data folder, or undefined if none (or the file is stale). */
export function findRunningServer(dataDir: string): RunningServer | undefined {
  let parsed: RunningServer;
  try {
    parsed = JSON.parse(fs.readFileSync(serverFilePath(dataDir), 'utf8')) as RunningServer;
  } catch {
    return undefined;
  }
  if (!Number.isInteger(parsed.pid) || parsed.pid <= 0 || parsed.pid === process.pid)
    return undefined;
  if (!pidAlive(parsed.pid)) return undefined;
  // A server running the embedded PostgreSQL holds the data-folder lock: if the lock names
  // another process, this file is stale and its pid has been reused.
  if (parsed.embeddedPgPort !== undefined) {
    try {
      if (fs.readFileSync(path.join(dataDir, 'lanyard.lock'), 'utf8').trim() !== String(parsed.pid))
        return undefined;
    } catch {
      return undefined;
    }
  }
  return parsed;
}
