/**
 * API tokens: creating one for a member of staff, and resolving a Bearer token to its principal
 * with this process's bounded cache of valid tokens (ADR 0016).
 */
import { LRUCache } from 'lru-cache';
import { randomToken, sha256 } from '../../platform/crypto.ts';
import type { Principal } from './principal.ts';
import { asRoles, CACHE_MS, type AuthDeps } from './auth-deps.ts';
import type { LoadedSession } from './auth-sessions.ts';

/** API tokens whose principal a process keeps (valid tokens only; see ADR 0016). */
export const API_TOKENS_CACHED = 1_000;

export class AuthTokens {
  /**
   * Valid API tokens by their SHA-256 (never the token itself), least recently used dropped
   * first: a stream of made-up tokens reads the database each time and adds nothing here.
   */
  private readonly apiTokens = new LRUCache<
    string,
    { at: number; version: number; value: LoadedSession }
  >({
    max: API_TOKENS_CACHED,
  });

  constructor(private readonly deps: AuthDeps) {}

  async createApiToken(staffId: string, schoolId: string, name: string): Promise<string> {
    const token = `lny_${randomToken()}`;
    await this.deps.database.transaction(async (tx) => {
      const id = await this.deps.repository.createApiToken(tx.db, {
        schoolId,
        staffId,
        name,
        tokenHash: sha256(token),
      });
      await this.deps.audit.record(tx, {
        schoolId,
        actor: { kind: 'staff', id: staffId },
        action: 'auth.api-token-created',
        entityType: 'api_token',
        entityId: id,
      });
    });
    return token;
  }

  async principalForApiToken(token: string): Promise<Principal | null> {
    const key = sha256(token);
    const hit = this.apiTokens.get(key);
    const now = this.deps.clock.now();
    // A kept token is used only while its school's version (ADR 0018) is unchanged: revoking it,
    // or deactivating or changing its owner, through any process stops it on the next request.
    if (hit && now.getTime() - hit.at < CACHE_MS) {
      const schoolId = (hit.value.principal as { schoolId: string }).schoolId;
      if ((await this.deps.database.version(schoolId)) === hit.version) return hit.value.principal;
    }
    const row = await this.deps.repository.getLiveApiToken(this.deps.database.db, key);
    let value: LoadedSession | null = null;
    // The version was read with the token (one snapshot): any change after it makes the next
    // request read the token again.
    const version = row?.version ?? 0;
    if (row) {
      const m = await this.deps.people.getStaffById(this.deps.database.db, row.staffId);
      if (m && m.active && m.schoolId === row.schoolId) {
        await this.deps.repository.touchApiToken(this.deps.database.db, row.id, now);
        value = {
          sessionId: `api:${row.id}`,
          secondFactor: null,
          principal: {
            kind: 'staff',
            id: m.id,
            schoolId: m.schoolId,
            roles: asRoles(m.roles),
            name: `${m.givenName} ${m.familyName}`,
          },
        };
      }
    }
    if (value) this.apiTokens.set(key, { at: now.getTime(), version, value });
    else this.apiTokens.delete(key);
    return value?.principal ?? null;
  }

  /** How many API tokens this process holds in memory (tests: the bound holds). */
  get cachedApiTokens(): number {
    return this.apiTokens.size;
  }
}
