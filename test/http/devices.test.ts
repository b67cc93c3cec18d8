/**
 * The device register's forms over HTTP, through the one form pattern (web/form-route.ts):
 * bad answers re-render with the error summary and the answers kept and change nothing; a good
 * one redirects with a message; a person who may not act gets a 404 and learns nothing.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';
import { buildTestApp } from '../support/http.ts';
import { Browser } from '../support/http-principals.ts';

describe('device register forms', () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  let fx: SchoolFixture;
  let ict: Browser;
  let approver: Browser;
  let teacher: Browser;

  const count = async () =>
    Number(
      (
        await ctx.services.database.pool.query<{ n: string }>(
          'SELECT count(*) AS n FROM capture_devices WHERE school_id = $1',
          [fx.school.id],
        )
      ).rows[0]!.n,
    );

  beforeAll(async () => {
    ctx = await createTestServices();
    app = await buildTestApp(ctx);
    fx = await createSchool(ctx.services, { pupils: 2 });
    ict = new Browser(app);
    await ict.signIn(fx.staff.ict_technician.email);
    const role = await ctx.services.devices.approverRole(fx.school.id);
    approver = new Browser(app);
    await approver.signIn(fx.staff[role].email);
    teacher = new Browser(app);
    await teacher.signIn(fx.staff.teacher.email);
  });
  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  it('re-renders bad answers with the error summary and the answers kept, adding nothing', async () => {
    const before = await count();
    const res = await ict.post(
      '/devices',
      { name: 'Hall camera', deviceType: '', assetTag: 'bad tag!' },
      { csrfFrom: '/devices/new' },
    );
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('govuk-error-summary');
    expect(res.body).toContain('Select the type of device');
    expect(res.body).toContain('The asset tag can only contain letters');
    expect(res.body).toContain('value="Hall camera"');
    expect(await count()).toBe(before);
  });

  it('registers a device, redirects to the register and says so there', async () => {
    const res = await ict.post(
      '/devices',
      { name: 'Hall camera', deviceType: 'camera', assetTag: 'CAM-01' },
      { csrfFrom: '/devices/new' },
    );
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/devices');
    const page = await ict.get('/devices');
    expect(page.body).toContain('Hall camera (CAM-01) is registered');
  });

  it('refuses the approval to anyone but the approver with a 404, and approves for the approver', async () => {
    const [device] = await ctx.services.devices.list(fx.school.id);
    const refused = await teacher.post(`/devices/${device!.id}/approve`, {}, { csrfFrom: '/' });
    expect(refused.statusCode).toBe(404);
    const ok = await approver.post(`/devices/${device!.id}/approve`, {}, { csrfFrom: '/devices' });
    expect(ok.statusCode).toBe(303);
    expect((await ctx.services.devices.get(fx.school.id, device!.id)).status).toBe('approved');
  });

  it('needs the withdrawal confirmed (400, nothing changes), and answers a device of nobody with 404', async () => {
    const [device] = await ctx.services.devices.list(fx.school.id);
    const unconfirmed = await approver.post(
      `/devices/${device!.id}/withdraw`,
      {},
      { csrfFrom: '/devices' },
    );
    expect(unconfirmed.statusCode).toBe(400);
    expect(unconfirmed.body).toContain('Confirm that the device is no longer approved');
    expect((await ctx.services.devices.get(fx.school.id, device!.id)).status).toBe('approved');
    const missing = await approver.post(
      '/devices/00000000-0000-4000-8000-000000000000/withdraw',
      { confirm: 'yes' },
      { csrfFrom: '/devices' },
    );
    expect(missing.statusCode).toBe(404);
    const bad = await approver.post('/devices/not-an-id/withdraw', { confirm: 'yes' });
    expect(bad.statusCode).toBe(404);
  });
});
