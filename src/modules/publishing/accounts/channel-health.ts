/**
 * Whether a channel Lanyard posts to itself (WordPress, Bluesky, a webhook) can be reached, for
 * its page: the adapter's `health`, with at most a 2-second wait and the answer kept for a few
 * minutes, so the page stays fast and the platform is not asked on every view (Bluesky limits
 * sign-ins). An answer that comes after the page has been drawn is kept for the next view.
 */
import { LRUCache } from 'lru-cache';
import type { FileStore } from '../../../platform/files/file-store.ts';
import type { ChannelAdapterRegistry } from '../channel-adapter.ts';
import type { ChannelAccountRow } from './accounts.repository.ts';
import type { AccountsService } from './accounts.service.ts';

/** The kinds whose adapter reaches another system (the others need no connection). */
export const checkedKinds: ReadonlySet<string> = new Set(['wordpress', 'bluesky', 'webhook']);

export interface ChannelHealthView {
  ok: boolean;
  /** One plain sentence: "Connected." or what is wrong. */
  sentence: string;
  checkedAt: Date;
}

export class ChannelHealthChecks {
  /** Answers by account and its details' version: at most 500, each for `okMs` / `problemMs`. */
  private readonly kept = new LRUCache<string, { view: ChannelHealthView; until: number }>({
    max: 500,
  });
  private readonly running = new Map<string, Promise<ChannelHealthView>>();

  constructor(
    private readonly deps: {
      accounts: Pick<AccountsService, 'channelContext'>;
      adapters: ChannelAdapterRegistry;
      files: FileStore;
      now: () => Date;
      /** How long the page waits for an answer (default 2 s). */
      waitMs?: number;
      /** How long a check may run in the background before it is given up (default 20 s). */
      giveUpMs?: number;
      /** How long a "connected" answer is kept (default 5 minutes). */
      okMs?: number;
      /** How long a problem is kept (default 1 minute: a fix shows soon). */
      problemMs?: number;
    },
  ) {}

  /**
   * The account's connection, or null for kinds that need none. Never throws: a check that fails
   * or takes too long is a plain sentence.
   */
  async check(row: ChannelAccountRow): Promise<ChannelHealthView | null> {
    if (!checkedKinds.has(row.kind) || !row.active) return null;
    const adapter = this.deps.adapters.get(row.kind);
    if (!adapter) return null;
    // A change to the details or the credential makes a new key, so it is checked again at once.
    const key = `${row.id}:${row.updatedAt.getTime()}:${row.credentialSetAt?.getTime() ?? 0}`;
    const now = this.deps.now().getTime();
    const kept = this.kept.get(key);
    if (kept && kept.until > now) return kept.view;

    let running = this.running.get(key);
    if (!running) {
      const giveUp = AbortSignal.timeout(this.deps.giveUpMs ?? 20_000);
      running = (async (): Promise<ChannelHealthView> => {
        try {
          const ctx = await this.deps.accounts.channelContext(
            row.schoolId,
            row.id,
            this.deps.files,
            giveUp,
          );
          const h = await adapter.health(ctx);
          return {
            ok: h.ok,
            sentence: h.ok
              ? 'Connected.'
              : (h.problem ?? 'Lanyard could not reach it. Posts to it will fail until it can.'),
            checkedAt: this.deps.now(),
          };
        } catch {
          return {
            ok: false,
            sentence: 'Lanyard could not check it. Posts to it may fail.',
            checkedAt: this.deps.now(),
          };
        }
      })().then((view) => {
        this.kept.set(key, {
          view,
          until:
            this.deps.now().getTime() +
            (view.ok ? (this.deps.okMs ?? 300_000) : (this.deps.problemMs ?? 60_000)),
        });
        this.running.delete(key);
        return view;
      });
      this.running.set(key, running);
    }

    const wait = this.deps.waitMs ?? 2_000;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), wait);
    });
    try {
      const view = await Promise.race([running, late]);
      return (
        view ?? {
          ok: false,
          sentence: `It did not answer within ${Math.round(wait / 1000)} seconds. Look again in a minute; posts to it may be slow or fail.`,
          checkedAt: this.deps.now(),
        }
      );
    } finally {
      clearTimeout(timer);
    }
  }
}
