import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { AtpAgent } from '@atproto/api';

/**
 * A real Bluesky personal data server for the channel tests and benchmark (issue 13): `@atproto/pds`
 * with a local PLC directory (`@did-plc/server`, its operations in a fresh PostgreSQL database on
 * the tests' server), both from npm, installed in test/channels/bluesky/ by
 * test/channels/install-bluesky.sh (which `.ci/run` calls) and run on Node.js 22 from npm
 * (`node@22`; the PDS's better-sqlite3 is built against it). Handles end in `.test` and resolve
 * on the PDS itself; blobs are kept on disk in a temporary folder; no relay, crawler, app view or
 * email is configured, so nothing leaves the machine. When anything is missing,
 * {@link startBluesky} throws a message saying what and how to fix it: a test fails, never skips.
 */

const here = path.dirname(new URL(import.meta.url).pathname);
const SERVERS = path.join(here, 'bluesky', 'servers.mjs');
const INSTALL_HINT = 'Run test/channels/install-bluesky.sh (.ci/run does) and try again.';

export interface BlueskyAccount {
  did: string;
  handle: string;
  /** The account's main password (the tests' own use: Lanyard is only ever given app passwords). */
  password: string;
  /** A session with the main password, for the tests' own reads and app-password changes. */
  agent: AtpAgent;
  /** A new app password (what a school gives Lanyard). */
  newAppPassword(name?: string): Promise<{ name: string; password: string }>;
  /** Revokes an app password, as the account's owner would in Bluesky's settings. */
  revokeAppPassword(name: string): Promise<void>;
  /** The account's posts (the records of app.bsky.feed.post) on the PDS. */
  posts(): Promise<{ uri: string; value: Record<string, unknown> }[]>;
}

export interface BlueskyServers {
  /** The PDS's address, e.g. http://localhost:41234 */
  pdsUrl: string;
  plcUrl: string;
  /** A new account with a `.test` handle. */
  createAccount(name?: string): Promise<BlueskyAccount>;
  /** Stops the PLC directory and the PDS, drops the PLC database, removes the files. */
  stop(): Promise<void>;
}

class BlueskyUnavailable extends Error {
  constructor(why: string) {
    super(
      `The Bluesky test servers (PDS and PLC directory) cannot be started: ${why}. ${INSTALL_HINT}`,
    );
    this.name = 'BlueskyUnavailable';
  }
}

/** Node.js 22 from npm, where .ci/run (and install-bluesky.sh) put it, or LANYARD_NODE22. */
export function node22Path(): string {
  return (
    process.env.LANYARD_NODE22 ||
    path.join(process.env.TMPDIR || '/tmp', 'lanyard-ci-node22', 'node_modules', '.bin', 'node')
  );
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/**
 * Starts a PLC directory and a PDS (about 2–4 seconds). `adminDbUrl` is a PostgreSQL connection
 * that may create databases (the tests' `dbAdminUrl`).
 */
export async function startBluesky(adminDbUrl: string): Promise<BlueskyServers> {
  const node = node22Path();
  if (!fs.existsSync(node)) throw new BlueskyUnavailable(`Node.js 22 is not at ${node}`);
  for (const pkg of ['@atproto/pds', '@did-plc/server', 'better-sqlite3'])
    if (!fs.existsSync(path.join(here, 'bluesky', 'node_modules', pkg, 'package.json')))
      throw new BlueskyUnavailable(`${pkg} is not installed in test/channels/bluesky`);

  const dbName = `lanyard_plc_${process.pid}_${crypto.randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminDbUrl });
  try {
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
  } catch (e) {
    await admin.end().catch(() => undefined);
    throw new BlueskyUnavailable(
      `the PLC directory's PostgreSQL database could not be made (${(e as Error).message})`,
    );
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lanyard-pds-'));
  const dropAll = async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => undefined);
    await admin.end().catch(() => undefined);
    fs.rmSync(dataDir, { recursive: true, force: true });
  };

  const child: ChildProcess = spawn(node, [SERVERS], {
    cwd: path.join(here, 'bluesky'),
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      TMPDIR: process.env.TMPDIR ?? '',
      DATA_DIR: dataDir,
      PLC_DATABASE_URL: withDatabase(adminDbUrl, dbName),
      // The PDS's logs go nowhere (they would name handles); errors still reach stderr.
      LOG_ENABLED: 'false',
      NODE_ENV: 'test',
      // Node's compile cache: the PDS is thousands of modules, a second start reads them faster.
      NODE_COMPILE_CACHE: path.join(here, 'bluesky', 'node_modules', '.compile-cache'),
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  let info: { plcUrl: string; pdsUrl: string; adminPassword: string };
  try {
    info = await new Promise((resolve, reject) => {
      let out = '';
      const timer = setTimeout(
        () => reject(new Error('they did not start within 60 seconds')),
        60_000,
      );
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const line = out.split('\n').find((l) => l.startsWith('{'));
        if (line) {
          clearTimeout(timer);
          resolve(JSON.parse(line));
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`they exited with code ${code}`));
      });
      child.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
  } catch (e) {
    child.kill('SIGKILL');
    await dropAll();
    throw new BlueskyUnavailable(
      `${(e as Error).message}${stderr ? `; stderr: ${stderr.trim()}` : ''}`,
    );
  }

  let accounts = 0;
  const servers: BlueskyServers = {
    pdsUrl: info.pdsUrl,
    plcUrl: info.plcUrl,
    async createAccount(name) {
      const handle = `${name ?? `school${++accounts}`}-${crypto.randomBytes(3).toString('hex')}.test`;
      const password = crypto.randomBytes(12).toString('hex');
      const agent = new AtpAgent({ service: info.pdsUrl });
      await agent.createAccount({ handle, password, email: `${handle}@example.invalid` });
      const did = agent.session!.did;
      return {
        did,
        handle,
        password,
        agent,
        async newAppPassword(appName) {
          const res = await agent.com.atproto.server.createAppPassword({
            name: appName ?? `Lanyard ${crypto.randomBytes(3).toString('hex')}`,
          });
          return { name: res.data.name, password: res.data.password };
        },
        async revokeAppPassword(appName) {
          await agent.com.atproto.server.revokeAppPassword({ name: appName });
        },
        async posts() {
          const res = await agent.com.atproto.repo.listRecords({
            repo: did,
            collection: 'app.bsky.feed.post',
            limit: 100,
          });
          return res.data.records.map((r) => ({
            uri: r.uri,
            value: r.value as Record<string, unknown>,
          }));
        },
      };
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      await dropAll();
    },
  };
  return servers;
}
