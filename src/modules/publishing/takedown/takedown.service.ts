/**
 * The takedown service's public surface. Each kind of work lives in its own part, and this class
 * only hands calls on:
 * - takedown-events.ts: `consent.changed` events into takedown tasks, and the receipt's removals
 * - takedown-removals.ts: carrying out automatic removals through the channels' adapters
 * - takedown-pages.ts: the staff takedown page and marking tasks done
 * - takedown-deps.ts: what every part is given, and the rules and waits they share
 */
import type { Principal, StaffPrincipal } from '../../auth/index.ts';
import type { TakedownListRow } from './takedown.repository.ts';
import { type TakedownDeps, type TakedownPage, type TakedownRunResult } from './takedown-deps.ts';
import { TakedownEvents, type ReceiptRemoval } from './takedown-events.ts';
import { TakedownRemovals } from './takedown-removals.ts';
import { TakedownPages } from './takedown-pages.ts';

export {
  AUTOMATIC_KINDS,
  takedownDueDays,
  takedownRetryMs,
  type TakedownDeps,
  type TakedownListRow,
  type TakedownPage,
  type TakedownRunResult,
} from './takedown-deps.ts';
export type { ReceiptRemoval } from './takedown-events.ts';

/**
 * Takedown after consent changes (`consent.takedownWherePracticable`, issue 12 item 10).
 *
 * `processEvents` consumes the `consent.changed` events: for each, every publication showing
 * the pupil that is live or on its way is re-checked with the consent service at now
 * (`mayMany`), and each one whose purpose the pupil may no longer appear in gets a takedown task
 * (one per publication + pupil + event: re-running creates nothing twice). The tasks and the
 * event's handled mark commit together. Withdrawal is not retroactive: nothing else about
 * earlier records changes; only the items come down.
 *
 * Channels Lanyard reaches itself (the news page, webhooks) are taken down automatically through
 * their adapter (`runAutomatic`), retried with back-off until done; a failed try stays on the
 * staff page with its reason. Other channels give the account's credential custodian a task due
 * in the profile's number of days, which they mark done with a note.
 */
export class TakedownService {
  private readonly events: TakedownEvents;
  private readonly removals: TakedownRemovals;
  private readonly pages: TakedownPages;

  constructor(private readonly deps: TakedownDeps) {
    this.events = new TakedownEvents(deps);
    this.removals = new TakedownRemovals(deps);
    this.pages = new TakedownPages(deps);
  }

  // ---------------------------------------------------------------------------------------
  // The worker

  /** Consumes every waiting `consent.changed` event (in batches), then runs automatic removals. */
  async run(): Promise<TakedownRunResult & { removed: number }> {
    const result = await this.processEvents();
    const removed = await this.runAutomatic();
    return { ...result, removed };
  }

  /** Turns waiting `consent.changed` events into takedown tasks. Safe to run twice or at once. */
  processEvents(batch = 100): Promise<TakedownRunResult> {
    return this.events.processEvents(batch);
  }

  /**
   * What comes down because of a statement recorded at `since` for this pupil, by channel: the
   * takedown tasks made since then, and (until the takedown job has run) the live items whose
   * purpose the pupil may no longer appear in. For the parent's receipt.
   */
  removalsFor(schoolId: string, pupilId: string, since: Date): Promise<ReceiptRemoval[]> {
    return this.events.removalsFor(schoolId, pupilId, since);
  }

  /** Automatic removals whose time has come; returns how many publications came down. */
  runAutomatic(limit = 500): Promise<number> {
    return this.removals.runAutomatic(limit);
  }

  /**
   * Takes one publication down through its channel's adapter and completes its automatic tasks.
   * Returns true when it is down. A failure is recorded on the tasks (tried again later).
   */
  removeAutomatically(schoolId: string, publicationId: string): Promise<boolean> {
    return this.removals.removeAutomatically(schoolId, publicationId);
  }

  /** Whether this person handles takedowns: the Headteacher, the custodian role, or a custodian. */
  viewer(p: Principal): Promise<{ who: StaffPrincipal; everyAccount: boolean }> {
    return this.pages.viewer(p);
  }

  page(p: Principal): Promise<TakedownPage> {
    return this.pages.page(p);
  }

  task(p: Principal, id: string): Promise<TakedownListRow> {
    return this.pages.task(p, id);
  }

  /**
   * A person says they took an item down by hand: this task and every other open task of the same
   * publication are done, and the publication is recorded as removed.
   */
  markDone(p: Principal, id: string, note: string): Promise<TakedownListRow> {
    return this.pages.markDone(p, id, note);
  }

  /** Takedowns due for this person's home page: open tasks for a person, failing removals. */
  dueFor(p: Principal): Promise<TakedownListRow[]> {
    return this.pages.dueFor(p);
  }
}
