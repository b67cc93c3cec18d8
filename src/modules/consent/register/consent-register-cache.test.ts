/**
 * The register cache on its own (ADR 0009): answers equal `decide` on the same facts for every
 * moment it covers, kept answers are dropped when the day changes or a statement is newer than
 * the moment asked, an older version never replaces a newer one, and the pupil budget evicts the
 * least recently used school. Staleness across processes is tested against PostgreSQL in
 * test/db/consent-cache.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { policySettingsSchema, type PolicySettings } from '../../policies/index.ts';
import { getTemplate } from '../../policies/index.ts';
import {
  CachedPupil,
  ConsentRegisterCache,
  RegisterVersionReader,
} from './consent-register-cache.ts';
import { checkWindowStart, decide, periodFor, type RecordForCheck } from './consent-rules.ts';
import type { CacheFacts } from './consent.repository.ts';

const settings: PolicySettings = policySettingsSchema.parse(
  structuredClone(getTemplate('sacred-heart-rochdale')!.settings),
);
const IMAGE = 'school_social_media/image';

function rec(
  id: string,
  decidedOn: string,
  recordedAt: string,
  decision: string,
  by = 'mum',
): RecordForCheck {
  const p = periodFor(settings, decidedOn);
  return {
    id,
    periodKey: p.key,
    validFrom: p.validFrom,
    validUntil: p.validUntil,
    deciderKind: 'parent',
    deciderParentId: by,
    deciderName: by === 'mum' ? 'Maria Test' : 'Daniel Test',
    decisions: { [IMAGE]: decision },
    method: 'paper_form',
    decidedOn,
    recordedAt: new Date(recordedAt),
  };
}

function facts(pupilId: string, records: RecordForCheck[], competence: [number, boolean][] = []) {
  return {
    pupilId,
    parentalResponsibility: new Map([
      ['mum', 'Maria Test'],
      ['dad', 'Daniel Test'],
    ]),
    competence,
    records,
  } satisfies CacheFacts;
}

const q = (at: string, named = false) => ({
  purpose: 'school_social_media',
  mediaType: 'image' as const,
  named,
  at: new Date(at),
});

describe('CachedPupil', () => {
  const records = [
    rec('r2023', '2023-09-10', '2023-09-10T10:00:00Z', 'granted'),
    rec('r2025', '2025-09-10', '2025-09-10T10:00:00Z', 'granted'),
    rec('r2026', '2026-09-10', '2026-09-10T10:00:00Z', 'granted'),
    rec('w2026', '2026-11-02', '2026-11-02T16:00:00Z', 'refused', 'dad'),
  ];
  const f = facts('p1', records);

  it('answers exactly as decide does on the facts of the moment, for every covered moment', () => {
    const pupil = new CachedPupil(f, '2026-10-01');
    for (const at of [
      '2026-10-01T08:00:00Z',
      '2026-11-02T15:59:59Z',
      '2026-11-02T16:00:00Z',
      '2027-08-31T22:59:59Z',
      '2027-08-31T23:00:00Z',
      '2028-10-01T12:00:00Z',
    ]) {
      const windowFrom = checkWindowStart(at.slice(0, 10));
      const expected = decide(
        settings,
        {
          pupilId: 'p1',
          parentalResponsibility: new Set(['mum', 'dad']),
          competent: false,
          records: records.filter(
            (r) => r.recordedAt <= new Date(at) && (r.validUntil ?? '9999') > windowFrom,
          ),
        },
        q(at),
      );
      expect(pupil.answer(settings, q(at)), at).toEqual(expected);
      expect(pupil.answer(settings, q(at)), `${at} again`).toEqual(expected);
    }
  });

  it('covers its load date and later, never earlier', () => {
    const pupil = new CachedPupil(f, '2026-10-01');
    expect(pupil.covers('2026-10-01')).toBe(true);
    expect(pupil.covers('2027-01-01')).toBe(true);
    expect(pupil.covers('2026-09-30')).toBe(false);
  });

  it('keeps an answer for the day only once every statement is older than the moment', () => {
    const pupil = new CachedPupil(f, '2026-10-01');
    // Before the withdrawal was recorded: worked out each time, not kept.
    const early = pupil.answer(settings, q('2026-11-02T09:00:00Z'));
    expect(early.allowed).toBe(true);
    expect(Object.isFrozen(early)).toBe(false);
    const later = pupil.answer(settings, q('2026-11-02T17:00:00Z'));
    expect(later.allowed).toBe(false);
    expect(Object.isFrozen(later)).toBe(true);
    expect(pupil.answer(settings, q('2026-11-02T18:00:00Z'))).toBe(later);
    // The next day is worked out afresh.
    expect(pupil.answer(settings, q('2026-11-03T09:00:00Z'))).not.toBe(later);
  });

  it('follows competence assessments by their time', () => {
    const pupilRefuses: RecordForCheck = {
      ...rec('own', '2026-10-05', '2026-10-05T10:00:00Z', 'refused'),
      deciderKind: 'pupil',
      deciderParentId: null,
    };
    const assessed = Date.parse('2026-10-04T10:00:00Z');
    const pupil = new CachedPupil(
      facts('p2', [records[2]!, pupilRefuses], [[assessed, true]]),
      '2026-10-01',
    );
    expect(pupil.answer(settings, q('2026-10-06T09:00:00Z')).allowed).toBe(false);
    expect(pupil.answer(settings, q('2026-10-03T09:00:00Z')).allowed).toBe(true);
  });
});

describe('ConsentRegisterCache', () => {
  const pupils = (school: string, n: number) =>
    Array.from({ length: n }, (_, i) => facts(`${school}-${i}`, []));

  it('evicts the least recently used school when over its pupil budget', () => {
    const cache = new ConsentRegisterCache(10);
    cache.put('a', 1, 1, settings, pupils('a', 4), '2026-10-01');
    cache.put('b', 1, 1, settings, pupils('b', 4), '2026-10-01');
    expect(cache.get('a')).toBeDefined(); // a is now the most recently used
    cache.put('c', 1, 1, settings, pupils('c', 4), '2026-10-01');
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')?.pupils.size).toBe(4);
    expect(cache.get('c')?.pupils.size).toBe(4);
    expect(cache.size).toBe(8);
    expect(cache.stats.evicted).toBe(1);
  });

  it('adds pupils to an entry of the same version and replaces one of an older version', () => {
    const cache = new ConsentRegisterCache(100);
    cache.put('a', 5, 1, settings, pupils('a', 2), '2026-10-01');
    cache.put('a', 5, 1, settings, [facts('a-9', [])], '2026-10-01');
    expect(cache.get('a')?.pupils.size).toBe(3);
    cache.put('a', 6, 1, settings, [facts('a-9', [])], '2026-10-01');
    expect(cache.get('a')?.version).toBe(6);
    expect(cache.get('a')?.pupils.size).toBe(1);
    expect(cache.size).toBe(1);
  });

  it('never lets an older version replace a newer one', () => {
    const cache = new ConsentRegisterCache(100);
    cache.put('a', 7, 1, settings, pupils('a', 2), '2026-10-01');
    const detached = cache.put('a', 6, 1, settings, [facts('a-5', [])], '2026-10-01');
    expect(detached.version).toBe(6);
    expect(detached.pupils.has('a-5')).toBe(true);
    expect(cache.get('a')?.version).toBe(7);
    expect(cache.get('a')?.pupils.has('a-5')).toBe(false);
  });

  it('holds nothing with a budget of zero pupils beyond the school being read', () => {
    const cache = new ConsentRegisterCache(0);
    cache.put('a', 1, 1, settings, pupils('a', 2), '2026-10-01');
    cache.put('b', 1, 1, settings, pupils('b', 2), '2026-10-01');
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(2);
  });
});

describe('RegisterVersionReader', () => {
  it('never answers a check with a read that began before the check asked', async () => {
    let version = 1;
    const started: { ids: string[]; release(): void }[] = [];
    const reader = new RegisterVersionReader(
      (ids) =>
        new Promise((resolve) => {
          const seen = version; // the snapshot is taken when the read starts
          started.push({ ids, release: () => resolve(new Map(ids.map((id) => [id, seen]))) });
        }),
    );
    const first = reader.version('a');
    await new Promise((r) => setImmediate(r));
    expect(started).toHaveLength(1);
    version = 2; // a writer commits while the first read is under way
    const second = reader.version('a');
    const third = reader.version('b');
    expect(started).toHaveLength(1); // they wait for the next read
    started[0]!.release();
    expect(await first).toBe(1);
    await new Promise((r) => setImmediate(r));
    expect(started).toHaveLength(2);
    expect(started[1]!.ids.sort()).toEqual(['a', 'b']);
    started[1]!.release();
    expect(await second).toBe(2);
    expect(await third).toBe(2);
    expect(reader.stats).toEqual({ reads: 2, asked: 3 });
  });

  it('passes a failed read to every check waiting on it, then reads again for the next', async () => {
    let fail = true;
    const reader = new RegisterVersionReader(async (ids) => {
      if (fail) throw new Error('database down');
      return new Map(ids.map((id) => [id, 7]));
    });
    await expect(reader.version('a')).rejects.toThrow('database down');
    fail = false;
    expect(await reader.version('a')).toBe(7);
    expect(await reader.version('unknown')).toBe(7);
  });
});
