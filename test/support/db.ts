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

/** A fresh database for one test file, cloned from the migrated template. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = inject('dbAdminUrl');
  const template = inject('dbTemplate');
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

/** Real services on a fresh database, a real SMTP sink, and a temporary data folder. */
export async function createTestServices(
  options: {
    clock?: Clock;
    env?: Record<string, string>;
    /** A fake face detector (the adapter's test double) for tests that are not about faces. */
    faces?: FaceDetector;
  } = {},
): Promise<TestContext> {
  const database = await createTestDatabase();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lanyard-test-data-'));
  const sink = new SmtpSink();
  await sink.start(0);
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: database.url,
    DATA_DIR: dataDir,
    SESSION_SECRET: 'test-secret-test-secret-test-secret-0123456789',
    SMTP_URL: sink.url,
    BASE_URL: 'http://lanyard.test',
    LOG_LEVEL: 'silent',
    ...options.env,
  });
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
