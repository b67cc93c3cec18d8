import { execFile, spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

/**
 * A real WordPress for the channel tests and benchmark (issue 13): Debian's `wordpress` package
 * served by PHP's built-in web server on a free loopback port, with a fresh MariaDB database and
 * a temporary wp-content per run, installed without a browser (`wp_install` through php-cli).
 * `test/channels/install-wordpress.sh` (called by `.ci/run`) installs the packages; when anything
 * is missing, {@link startWordPress} throws a message saying what and how to fix it, so a test
 * fails rather than skipping.
 */

const run = promisify(execFile);
const here = path.dirname(new URL(import.meta.url).pathname);
const WP_ROOT = '/usr/share/wordpress';
const HOST_CONFIG = '/etc/wordpress/config-lanyard-test.php';
const ROUTER = path.join(here, 'wordpress', 'router.php');
const TOOL = path.join(here, 'wordpress', 'wp-tool.php');
const INSTALL_HINT =
  'Run test/channels/install-wordpress.sh (as root; .ci/run does) and try again.';

export interface WordPressSite {
  /** The site's address, e.g. http://127.0.0.1:41234 */
  url: string;
  /** The Author Lanyard posts as, and their application password. */
  username: string;
  appPassword: string;
  appPasswordUuid: string;
  /** The category the school chose ("School news"), and its id. */
  category: string;
  categoryId: number;
  /** A new application password for a user (default the Author). */
  newAppPassword(login?: string): Promise<{ password: string; uuid: string }>;
  /** Revokes an application password, as an administrator would in WordPress. */
  revoke(uuid: string, login?: string): Promise<void>;
  /** Stops PHP's server (the site is then unreachable) and starts it again on the same port. */
  stopServer(): Promise<void>;
  startServer(): Promise<void>;
  /** Stops the server, drops the database and removes the files. */
  stop(): Promise<void>;
}

class WordPressUnavailable extends Error {
  constructor(why: string) {
    super(`WordPress cannot be started for the channel tests: ${why}. ${INSTALL_HINT}`);
    this.name = 'WordPressUnavailable';
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });

const mysql = (sql: string) =>
  run('mysql', ['-h', '127.0.0.1', '-P', '3306', '-u', 'root', '-NBe', sql], { timeout: 20_000 });

const phpString = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

export async function startWordPress(): Promise<WordPressSite> {
  if (!fs.existsSync(path.join(WP_ROOT, 'wp-load.php')))
    throw new WordPressUnavailable(`Debian's wordpress package is not installed (${WP_ROOT})`);
  if (!fs.existsSync(HOST_CONFIG)) throw new WordPressUnavailable(`${HOST_CONFIG} is missing`);
  await run('php', ['--version']).catch(() => {
    throw new WordPressUnavailable('php (php-cli) is not installed');
  });
  await mysql('SELECT 1').catch((e: Error) => {
    throw new WordPressUnavailable(
      `MariaDB does not answer on 127.0.0.1:3306 as root without a password (${e.message.split('\n')[0]})`,
    );
  });

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lanyard-wp-'));
  const content = path.join(dir, 'wp-content');
  for (const d of ['uploads', 'plugins', 'themes'])
    fs.mkdirSync(path.join(content, d), { recursive: true });
  const database = `lanyard_wp_${process.pid}_${crypto.randomBytes(4).toString('hex')}`;
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const configFile = path.join(dir, 'config.php');
  const keys = [
    'AUTH_KEY',
    'SECURE_AUTH_KEY',
    'LOGGED_IN_KEY',
    'NONCE_KEY',
    'AUTH_SALT',
    'SECURE_AUTH_SALT',
    'LOGGED_IN_SALT',
    'NONCE_SALT',
  ];
  fs.writeFileSync(
    configFile,
    [
      '<?php',
      `define('DB_NAME', ${phpString(database)});`,
      "define('DB_USER', 'root');",
      "define('DB_PASSWORD', '');",
      "define('DB_HOST', '127.0.0.1:3306');",
      "define('DB_CHARSET', 'utf8mb4');",
      `define('WP_CONTENT_DIR', ${phpString(content)});`,
      `define('WP_CONTENT_URL', ${phpString(`${url}/wp-content`)});`,
      `define('WP_HOME', ${phpString(url)});`,
      `define('WP_SITEURL', ${phpString(url)});`,
      // Application Passwords over plain http need a 'local' environment (else HTTPS).
      "define('WP_ENVIRONMENT_TYPE', 'local');",
      "define('DISABLE_WP_CRON', true);",
      "define('AUTOMATIC_UPDATER_DISABLED', true);",
      "define('WP_HTTP_BLOCK_EXTERNAL', true);",
      "define('WP_DEBUG', false);",
      ...keys.map((k) => `define('${k}', '${crypto.randomBytes(32).toString('hex')}');`),
      "$table_prefix = 'wp_';",
      '',
    ].join('\n'),
  );
  const env = {
    ...process.env,
    LANYARD_WP_CONFIG: configFile,
    LANYARD_WP_CONTENT: content,
    LANYARD_WP_URL: url,
    PHP_CLI_SERVER_WORKERS: '4',
  };
  const tool = async (...args: string[]) => {
    const { stdout } = await run('php', [TOOL, ...args], { env, timeout: 60_000 }).catch(
      (e: Error & { stderr?: string }) => {
        throw new WordPressUnavailable(
          `php wp-tool.php ${args[0]} failed: ${(e.stderr || e.message).trim().slice(0, 300)}`,
        );
      },
    );
    return JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, unknown>;
  };

  let server: ChildProcess | null = null;
  let serverLog = '';
  const startServer = async () => {
    serverLog = '';
    const child = spawn('php', ['-S', `127.0.0.1:${port}`, '-t', WP_ROOT, ROUTER], {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
      // Its own process group: PHP_CLI_SERVER_WORKERS forks workers, stopped with the group.
      detached: true,
    });
    child.stderr!.on('data', (b: Buffer) => {
      serverLog = (serverLog + b.toString('utf8')).slice(-2000);
    });
    server = child;
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (child.exitCode !== null)
        throw new WordPressUnavailable(`php -S exited (${serverLog.trim().slice(-300)})`);
      try {
        const res = await fetch(`${url}/?rest_route=/`, { signal: AbortSignal.timeout(2000) });
        await res.arrayBuffer();
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline)
        throw new WordPressUnavailable(`PHP's server did not answer on ${url} within 20 seconds`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const stopServer = async () => {
    const child = server;
    server = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    const signal = (s: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, s);
      } catch {
        // already gone
      }
    };
    signal('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
    if (child.exitCode === null) signal('SIGKILL');
    // The workers may outlive the parent by a moment: wait until the port is free.
    for (let i = 0; i < 50 && (await listening(port)); i++)
      await new Promise((r) => setTimeout(r, 50));
  };
  const stop = async () => {
    await stopServer();
    await mysql(`DROP DATABASE IF EXISTS \`${database}\``).catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  };

  try {
    await mysql(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4`);
    const installed = await tool('install');
    const app = await tool('app-password', 'lanyard');
    await startServer();
    return {
      url,
      username: 'lanyard',
      appPassword: String(app.password),
      appPasswordUuid: String(app.uuid),
      category: 'School news',
      categoryId: Number(installed.categoryId),
      newAppPassword: async (login = 'lanyard') => {
        const r = await tool('app-password', login);
        return { password: String(r.password), uuid: String(r.uuid) };
      },
      revoke: async (uuid, login = 'lanyard') => void (await tool('revoke', login, uuid)),
      stopServer,
      startServer,
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
