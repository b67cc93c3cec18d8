import { describe, expect, it } from 'vitest';
import { entryHash, GENESIS_HASH, chainFor } from './audit.service.ts';

const base = {
  chain: 'school:1',
  seq: 1,
  schoolId: '00000000-0000-0000-0000-000000000001',
  occurredAt: new Date('2026-11-22T08:00:00.000Z'),
  actorKind: 'staff',
  actorId: 'a',
  action: 'policy.profile-updated',
  entityType: 'policy_profile',
  entityId: 'p',
  data: { b: 1, a: [1, { y: 2, x: 1 }] },
};

describe('audit entry hash', () => {
  it('is stable whatever the order of keys in data', () => {
    const reordered = { ...base, data: { a: [1, { x: 1, y: 2 }], b: 1 } };
    expect(entryHash(GENESIS_HASH, base)).toBe(entryHash(GENESIS_HASH, reordered));
  });

  it('changes when any field or the previous hash changes', () => {
    const h = entryHash(GENESIS_HASH, base);
    expect(entryHash('1'.repeat(64), base)).not.toBe(h);
    expect(entryHash(GENESIS_HASH, { ...base, action: 'policy.reviewed' })).not.toBe(h);
    expect(entryHash(GENESIS_HASH, { ...base, data: { b: 2, a: [1, { y: 2, x: 1 }] } })).not.toBe(
      h,
    );
    expect(
      entryHash(GENESIS_HASH, { ...base, occurredAt: new Date('2026-11-22T08:00:00.001Z') }),
    ).not.toBe(h);
    expect(entryHash(GENESIS_HASH, { ...base, seq: 2 })).not.toBe(h);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
  });

  it('keeps one chain per school and a global chain', () => {
    expect(chainFor('abc')).toBe('school:abc');
    expect(chainFor(null)).toBe('global');
  });
});
