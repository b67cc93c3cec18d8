import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { loadConfig, type Config } from '../../src/config.ts';
import {
  createPlatform,
  createServices,
  type Platform,
  type Services,
} from '../../src/container.ts';
import { SmtpSink } from '../../src/platform/mail/smtp-sink.ts';
import type { Clock } from '../../src/platform/clock.ts';
import type { FaceDetector } from '../../src/platform/faces/face-detector.ts';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/**
 * A fresh database for one test file, cloned from the migrated template (or, with `demo`, from
 * the e2e tier's template with the demo trust seeded: test/setup/global-setup.ts).
 */
export async function createTestDatabase(options: { demo?: boolean } = {}): Promise<TestDatabase> {
  const adminUrl = inject('dbAdminUrl');
  const template = options.demo ? inject('dbDemoTemplate') : inject('dbTemplate');
  const name = `lanyard_t_${crypto.randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
  } finally {
    await admin.end();
  }
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    name,
    drop: async () => {
      const a = new pg.Client({ connectionString: adminUrl });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(() => undefined);
      await a.end();
    },
  };
}

export interface TestContext {
  services: Services;
  platform: Platform;
  config: Config;
  sink: SmtpSink;
  database: TestDatabase;
  dataDir: string;
  close(): Promise<void>;
}

/** The tests' settings: the same secret (and so the same evidence key) in every file. */
export function testConfig(o: {
  url: string;
  dataDir: string;
  smtpUrl: string;
  env?: Record<string, string> | undefined;
}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: o.url,
    DATA_DIR: o.dataDir,
    SESSION_SECRET: 'test-secret-test-secret-test-secret-0123456789',
    SMTP_URL: o.smtpUrl,
    BASE_URL: 'http://lanyard.test',
    LOG_LEVEL: 'silent',
    ...o.env,
  });
}

/** Real services on a fresh database, a real SMTP sink, and a temporary data folder. */
export async function createTestServices(
  options: {
    clock?: Clock;
    env?: Record<string, string>;
    /** A fake face detector (the adapter's test double) for tests that are not about faces. */
    faces?: FaceDetector;
    /** Start with the demo trust (the e2e tier only: cloned from its seeded template). */
    demo?: boolean;
  } = {},
): Promise<TestContext> {
  const database = await createTestDatabase({ demo: options.demo === true });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lanyard-test-data-'));
  // The demo's files (its photos and their renditions) beside its database.
  if (options.demo) fs.cpSync(inject('demoDataDir'), dataDir, { recursive: true });
  const sink = new SmtpSink();
  await sink.start(0);
  const config = testConfig({ url: database.url, dataDir, smtpUrl: sink.url, env: options.env });
  const platform = await createPlatform(config, {
    supervise: false,
    mailSink: sink,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.faces ? { faces: options.faces } : {}),
  });
  const services = createServices(platform);
  return {
    services,
    platform,
    config,
    sink,
    database,
    dataDir,
    close: async () => {
      await platform.close();
      await sink.stop();
      await database.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
