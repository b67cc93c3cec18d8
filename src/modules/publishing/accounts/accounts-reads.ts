/**
 * Reading channel accounts for the staff pages: the list, one account's detail, the staff who
 * may be chosen, and the school's news channel (made on first use).
 */
import { NotFoundError } from '../../../errors.ts';
import type { Principal, StaffPrincipal } from '../../auth/index.ts';
import type { ChannelAccountRow } from './accounts.repository.ts';
import { canViewChannels } from './accounts.policy.ts';
import {
  asKind,
  type StaffOption,
  type ChannelView,
  type ChannelDetail,
  type AccountsParts,
  type AccountsDeps,
} from './accounts-deps.ts';

export class AccountsReads {
  constructor(
    private readonly deps: AccountsDeps,
    private readonly parts: AccountsParts,
  ) {}

  // ---------------------------------------------------------------------------------------
  // Reading
  // ---------------------------------------------------------------------------------------

  names(schoolId: string, ids: (string | null)[]): Promise<Map<string, string>> {
    const wanted = [...new Set(ids.filter((x): x is string => !!x))];
    return wanted.length ? this.deps.staff.names(schoolId, wanted) : Promise.resolve(new Map());
  }

  /**
   * The built-in news page channel, created the first time it is asked for. It maps to the
   * profile's website purpose (`school_website` when the profile has it, else its first purpose
   * seen outside the school); the custodian is the first person holding the custodian role.
   */
  async ensureNewsChannel(schoolId: string): Promise<ChannelAccountRow> {
    const { database, repository, clock } = this.deps;
    const existing = await repository.getNews(database.db, schoolId);
    if (existing) return existing;
    const purposes = await this.parts.managers.purposes(schoolId);
    const purpose = purposes.find((x) => x.key === 'school_website') ?? purposes[0]!;
    const custodian = await this.defaultCustodian(schoolId);
    const created = await repository.insertNewsIfMissing(database.db, {
      schoolId,
      kind: 'news',
      name: 'School news page',
      purposeKey: purpose.key,
      audience: 'public',
      comments: 'off',
      custodianId: custodian?.id ?? null,
      createdAt: clock.now(),
      updatedAt: clock.now(),
    });
    return created ?? (await repository.getNews(database.db, schoolId))!;
  }

  /** The principal, when they may see the channels (`canViewChannels`); a 404 for anyone else. */
  private viewer(p: Principal): StaffPrincipal {
    if (p.kind !== 'staff' || !canViewChannels(p)) throw new NotFoundError();
    return p;
  }

  /**
   * Every channel of the school, and whether this person manages them. Only managers see a
   * webhook's address (it may carry the receiver's own key).
   */
  async list(p: Principal): Promise<{ channels: ChannelView[]; canManage: boolean }> {
    const v = this.viewer(p);
    await this.ensureNewsChannel(v.schoolId);
    const [rows, canManage] = await Promise.all([
      this.deps.repository.list(this.deps.database.db, v.schoolId),
      this.parts.managers.canManage(v),
    ]);
    const channels = await this.views(v.schoolId, rows);
    return {
      channels: canManage ? channels : channels.map((c) => ({ ...c, endpointUrl: null })),
      canManage,
    };
  }

  /**
   * One channel with its posters and hand-overs; managers also see a webhook's address and its
   * recent deliveries.
   */
  async detail(p: Principal, id: string): Promise<ChannelDetail & { canManage: boolean }> {
    const v = this.viewer(p);
    const canManage = await this.parts.managers.canManage(v);
    const { database, repository } = this.deps;
    const row = await repository.getById(database.db, v.schoolId, id);
    if (!row) throw new NotFoundError();
    const [[view], posterRows, handovers, deliveries, active] = await Promise.all([
      this.views(v.schoolId, [{ ...row, posters: 0 }]),
      repository.posters(database.db, v.schoolId, id),
      repository.handovers(database.db, v.schoolId, id),
      row.kind === 'webhook' && canManage
        ? repository.deliveries(database.db, v.schoolId, id, 50)
        : Promise.resolve([]),
      this.deps.staff.active(v.schoolId),
    ]);
    const names = await this.names(v.schoolId, [
      ...handovers.flatMap((h) => [h.fromStaffId, h.toStaffId, h.recordedBy]),
      ...posterRows.map((x) => x.staffId),
    ]);
    const activeIds = new Set(active.map((x) => x.id));
    const posterList = posterRows
      .map((x) => ({
        staffId: x.staffId,
        name: names.get(x.staffId) ?? 'A former member of staff',
        active: activeIds.has(x.staffId),
        addedAt: x.addedAt,
      }))
      .sort((a, b) => a.name.localeCompare(b.name, 'en-GB'));
    return {
      ...view!,
      endpointUrl: canManage ? view!.endpointUrl : null,
      canManage,
      posters: posterList.length,
      posterList,
      handovers: handovers.map((h) => ({
        id: h.id,
        fromName: h.fromStaffId ? (names.get(h.fromStaffId) ?? 'A former member of staff') : null,
        toName: names.get(h.toStaffId) ?? 'A former member of staff',
        at: h.at,
        reason: h.reason,
        recordedByName: h.recordedBy ? (names.get(h.recordedBy) ?? null) : null,
      })),
      deliveries: deliveries.map((d) => ({
        id: d.id,
        event: d.event,
        statusCode: d.statusCode,
        attempt: d.attempt,
        error: d.error,
        at: d.at,
      })),
    };
  }

  /** Active staff, for the custodian and poster choices (managers only). */
  async staffOptions(p: Principal): Promise<StaffOption[]> {
    const m = await this.parts.managers.manager(p);
    return this.deps.staff.active(m.schoolId);
  }

  /** The first active member of staff holding the profile's custodian role, by name. */
  async defaultCustodian(schoolId: string): Promise<StaffOption | undefined> {
    const { role } = await this.parts.managers.custodianRule(schoolId);
    const staff = await this.deps.staff.active(schoolId);
    return staff.find((s) => s.roles.includes(role));
  }

  private async views(
    schoolId: string,
    rows: (ChannelAccountRow & { posters: number })[],
  ): Promise<ChannelView[]> {
    const purposes = await this.parts.managers.purposes(schoolId);
    const label = new Map(purposes.map((x) => [x.key, x.label]));
    const names = await this.names(
      schoolId,
      rows.flatMap((r) => [r.custodianId, r.credentialSetBy]),
    );
    return rows.map((r) => ({
      id: r.id,
      kind: asKind(r.kind),
      name: r.name,
      platform: r.platform,
      handle: r.handle,
      purposeKey: r.purposeKey,
      // A purpose the profile no longer has is named as such, never shown as its key.
      purposeLabel: label.get(r.purposeKey) ?? 'A purpose no longer in the school’s policy',
      audience: r.audience,
      comments: r.comments,
      moderation: r.moderation,
      custodianId: r.custodianId,
      custodianName: r.custodianId ? (names.get(r.custodianId) ?? null) : null,
      endpointUrl: r.endpointUrl,
      credential: {
        set: r.credentialCiphertext !== null,
        setAt: r.credentialSetAt,
        setByName: r.credentialSetBy ? (names.get(r.credentialSetBy) ?? null) : null,
      },
      maxLength: r.maxLength,
      maxImages: r.maxImages,
      active: r.active,
      posters: r.posters,
      createdAt: r.createdAt,
    }));
  }
}
