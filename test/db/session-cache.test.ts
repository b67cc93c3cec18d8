import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPlatform,
  createServices,
  type Platform,
  type Services,
} from '../../src/container.ts';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, TEST_PASSWORD, type SchoolFixture } from '../support/factories.ts';

/**
 * The session cache across processes (ADR 0018): two sets of services on one database stand for
 * two web processes. Whatever ends or changes a session through one of them (or plain SQL) shows
 * on the other's very next request, although the other keeps sessions in memory.
 */
describe('the session cache with several processes', () => {
  let ctx: TestContext;
  let other: { platform: Platform; services: Services };
  let school: SchoolFixture;
  let sql: pg.Client;

  const signIn = async (email: string) => {
    const result = await ctx.services.auth.signInWithPassword(email, TEST_PASSWORD, '192.0.2.1');
    if (!result.ok) throw new Error(`sign-in as ${email} failed`);
    return result.token;
  };
  /** Two loads in the other process: the second one is kept with its school's version. */
  const loadTwiceThere = async (token: string) => {
    expect(await other.services.auth.loadSession(token)).not.toBeNull();
    return other.services.auth.loadSession(token);
  };

  beforeAll(async () => {
    ctx = await createTestServices();
    school = await createSchool(ctx.services, { slug: 'session-cache', pupils: 2 });
    const platform = await createPlatform(ctx.config, { supervise: false, mailSink: ctx.sink });
    other = { platform, services: createServices(platform) };
    sql = new pg.Client({ connectionString: ctx.database.url });
    await sql.connect();
  });
  afterAll(async () => {
    await sql?.end();
    await other?.platform.close();
    await ctx?.close();
  });

  it('keeps a session in memory: a delete that bypasses the triggers goes unseen', async () => {
    // Proof that the cache is really used (so the tests below are about the version check):
    // a bulk load with triggers off (session_replication_role = replica) does not bump.
    const token = await signIn(school.staff.office.email);
    await loadTwiceThere(token);
    await sql.query('BEGIN');
    await sql.query('SET LOCAL session_replication_role = replica');
    await sql.query('DELETE FROM sessions WHERE principal_id = $1', [school.staff.office.id]);
    await sql.query('COMMIT');
    expect((await other.services.auth.loadSession(token))?.principal.id).toBe(
      school.staff.office.id,
    );
    expect(await ctx.services.auth.loadSession(token)).toBeNull(); // never cached here
  });

  it('signing out through one process stops the session on the other at once', async () => {
    const token = await signIn(school.staff.office.email);
    expect((await loadTwiceThere(token))?.principal.id).toBe(school.staff.office.id);
    await ctx.services.auth.signOut(token);
    expect(await other.services.auth.loadSession(token)).toBeNull();
  });

  it('a new password set through one process ends every session of that person on the other', async () => {
    const first = await signIn(school.staff.office.email);
    const second = await signIn(school.staff.office.email);
    const bystander = await signIn(school.staff.teacher.email);
    await loadTwiceThere(first);
    await loadTwiceThere(second);
    await loadTwiceThere(bystander);
    await ctx.services.auth.setPassword(school.staff.office.id, TEST_PASSWORD);
    expect(await other.services.auth.loadSession(first)).toBeNull();
    expect(await other.services.auth.loadSession(second)).toBeNull();
    expect((await other.services.auth.loadSession(bystander))?.principal.id).toBe(
      school.staff.teacher.id,
    );
  });

  it('deactivating an account (plain SQL) stops its sessions on the next request', async () => {
    const token = await signIn(school.staff.teacher.email);
    await loadTwiceThere(token);
    await sql.query('UPDATE staff SET active = false WHERE id = $1', [school.staff.teacher.id]);
    expect(await other.services.auth.loadSession(token)).toBeNull();
    await sql.query('UPDATE staff SET active = true WHERE id = $1', [school.staff.teacher.id]);
  });

  it('a role change shows in the next request’s principal', async () => {
    const token = await signIn(school.staff.office.email);
    const before = await loadTwiceThere(token);
    expect(before?.principal).toMatchObject({ roles: ['office'] });
    await sql.query(`INSERT INTO staff_roles (school_id, staff_id, role) VALUES ($1, $2, 'dpo')`, [
      school.school.id,
      school.staff.office.id,
    ]);
    const after = await other.services.auth.loadSession(token);
    expect(after?.principal).toMatchObject({ roles: expect.arrayContaining(['office', 'dpo']) });
    await sql.query(`DELETE FROM staff_roles WHERE staff_id = $1 AND role = 'dpo'`, [
      school.staff.office.id,
    ]);
    expect(await other.services.auth.loadSession(token)).toMatchObject({
      principal: { roles: ['office'] },
    });
  });
});
