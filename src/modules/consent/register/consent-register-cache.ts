import { ukDate } from '../../../platform/clock.ts';
import type { MediaType, PolicySettings } from '../../policies/index.ts';
import {
  checkWindowStart,
  decide,
  type ConsentAnswer,
  type PupilConsentFacts,
  type RecordForCheck,
} from './consent-rules.ts';
import type { CacheFacts } from './consent.repository.ts';

/**
 * One pupil's consent facts as of one register version, and the answers already worked out from
 * them. Exact for any moment whose UK date is on or after `loadDate`: every record made so far
 * and every competence assessment are held (the check filters by the moment itself), and the
 * records left out ended before the two-year window of `loadDate`, which is wider than the window
 * of any later day.
 */
export class CachedPupil {
  /** The latest moment any held record or assessment was made (ms). */
  readonly latestAt: number;
  private readonly parentalResponsibility: ReadonlySet<string>;
  private readonly windowFrom: string;
  private memoDate = '';
  private readonly memo = new Map<string, ConsentAnswer>();

  constructor(
    readonly facts: CacheFacts,
    /** The UK date the facts were read for (yyyy-mm-dd). */
    readonly loadDate: string,
  ) {
    let latest = 0;
    for (const r of facts.records) latest = Math.max(latest, r.recordedAt.getTime());
    for (const [at] of facts.competence) latest = Math.max(latest, at);
    for (const [at] of facts.restrictions ?? []) latest = Math.max(latest, at);
    this.latestAt = latest;
    this.parentalResponsibility = new Set(facts.parentalResponsibility.keys());
    this.windowFrom = checkWindowStart(loadDate);
  }

  /** How many answers are kept (tests: the memo stays bounded). */
  get kept(): number {
    return this.memo.size;
  }

  /** Can this pupil's facts answer a question about `at`? */
  covers(atDate: string): boolean {
    return atDate >= this.loadDate;
  }

  /** The facts the check would read at `at`, exactly as FACTS_SQL would give them. */
  factsAt(at: Date, atDate: string): PupilConsentFacts {
    const t = at.getTime();
    let competent = false;
    for (const [when, value] of this.facts.competence) if (when <= t) competent = value;
    let restricted = false;
    for (const [when, value] of this.facts.restrictions ?? []) if (when <= t) restricted = value;
    const from = checkWindowStart(atDate);
    const records: readonly RecordForCheck[] =
      from === this.windowFrom
        ? this.facts.records
        : this.facts.records.filter((r) => r.validUntil === null || r.validUntil > from);
    return {
      pupilId: this.facts.pupilId,
      parentalResponsibility: this.parentalResponsibility,
      competent,
      restricted,
      records,
    };
  }

  /**
   * The check for this pupil. Once every held statement was made before `at`, the answer depends
   * only on the UK date, so it is kept for the rest of that day (answers are frozen: callers
   * share them).
   */
  answer(
    settings: PolicySettings,
    q: { purpose: string; mediaType: MediaType; named: boolean; at: Date },
  ): ConsentAnswer {
    const atDate = ukDate(q.at);
    const memoable = q.at.getTime() >= this.latestAt;
    const key = `${q.purpose}\u0000${q.mediaType}\u0000${q.named ? 1 : 0}`;
    if (memoable) {
      if (this.memoDate !== atDate) {
        this.memo.clear();
        this.memoDate = atDate;
      }
      const hit = this.memo.get(key);
      if (hit) return hit;
    }
    const answer = decide(settings, this.factsAt(q.at, atDate), q);
    // Only purposes of the school's policy are kept: the API takes any purpose text, and an
    // answer per made-up purpose would grow the memo without bound. It holds at most
    // purposes × media types × named/not answers.
    if (!memoable || !settings.consent.purposes.value.some((p) => p.key === q.purpose))
      return answer;
    Object.freeze(answer.recordIds);
    this.memo.set(key, Object.freeze(answer));
    return answer;
  }
}

/** A school's cached pupils, valid while the school's register version is `version`. */
export interface CachedSchool {
  readonly version: number;
  readonly policyVersion: number | null;
  readonly settings: PolicySettings;
  readonly pupils: Map<string, CachedPupil>;
}

/**
 * The consent check's in-process cache (ADR 0009). It holds facts per school, tagged with the
 * school's register version — a number that database triggers raise in the same transaction as
 * any change to what the check reads. The service reads the current number (one tiny statement)
 * before answering from memory, and reads facts together with the number, so an answer is never
 * older than the database at the moment of the check, whichever process made the change.
 *
 * Bounded by the number of pupils held; the least recently used school goes first.
 */
export class ConsentRegisterCache {
  private readonly schools = new Map<string, CachedSchool>();
  /**
   * Records' decisions, one shared frozen object per distinct answer set: a register has a few
   * hundred (most forms say yes to everything), so held pupils share them instead of each record
   * keeping its own copy.
   */
  private readonly decisions = new Map<string, Readonly<Record<string, string>>>();
  private held = 0;
  /** hits: checks answered from memory; misses: checks that read facts first (/metrics). */
  readonly stats = { hits: 0, misses: 0, loads: 0, stale: 0, evicted: 0 };

  constructor(readonly maxPupils: number) {}

  get size(): number {
    return this.held;
  }

  /** The school's entry, marked as recently used. */
  get(schoolId: string): CachedSchool | undefined {
    const entry = this.schools.get(schoolId);
    if (entry) {
      this.schools.delete(schoolId);
      this.schools.set(schoolId, entry);
    }
    return entry;
  }

  drop(schoolId: string): void {
    const entry = this.schools.get(schoolId);
    if (!entry) return;
    this.held -= entry.pupils.size;
    this.schools.delete(schoolId);
  }

  /**
   * Adds facts read at `version`. When the school's entry is at another version it is replaced
   * (a newer number means the old facts may be stale). Returns the entry that now holds them.
   */
  put(
    schoolId: string,
    version: number,
    policyVersion: number | null,
    settings: PolicySettings,
    facts: Iterable<CacheFacts>,
    loadDate: string,
  ): CachedSchool {
    let entry = this.schools.get(schoolId);
    if (entry && entry.version > version) {
      // Another check has already read a newer version: answer this one from what it read, but
      // keep the newer entry (versions only go up).
      const detached: CachedSchool = { version, policyVersion, settings, pupils: new Map() };
      for (const f of facts) detached.pupils.set(f.pupilId, new CachedPupil(f, loadDate));
      return detached;
    }
    if (!entry || entry.version !== version || entry.policyVersion !== policyVersion) {
      if (entry) this.stale(schoolId);
      entry = { version, policyVersion, settings, pupils: new Map() };
    }
    this.schools.delete(schoolId);
    this.schools.set(schoolId, entry);
    for (const f of facts) {
      if (!entry.pupils.has(f.pupilId)) this.held++;
      for (const r of f.records) r.decisions = this.shared(r.decisions);
      entry.pupils.set(f.pupilId, new CachedPupil(f, loadDate));
    }
    this.stats.loads++;
    this.evict(schoolId);
    return entry;
  }

  private shared(decisions: Record<string, string>): Record<string, string> {
    const key = JSON.stringify(decisions);
    let one = this.decisions.get(key);
    if (!one) {
      if (this.decisions.size >= 10_000) this.decisions.clear();
      one = Object.freeze({ ...decisions });
      this.decisions.set(key, one);
    }
    return one as Record<string, string>;
  }

  /** The school's entry was found to be at an old version. */
  stale(schoolId: string): void {
    this.stats.stale++;
    this.drop(schoolId);
  }

  private evict(keep: string): void {
    for (const [schoolId, entry] of this.schools) {
      if (this.held <= this.maxPupils) return;
      if (schoolId === keep) continue;
      this.held -= entry.pupils.size;
      this.schools.delete(schoolId);
      this.stats.evicted++;
    }
    // One school larger than the whole budget: keep what was just read, drop the rest next time.
  }
}

/**
 * Reads schools' register versions for the checks waiting on them, many checks to one statement.
 * A check that arrives while a read is under way waits for the next one, which starts after it
 * arrived, so the version it gets is never older than the database at the moment it asked.
 *
 * A read starts once the event loop has finished the input it is handling (setImmediate), and
 * only one is under way at a time: a check that comes alone is read at once, while under load
 * every request parsed in the same turn of the loop, and every one that arrives while a read is
 * under way, shares one statement (like a group commit). That is what lets the check scale past
 * one database round trip per request.
 */
export class RegisterVersionReader {
  private waiting = new Map<string, { resolve(v: number): void; reject(e: unknown): void }[]>();
  private busy = false;
  readonly stats = { reads: 0, asked: 0 };

  constructor(private readonly read: (schoolIds: string[]) => Promise<Map<string, number>>) {}

  version(schoolId: string): Promise<number> {
    this.stats.asked++;
    return new Promise((resolve, reject) => {
      const list = this.waiting.get(schoolId);
      if (list) list.push({ resolve, reject });
      else this.waiting.set(schoolId, [{ resolve, reject }]);
      if (!this.busy) {
        this.busy = true;
        setImmediate(() => void this.next());
      }
    });
  }

  private async next(): Promise<void> {
    const batch = this.waiting;
    this.waiting = new Map();
    this.stats.reads++;
    try {
      const versions = await this.read([...batch.keys()]);
      for (const [schoolId, list] of batch) {
        const v = versions.get(schoolId) ?? 0;
        for (const w of list) w.resolve(v);
      }
    } catch (error) {
      for (const list of batch.values()) for (const w of list) w.reject(error);
    } finally {
      if (this.waiting.size > 0) setImmediate(() => void this.next());
      else this.busy = false;
    }
  }
}
