import type { Database } from '../../platform/db/database.ts';
import { isUniqueViolation } from '../../platform/db/database.ts';
import type { Clock } from '../../platform/clock.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.ts';
import type { Principal } from '../auth/index.ts';
import type { Actor, AuditService } from '../audit/index.ts';
import type { PolicyService } from '../policies/index.ts';
import type { PolicyRole } from '../policies/index.ts';
import type { DeviceRow, DeviceStatus, DevicesRepository } from './devices.repository.ts';
import type { RegisterDeviceInput } from './devices.forms.ts';
import { canApproveDevices } from './devices.policy.ts';

export type { DeviceRow, DeviceStatus };

/** What an upload needs to know about the device it names. */
export type DeviceCheck =
  | { kind: 'approved'; device: DeviceRow }
  | { kind: 'not_approved'; device: DeviceRow }
  | { kind: 'unregistered' };

function staffActor(p: Principal): Actor {
  if (p.kind !== 'staff') throw new NotFoundError();
  return { kind: 'staff', id: p.id };
}

/**
 * The register of school-owned capture devices (SPEC §3.3; `media.schoolDevicesOnly`). The ICT
 * Technician registers; the profile's device approver approves or withdraws. Every change is one
 * transaction with one audit event.
 */
export class DevicesService {
  constructor(
    private readonly deps: {
      database: Database;
      repository: DevicesRepository;
      audit: AuditService;
      clock: Clock;
      policies: PolicyService;
      /** The named responsibilities a member of staff holds now (deviceApproverResponsibilities). */
      responsibilitiesHeld?: (schoolId: string, staffId: string) => Promise<string[]>;
    },
  ) {}

  async list(schoolId: string): Promise<DeviceRow[]> {
    return this.deps.repository.list(this.deps.database.db, schoolId);
  }

  async listApproved(schoolId: string): Promise<DeviceRow[]> {
    return this.deps.repository.listByStatus(this.deps.database.db, schoolId, ['approved']);
  }

  /** The role that approves devices and reviews quarantined media (`roles.deviceApproverRole`). */
  async approverRole(schoolId: string): Promise<PolicyRole> {
    const current = await this.deps.policies.current(schoolId);
    return current.settings.roles.deviceApproverRole.value;
  }

  /** The school's own rule on capture devices, with its clause, for the register page. */
  async schoolDevicesRule(schoolId: string) {
    const current = await this.deps.policies.current(schoolId);
    return current.settings.media.schoolDevicesOnly;
  }

  /**
   * The device approver for this person: the profile's role, and whether they hold one of the
   * profile's `roles.deviceApproverResponsibilities` now (a shared read per school).
   */
  async approverFor(p: Principal): Promise<{ role: PolicyRole; byResponsibility: boolean }> {
    if (p.kind !== 'staff') return { role: 'headteacher', byResponsibility: false };
    const { roles } = (await this.deps.policies.current(p.schoolId)).settings;
    const keys = roles.deviceApproverResponsibilities.value;
    const held = keys.length
      ? ((await this.deps.responsibilitiesHeld?.(p.schoolId, p.id)) ?? [])
      : [];
    return {
      role: roles.deviceApproverRole.value,
      byResponsibility: keys.some((k) => held.includes(k)),
    };
  }

  /** Whether this person is the school's device approver under the current profile. */
  async isApprover(p: Principal): Promise<boolean> {
    if (p.kind !== 'staff') return false;
    const { role, byResponsibility } = await this.approverFor(p);
    return canApproveDevices(p, role, byResponsibility);
  }

  /** The names of the responsibilities whose holders also approve devices (the register page). */
  async approverResponsibilityNames(schoolId: string): Promise<string[]> {
    const { settings } = await this.deps.policies.current(schoolId);
    const names = new Map(settings.people.responsibilities.value.map((r) => [r.key, r.label]));
    return settings.roles.deviceApproverResponsibilities.value.map((k) => names.get(k) ?? k);
  }

  async register(schoolId: string, actor: Actor, input: RegisterDeviceInput): Promise<DeviceRow> {
    const { database, repository, audit, clock } = this.deps;
    const assetTag = input.assetTag.trim().toUpperCase();
    return database.transaction(async (tx) => {
      if (await repository.getByAssetTag(tx.db, schoolId, assetTag)) {
        throw new ValidationError({
          assetTag: `A device with asset tag ${assetTag} is already registered`,
        });
      }
      let device: DeviceRow;
      try {
        device = await repository.create(tx.db, {
          schoolId,
          name: input.name,
          deviceType: input.deviceType,
          assetTag,
          status: 'pending',
          registeredBy: actor.kind === 'staff' ? actor.id : null,
          registeredAt: clock.now(),
        });
      } catch (e) {
        if (isUniqueViolation(e)) {
          throw new ValidationError({
            assetTag: `A device with asset tag ${assetTag} is already registered`,
          });
        }
        throw e;
      }
      await audit.record(tx, {
        schoolId,
        actor,
        action: 'devices.registered',
        entityType: 'capture_device',
        entityId: device.id,
        data: { deviceType: device.deviceType, assetTag },
      });
      return device;
    });
  }

  /** The approver approves a device for photography (`roles.deviceApproverRole`). */
  async approve(p: Principal, deviceId: string): Promise<void> {
    await this.decide(p, deviceId, 'approved');
  }

  /** The approver withdraws approval; later uploads from it go to quarantine. */
  async withdraw(p: Principal, deviceId: string): Promise<void> {
    await this.decide(p, deviceId, 'withdrawn');
  }

  private async decide(p: Principal, deviceId: string, status: DeviceStatus): Promise<void> {
    const actor = staffActor(p);
    if (p.kind !== 'staff' || !(await this.isApprover(p))) throw new NotFoundError();
    const { database, repository, audit, clock } = this.deps;
    await database.transaction(async (tx) => {
      const device = await repository.getForUpdate(tx.db, p.schoolId, deviceId);
      if (!device) throw new NotFoundError();
      if (device.status === status) {
        throw new ConflictError(
          status === 'approved'
            ? 'This device is already approved.'
            : 'This device’s approval has already been withdrawn.',
        );
      }
      if (status === 'withdrawn' && device.status !== 'approved') {
        throw new ConflictError('Only an approved device can have its approval withdrawn.');
      }
      await repository.setStatus(tx.db, p.schoolId, deviceId, {
        status,
        decidedBy: p.id,
        decidedAt: clock.now(),
      });
      await audit.record(tx, {
        schoolId: p.schoolId,
        actor,
        action: status === 'approved' ? 'devices.approved' : 'devices.approval-withdrawn',
        entityType: 'capture_device',
        entityId: deviceId,
        data: { from: device.status, to: status },
      });
    });
  }

  /** The device an upload names: approved, registered but not approved, or not registered. */
  async check(schoolId: string, deviceId: string | null): Promise<DeviceCheck> {
    if (!deviceId) return { kind: 'unregistered' };
    const device = await this.deps.repository.getById(this.deps.database.db, schoolId, deviceId);
    if (!device) return { kind: 'unregistered' };
    return device.status === 'approved'
      ? { kind: 'approved', device }
      : { kind: 'not_approved', device };
  }

  async get(schoolId: string, deviceId: string): Promise<DeviceRow> {
    const device = await this.deps.repository.getById(this.deps.database.db, schoolId, deviceId);
    if (!device) throw new NotFoundError();
    return device;
  }
}
