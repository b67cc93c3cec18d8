import { sql } from 'drizzle-orm';
import type { Services } from '../container.ts';
import { ukDate } from '../platform/clock.ts';
import {
  ConsentRepository,
  type NewConsentRecord,
} from '../modules/consent/register/consent.repository.ts';
import {
  academicYear,
  consentKeysFor,
  parseConsentKey,
  periodFor,
} from '../modules/consent/register/consent-rules.ts';

/** A small deterministic generator, so the demo register is the same on every machine. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function addDays(iso: string, days: number): string {
  const d = new Date(`${iso}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

type Outlook =
  'yes_to_all' | 'no_names' | 'not_one_public' | 'no_public_video' | 'not_public' | 'no_photos';

/**
 * What a family says, from one draw: about 89 % yes to everything, then (each a few percent)
 * no names printed, no to one public use, no videos in public, no public use at all, and about
 * one in a hundred no photos at all. So some 5–12 % refuse social media and about 1 % the
 * classroom display, as schools report.
 */
function familyOutlook(u: number): Outlook {
  if (u < 0.01) return 'no_photos';
  if (u < 0.05) return 'not_public';
  if (u < 0.07) return 'no_public_video';
  if (u < 0.09) return 'not_one_public';
  if (u < 0.11) return 'no_names';
  return 'yes_to_all';
}

interface Family {
  pupilId: string;
  className: string | null;
  admissionDate: string | null;
  parentIds: string[];
}

/**
 * The demo consent register: last year's and this year's forms for most pupils (a few not
 * returned, refusal rates like a real school's, one pair of parents who disagree), and one withdrawal by email
 * recorded yesterday through the real service, so it is audited and emits `consent.changed`.
 * Bulk rows are written in one transaction with one audit entry; they are demo data, so they
 * emit no events.
 */
export async function seedDemoConsent(
  services: Services,
  schoolSlug: string,
  seed: number,
): Promise<{ withdrawal: DemoWithdrawal | null }> {
  const db = services.database.db;
  const repo = new ConsentRepository();
  const school = (
    await db.execute<{ id: string }>(sql`SELECT id FROM schools WHERE slug = ${schoolSlug}`)
  ).rows[0];
  if (!school) return { withdrawal: null };
  const settings = await services.consent.settings(school.id);
  const families = (
    await db.execute<{
      pupil_id: string;
      class_name: string | null;
      admission_date: string | null;
      parent_ids: string[];
    }>(sql`
      SELECT p.id AS pupil_id, p.class_name, p.admission_date::text AS admission_date,
        COALESCE(array_agg(pp.parent_id ORDER BY pp.parent_id)
          FILTER (WHERE pp.parental_responsibility), '{}') AS parent_ids
      FROM pupils p LEFT JOIN pupil_parents pp ON pp.pupil_id = p.id
      WHERE p.school_id = ${school.id}
      GROUP BY p.id ORDER BY p.family_name, p.given_name, p.id`)
  ).rows.map((r): Family => ({
    pupilId: r.pupil_id,
    className: r.class_name,
    admissionDate: r.admission_date,
    parentIds: r.parent_ids,
  }));
  const now = services.clock.now();
  const today = ukDate(now);
  const rnd = random(seed);
  const keys = consentKeysFor(settings);
  const annual = settings.consent.model.value === 'annual';
  const current = periodFor(settings, today);
  const periods = annual
    ? [academicYear(settings, Number(current.key.slice(0, 4)) - 1), current]
    : [current];

  const rows: NewConsentRecord[] = [];
  const purposes = settings.consent.purposes.value;
  const externalPurposes = purposes.filter((p) => p.external).map((p) => p.key);
  let disagreementDone = false;
  for (const f of families) {
    const parent = f.parentIds[0];
    if (!parent) continue;
    // A family's outlook, kept from last year to this one, as in a real school: most say yes to
    // everything; a few keep their child off the school's public channels (social media,
    // website, press), fewer still say no to photos inside school as well.
    const outlook = familyOutlook(rnd());
    const onePublic = externalPurposes[Math.floor(rnd() * externalPurposes.length)];
    for (const period of periods) {
      const isCurrent = period.key === current.key;
      // About one family in thirty has not returned this year's form yet.
      if (isCurrent && rnd() < 0.03) continue;
      const decisions: Record<string, string> = {};
      for (const key of keys) {
        const { purpose, kind } = parseConsentKey(key)!;
        const external = externalPurposes.includes(purpose);
        const refused =
          outlook === 'no_photos' ||
          (outlook === 'not_public' && external) ||
          (outlook === 'no_public_video' && external && kind === 'video') ||
          (outlook === 'not_one_public' && purpose === onePublic) ||
          (outlook === 'no_names' && kind === 'name');
        decisions[key] = refused ? 'refused' : 'granted';
      }
      const start = annual ? period.validFrom : (f.admissionDate ?? '2022-09-01');
      const latest = annual && isCurrent ? today : (period.validUntil ?? today);
      const span = Math.max(
        0,
        Math.min(28, Math.round((Date.parse(latest) - Date.parse(start)) / 86_400_000) - 1),
      );
      const decidedOn = addDays(start, Math.floor(rnd() * span));
      const recordedAt = new Date(`${decidedOn}T15:30:00Z`);
      const online = rnd() < 0.7;
      rows.push({
        schoolId: school.id,
        pupilId: f.pupilId,
        periodKey: annual ? period.key : 'admission',
        validFrom: annual ? period.validFrom : decidedOn,
        validUntil: annual ? period.validUntil : null,
        deciderKind: 'parent',
        deciderParentId: parent,
        decisions,
        method: online ? 'online_form' : 'paper_form',
        kind: 'form',
        decidedOn,
        recordedAt,
        recordedByKind: online ? 'parent' : 'system',
        recordedById: online ? parent : null,
      });
      // One pair of parents who disagree: the second refuses, and the refusal wins.
      const second = f.parentIds[1];
      if (isCurrent && second && !disagreementDone && Object.values(decisions)[0] === 'granted') {
        disagreementDone = true;
        rows.push({
          ...rows.at(-1)!,
          deciderParentId: second,
          decisions: Object.fromEntries(keys.map((k) => [k, 'refused'])),
          method: 'letter',
          recordedByKind: 'system',
          recordedById: null,
          recordedAt: new Date(recordedAt.getTime() + 86_400_000),
          decidedOn: addDays(decidedOn, 1) > today ? decidedOn : addDays(decidedOn, 1),
          note: 'Letter from the second parent refusing consent',
        });
      }
    }
  }

  await services.database.transaction(async (tx) => {
    for (let i = 0; i < rows.length; i += 500) {
      await repo.insertRecords(tx.db, rows.slice(i, i + 500));
    }
    await services.audit.record(tx, {
      schoolId: school.id,
      actor: { kind: 'system', id: null },
      action: 'consent.demo-seeded',
      entityType: 'school',
      entityId: school.id,
      data: { records: rows.length },
    });
  });

  // A withdrawal that arrived by email yesterday (Saturday, in the demo's week), recorded by the
  // DPO (or the system) today: returned for `recordDemoWithdrawal`, which seed.ts calls after the
  // week's posts exist, so that the takedown it causes has something to take down.
  const withdrawn = families.find(
    (f) =>
      f.parentIds[0] &&
      rows.filter(
        (r) => r.pupilId === f.pupilId && r.periodKey === (annual ? current.key : 'admission'),
      ).length === 1 &&
      rows.some(
        (r) =>
          r.pupilId === f.pupilId &&
          r.periodKey === (annual ? current.key : 'admission') &&
          Object.values(r.decisions).every((d) => d === 'granted'),
      ),
  );
  if (!withdrawn) return { withdrawal: null };
  const external = keys.filter(
    (k) =>
      settings.consent.purposes.value.find((p) => p.key === parseConsentKey(k)!.purpose)
        ?.external && parseConsentKey(k)!.kind !== 'name',
  );
  const withdrawal: DemoWithdrawal = {
    schoolId: school.id,
    pupilId: withdrawn.pupilId,
    periodKey: annual ? current.key : undefined,
    decider: { kind: 'parent', parentId: withdrawn.parentIds[0]! },
    decisions: Object.fromEntries(external.map((k) => [k, 'refused'])),
    method: 'email',
    kind: 'withdrawal',
    decidedOn: addDays(today, -1),
    note: 'Email from parent: please stop using photos of my child online.',
  };
  return { withdrawal };
}

/** The weekend's withdrawal by email (see `seedDemoConsent`). */
export interface DemoWithdrawal {
  schoolId: string;
  pupilId: string;
  periodKey: string | undefined;
  decider: { kind: 'parent'; parentId: string };
  decisions: Record<string, 'refused'>;
  method: 'email';
  kind: 'withdrawal';
  decidedOn: string;
  note: string;
}

/** Records the weekend's withdrawal through the real service (audited, emits `consent.changed`). */
export async function recordDemoWithdrawal(
  services: Services,
  withdrawal: DemoWithdrawal | null,
): Promise<void> {
  if (!withdrawal) return;
  await services.consent.record(withdrawal, { kind: 'system', id: null });
}
