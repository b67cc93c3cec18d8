import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import PgBoss from 'pg-boss';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres, type EmbeddedServer } from '../../src/platform/db/embedded.ts';
import { runMigrations } from '../../src/platform/db/migrate.ts';
import { createPlatform, createServices, jobNames } from '../../src/container.ts';
import { seedDemoSchool } from '../../src/demo/seed.ts';
import { SmtpSink } from '../../src/platform/mail/smtp-sink.ts';
import { testConfig } from '../support/db.ts';
import { freePort } from '../support/lanyard-process.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    dbAdminUrl: string;
    dbTemplate: string;
    /** The e2e tier's: a database with the demo trust seeded, and its data folder (files). */
    dbDemoTemplate: string;
    demoDataDir: string;
  }
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/**
 * One PostgreSQL server per test run: the machine's (TEST_DATABASE_URL, as CI sets for
 * PostgreSQL 15) or the embedded PostgreSQL 18 in a temporary folder. A template database is
 * migrated once (with pg-boss's schema); each test file clones it.
 */
export default async function setup(project: TestProject) {
  let embedded: EmbeddedServer | undefined;
  let dataDir: string | undefined;
  let adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lanyard-test-pg-'));
    fs.chmodSync(dataDir, 0o755);
    embedded = await startEmbeddedPostgres({
      dataDir,
      port: await freePort(),
      database: 'postgres',
    });
    adminUrl = embedded.adminUrl;
  }
  const template = `lanyard_tpl_${project.name}_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${template}"`);
  await admin.query(`CREATE DATABASE "${template}"`);
  const templateUrl = withDatabase(adminUrl, template);
  await runMigrations(templateUrl);
  const boss = new PgBoss({
    connectionString: templateUrl,
    schema: 'pgboss',
    supervise: false,
    schedule: false,
  });
  await boss.start();
  for (const name of jobNames) await boss.createQueue(name);
  await boss.stop({ graceful: false, wait: true });
  project.provide('dbAdminUrl', adminUrl);
  project.provide('dbTemplate', template);
  // The browser tests each start on the demo trust: seeded once here (about 12 s of CPU, with its
  // photos through face detection), then cloned by every file (a database from this template and
  // a copy of its data folder), not seeded again in each.
  let demo: { database: string; dataDir: string } | undefined;
  if (project.name === 'e2e') {
    demo = await seedDemoTemplate(admin, adminUrl, template);
    project.provide('dbDemoTemplate', demo.database);
    project.provide('demoDataDir', demo.dataDir);
  }
  return async () => {
    if (demo) {
      await admin
        .query(`DROP DATABASE IF EXISTS "${demo.database}" WITH (FORCE)`)
        .catch(() => undefined);
      fs.rmSync(demo.dataDir, { recursive: true, force: true });
    }
    await admin.query(`DROP DATABASE IF EXISTS "${template}" WITH (FORCE)`).catch(() => undefined);
    await admin.end();
    if (embedded) await embedded.stop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  };
}

/**
 * The demo trust seeded into a database of its own (cloned from the migrated template) with the
 * same settings the tests' services use (test/support/db.ts: `testConfig`), then closed so that
 * it can serve as a template.
 */
async function seedDemoTemplate(
  admin: pg.Client,
  adminUrl: string,
  template: string,
): Promise<{ database: string; dataDir: string }> {
  const database = `${template}_demo`;
  await admin.query(`DROP DATABASE IF EXISTS "${database}"`);
  await admin.query(`CREATE DATABASE "${database}" TEMPLATE "${template}"`);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lanyard-e2e-demo-'));
  const sink = new SmtpSink();
  await sink.start(0);
  const platform = await createPlatform(
    testConfig({ url: withDatabase(adminUrl, database), dataDir, smtpUrl: sink.url }),
    { supervise: false, mailSink: sink },
  );
  try {
    await seedDemoSchool(createServices(platform));
  } finally {
    await platform.close();
    await sink.stop();
  }
  return { database, dataDir };
}
