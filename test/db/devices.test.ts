import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../src/errors.ts';
import type { Principal, StaffRole } from '../../src/modules/auth/principal.ts';

describe('device register (real PostgreSQL)', () => {
  let ctx: TestContext;
  let fx: SchoolFixture;
  let other: SchoolFixture;

  const as = (f: SchoolFixture, role: StaffRole): Principal => ({
    kind: 'staff',
    id: f.staff[role].id,
    schoolId: f.school.id,
    roles: [role],
    name: role,
  });
  const ict = () => ({ kind: 'staff' as const, id: fx.staff.ict_technician.id });

  beforeAll(async () => {
    ctx = await createTestServices();
    [fx, other] = await Promise.all([
      createSchool(ctx.services, { pupils: 4 }),
      createSchool(ctx.services, { pupils: 4 }),
    ]);
  });
  afterAll(async () => ctx?.close());

  it('registers a device as pending, with a unique asset tag, audited', async () => {
    const devices = ctx.services.devices;
    const d = await devices.register(fx.school.id, ict(), {
      name: 'Year 3 iPad',
      deviceType: 'tablet',
      assetTag: 'oak-0042',
    });
    expect(d).toMatchObject({ status: 'pending', assetTag: 'OAK-0042', deviceType: 'tablet' });
    await expect(
      devices.register(fx.school.id, ict(), {
        name: 'Again',
        deviceType: 'camera',
        assetTag: 'OAK-0042 ',
      }),
    ).rejects.toBeInstanceOf(ValidationError);
    // Asset tags are per school.
    await devices.register(
      other.school.id,
      { kind: 'staff', id: other.staff.ict_technician.id },
      {
        name: 'Camera',
        deviceType: 'camera',
        assetTag: 'OAK-0042',
      },
    );
    const audit = await ctx.services.audit.listForSchool(
      fx.school.id,
      { action: 'devices.registered' },
      1,
    );
    expect(audit.total).toBe(1);
    expect(await devices.check(fx.school.id, d.id)).toMatchObject({ kind: 'not_approved' });
  });

  it('lets only the profile’s device approver approve and withdraw; others get a 404', async () => {
    const devices = ctx.services.devices;
    const d = await devices.register(fx.school.id, ict(), {
      name: 'Office camera',
      deviceType: 'camera',
      assetTag: 'CAM-1',
    });
    for (const role of ['teacher', 'ict_technician', 'dpo'] as const) {
      await expect(devices.approve(as(fx, role), d.id)).rejects.toBeInstanceOf(NotFoundError);
    }
    // Another school's Headteacher cannot see it at all.
    await expect(devices.approve(as(other, 'headteacher'), d.id)).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await devices.approve(as(fx, 'headteacher'), d.id);
    expect(await devices.check(fx.school.id, d.id)).toMatchObject({ kind: 'approved' });
    await expect(devices.approve(as(fx, 'headteacher'), d.id)).rejects.toBeInstanceOf(
      ConflictError,
    );
    await devices.withdraw(as(fx, 'headteacher'), d.id);
    expect(await devices.check(fx.school.id, d.id)).toMatchObject({ kind: 'not_approved' });
    const actions = (await ctx.services.audit.listForSchool(fx.school.id, {}, 1)).rows.map(
      (r) => r.action,
    );
    expect(actions).toEqual(
      expect.arrayContaining(['devices.approved', 'devices.approval-withdrawn']),
    );
  });

  it('follows the profile: when the DPO is the approver, the Headteacher is not', async () => {
    await ctx.services.policies.updateSettings(
      fx.school.id,
      { kind: 'staff', id: fx.staff.headteacher.id },
      {
        answers: { 'roles.deviceApproverRole': 'dpo' },
        note: 'DPO approves devices',
        expectedVersion: 1,
      },
    );
    const d = await ctx.services.devices.register(fx.school.id, ict(), {
      name: 'Trip camera',
      deviceType: 'camera',
      assetTag: 'CAM-2',
    });
    await expect(ctx.services.devices.approve(as(fx, 'headteacher'), d.id)).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await ctx.services.devices.approve(as(fx, 'dpo'), d.id);
    expect((await ctx.services.devices.get(fx.school.id, d.id)).status).toBe('approved');
  });

  it('treats an unknown or other school’s device id as unregistered', async () => {
    const theirs = (await ctx.services.devices.list(other.school.id))[0]!;
    expect(await ctx.services.devices.check(fx.school.id, theirs.id)).toEqual({
      kind: 'unregistered',
    });
    expect(await ctx.services.devices.check(fx.school.id, null)).toEqual({ kind: 'unregistered' });
  });
});
