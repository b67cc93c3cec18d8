import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Database } from '../../platform/db/database.ts';
import type { PeopleDirectory } from '../people/index.ts';
import type { AuthRepository } from './auth.repository.ts';
import { API_TOKENS_CACHED, AuthService } from './auth.service.ts';

const sha256 = (v: string) => crypto.createHash('sha256').update(v).digest('hex');

/**
 * The service with fake repositories that answer from `valid` (token hash → staff id) and count
 * their lookups; everything the API-token check does not use is left out.
 */
function service(valid: Map<string, string>, clock = { now: () => new Date('2026-12-06T10:00Z') }) {
  const lookups = { tokens: 0, keys: [] as string[], version: 7 };
  const repository = {
    getLiveApiToken: async (_db: unknown, hash: string) => {
      lookups.tokens++;
      lookups.keys.push(hash);
      const staffId = valid.get(hash);
      return staffId
        ? { id: `token-${staffId}`, staffId, schoolId: 'school-1', version: lookups.version }
        : undefined;
    },
    touchApiToken: async () => undefined,
  } as unknown as AuthRepository;
  const people = {
    getStaffById: async (_db: unknown, id: string) => ({
      id,
      schoolId: 'school-1',
      active: true,
      roles: ['office'],
      givenName: 'Office',
      familyName: id,
    }),
  } as unknown as PeopleDirectory;
  const auth = new AuthService({
    // The school's cache version (ADR 0018), as the database keeps it.
    database: { db: {}, version: async () => lookups.version } as unknown as Database,
    repository,
    people,
    audit: {} as never,
    clock,
    mailer: {} as never,
    secretBox: {} as never,
    config: { sessionTtlHours: 8, linkTtlMinutes: 60, loginMaxAttempts: 5, baseUrl: 'http://x' },
  });
  return { auth, lookups };
}

describe('the API-token cache', () => {
  it('keeps nothing for invalid tokens: 5,000 made-up tokens leave it empty', async () => {
    const { auth, lookups } = service(new Map());
    for (let i = 0; i < 5_000; i++) {
      expect(await auth.principalForApiToken(`lny_made-up-${i}`)).toBeNull();
    }
    expect(auth.cachedApiTokens).toBe(0);
    // Each one is looked up (by its hash, never the token), and the same bad token again too.
    expect(await auth.principalForApiToken('lny_made-up-0')).toBeNull();
    expect(lookups.tokens).toBe(5_001);
    expect(lookups.keys[0]).toBe(sha256('lny_made-up-0'));
  });

  it('answers a valid token from memory for a few seconds, keyed by its hash', async () => {
    const token = 'lny_valid';
    let now = new Date('2026-12-06T10:00:00Z');
    const { auth, lookups } = service(new Map([[sha256(token), 'staff-1']]), { now: () => now });
    expect((await auth.principalForApiToken(token))?.id).toBe('staff-1');
    expect((await auth.principalForApiToken(token))?.id).toBe('staff-1');
    expect(lookups.tokens).toBe(1);
    expect(auth.cachedApiTokens).toBe(1);
    now = new Date(now.getTime() + 5_001);
    expect((await auth.principalForApiToken(token))?.id).toBe('staff-1');
    expect(lookups.tokens).toBe(2);
  });

  it('reads a kept token again as soon as its school’s version moves (revoked through any process)', async () => {
    const token = 'lny_kept';
    const valid = new Map([[sha256(token), 'staff-1']]);
    const { auth, lookups } = service(valid);
    expect(await auth.principalForApiToken(token)).not.toBeNull();
    expect(await auth.principalForApiToken(token)).not.toBeNull();
    expect(lookups.tokens).toBe(1);
    // Another process revokes it: the row goes and the trigger bumps the version.
    valid.clear();
    lookups.version++;
    expect(await auth.principalForApiToken(token)).toBeNull();
    expect(lookups.tokens).toBe(2);
  });

  it('holds at most API_TOKENS_CACHED tokens, dropping the least recently used', async () => {
    const tokens = Array.from({ length: API_TOKENS_CACHED + 200 }, (_, i) => `lny_t${i}`);
    const { auth, lookups } = service(new Map(tokens.map((t, i) => [sha256(t), `staff-${i}`])));
    await auth.principalForApiToken(tokens[0]!);
    for (const t of tokens.slice(1)) {
      await auth.principalForApiToken(t);
      await auth.principalForApiToken(tokens[0]!); // keeps the first one recently used
    }
    expect(auth.cachedApiTokens).toBe(API_TOKENS_CACHED);
    const before = lookups.tokens;
    await auth.principalForApiToken(tokens[0]!); // still held
    await auth.principalForApiToken(tokens.at(-1)!); // the newest, held
    expect(lookups.tokens).toBe(before);
    await auth.principalForApiToken(tokens[1]!); // long since dropped: read again
    expect(lookups.tokens).toBe(before + 1);
  });

  it('forgets a token that has stopped being valid instead of keeping a refusal', async () => {
    const token = 'lny_revoked';
    let now = new Date('2026-12-06T10:00:00Z');
    const valid = new Map([[sha256(token), 'staff-1']]);
    const { auth } = service(valid, { now: () => now });
    expect(await auth.principalForApiToken(token)).not.toBeNull();
    valid.clear();
    now = new Date(now.getTime() + 6_000);
    expect(await auth.principalForApiToken(token)).toBeNull();
    expect(auth.cachedApiTokens).toBe(0);
  });
});
