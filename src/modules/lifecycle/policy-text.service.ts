import type { Database } from '../../platform/db/database.ts';
import type { Clock } from '../../platform/clock.ts';
import { NotFoundError, ValidationError, type FieldErrors } from '../../errors.ts';
import type { Actor, AuditService } from '../audit/index.ts';
import type { AcknowledgementRoundsService } from '../acknowledgements/index.ts';
import type { PeopleDirectory } from '../people/index.ts';
import {
  clauseAnchor,
  policyTextSchema,
  resolveCitation,
  sectionAnchor,
  templateText,
  type PolicyService,
  type PolicyText,
} from '../policies/index.ts';
import type { LifecycleRepository } from './lifecycle.repository.ts';
import { diffTexts, type TextDiff } from './text-diff.ts';

/** A rule of the profile that implements a place in the text. */
export interface ImplementingRule {
  path: string;
  label: string;
}

/** The text with each section's and clause's anchor and the rules that implement it. */
export interface PolicyDocument {
  version: number;
  text: PolicyText;
  sections: {
    id: string;
    anchor: string;
    heading: string;
    rules: ImplementingRule[];
    clauses: { id: string; anchor: string; text: string; rules: ImplementingRule[] }[];
  }[];
  /** Rule path → the anchors its citation opens (for the policy pages' links). */
  ruleAnchors: Record<string, string[]>;
}

/**
 * The policy as a document (issue 16 item 1): each profile version's text (the latest written
 * at or before it; before any, the starting template's), rules linked to clauses both ways, the
 * school's edits as new versions (substantive or minor), diffs, and the public page.
 */
export class PolicyTextService {
  constructor(
    private readonly deps: {
      database: Database;
      repository: LifecycleRepository;
      policies: Pick<
        PolicyService,
        'current' | 'currentOrNull' | 'version' | 'versions' | 'rules' | 'publishVersionIn'
      >;
      rounds: Pick<AcknowledgementRoundsService, 'markVersion'>;
      people: Pick<PeopleDirectory, 'getSchoolBySlug'>;
      audit: AuditService;
      clock: Clock;
    },
  ) {}

  /** The text in force at a version (the current one by default). */
  async textOf(schoolId: string, version?: number): Promise<{ text: PolicyText; version: number }> {
    const current = await this.deps.policies.current(schoolId);
    const v = version ?? current.version;
    if (v < 1 || v > current.version) throw new NotFoundError();
    const row = await this.deps.repository.textAt(this.deps.database.db, schoolId, v);
    const text = row ? policyTextSchema.parse(row.text) : templateText(current.templateKey);
    return { text, version: v };
  }

  /** The current text with anchors and the rules implementing each place (both directions). */
  async document(schoolId: string): Promise<PolicyDocument> {
    const current = await this.deps.policies.current(schoolId);
    const { text, version } = await this.textOf(schoolId);
    const bySection = new Map<string, ImplementingRule[]>();
    const byClause = new Map<string, ImplementingRule[]>();
    const ruleAnchors: Record<string, string[]> = {};
    for (const rule of this.deps.policies.rules(current.settings)) {
      const c = rule.citation;
      if (c.seed === null && !c.school && c.section !== 'Lanyard default') continue;
      const places = resolveCitation(text, c.section);
      if (places.length === 0) continue;
      ruleAnchors[rule.path] = places.map((p) => p.anchor);
      for (const p of places) {
        const map = p.kind === 'clause' ? byClause : bySection;
        const list = map.get(p.id) ?? [];
        list.push({ path: rule.path, label: rule.label });
        map.set(p.id, list);
      }
    }
    return {
      version,
      text,
      ruleAnchors,
      sections: text.sections.map((s) => ({
        id: s.id,
        anchor: sectionAnchor(s.id),
        heading: s.heading,
        rules: bySection.get(s.id) ?? [],
        clauses: s.clauses.map((c) => ({
          id: c.id,
          anchor: clauseAnchor(c.id),
          text: c.text,
          rules: byClause.get(c.id) ?? [],
        })),
      })),
    };
  }

  /** Where a citation's section is in the school's current text (the citation links). */
  async anchorFor(schoolId: string, section: string): Promise<string | null> {
    const { text } = await this.textOf(schoolId);
    return resolveCitation(text, section)[0]?.anchor ?? null;
  }

  /**
   * The school edits its text: one new, audited profile version holding it, marked substantive
   * (everyone acknowledges again; earlier acknowledgements superseded) or minor, in one
   * transaction. `expectedVersion` stops a lost update.
   */
  async publish(
    schoolId: string,
    actor: Actor,
    input: { text: unknown; note: string; substantive: boolean; expectedVersion: number },
  ): Promise<{ version: number; diff: TextDiff }> {
    const errors: FieldErrors = {};
    const parsed = policyTextSchema.safeParse(input.text);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      errors.text = `The policy text is not valid: ${issue?.message ?? 'unknown problem'}`;
    }
    if (!input.note.trim()) errors.note = 'Say why the policy is changing (the version history)';
    if (Object.keys(errors).length) throw new ValidationError(errors);
    const text = parsed.data!;
    const ids = text.sections.flatMap((s) => s.clauses.map((c) => c.id));
    if (new Set(ids).size !== ids.length)
      throw new ValidationError({ text: 'Two clauses have the same number' });
    const { text: before } = await this.textOf(schoolId);
    const diff = diffTexts(before, text);
    if (diff.clauses.length === 0 && diff.headings.length === 0 && before.title === text.title)
      throw new ValidationError({ note: 'Nothing in the text was changed' });
    const { database, repository, policies, rounds, audit, clock } = this.deps;
    return database.transaction(async (tx) => {
      const published = await policies.publishVersionIn(tx, schoolId, actor, {
        note: input.note,
        expectedVersion: input.expectedVersion,
        // A substantive change is announced: training and acknowledgements ask again.
        announce: input.substantive,
        changed: ['text'],
      });
      await rounds.markVersion(
        tx,
        { schoolId, ...published, substantive: input.substantive },
        actor,
      );
      const row = await repository.insertText(tx.db, {
        schoolId,
        policyVersionId: published.versionId,
        version: published.version,
        text,
        createdBy: actor.kind === 'staff' ? actor.id : null,
        createdAt: clock.now(),
      });
      await audit.record(tx, {
        schoolId,
        actor,
        action: 'policy.text-published',
        entityType: 'policy_text',
        entityId: row.id,
        data: {
          version: published.version,
          substantive: input.substantive,
          clausesChanged: diff.clauses.length,
          wordsAdded: diff.wordsAdded,
          wordsRemoved: diff.wordsRemoved,
        },
      });
      return { version: published.version, diff };
    });
  }

  /** What changed in the text at a version against the version before it. */
  async diffAt(schoolId: string, version: number): Promise<TextDiff | null> {
    if (version <= 1) return null;
    const [{ text: before }, { text: after }] = await Promise.all([
      this.textOf(schoolId, version - 1),
      this.textOf(schoolId, version),
    ]);
    return diffTexts(before, after);
  }

  /** The versions whose text changed, newest first (the versions page). */
  async textVersions(schoolId: string): Promise<number[]> {
    return (await this.deps.repository.texts(this.deps.database.db, schoolId)).map(
      (r) => r.version,
    );
  }

  /** The public page: a school's current text by its slug (404 without a policy). */
  async publicPolicy(slug: string) {
    const school = await this.deps.people.getSchoolBySlug(this.deps.database.db, slug);
    if (!school) throw new NotFoundError();
    const current = await this.deps.policies.currentOrNull(school.id);
    if (!current) throw new NotFoundError();
    const doc = await this.document(school.id);
    return { school: { name: school.name, slug }, doc, nextReviewDate: current.nextReviewDate };
  }
}
