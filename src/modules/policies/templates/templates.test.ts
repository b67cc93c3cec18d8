import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  formatCitation,
  formatRuleValue,
  getRule,
  labelFor,
  lanyardDefaults,
  policySettingsSchema,
  ruleLabels,
  ruleList,
  rulePaths,
  seedFiles,
  setRule,
  type Citation,
  type PolicySettings,
  type SeedId,
} from '../policy-settings.ts';
import { getTemplate, policyTemplates } from './index.ts';
import { renderPolicyRulesDoc } from '../../../../scripts/policy-rules-doc.ts';

const seedsDir = fileURLToPath(new URL('../../../../seeds/', import.meta.url));
const docFile = fileURLToPath(new URL('../../../../docs/policy-rules.md', import.meta.url));

const normalise = (s: string) => s.replace(/\s+/g, ' ').trim().toLowerCase();

function readSeed(seed: SeedId): string {
  // Missing seeds must fail the test, never skip it: the quotes are the point of the templates.
  return normalise(readFileSync(`${seedsDir}${seedFiles[seed]}`, 'utf8'));
}

/** Every citation in a settings object (rules and playbook steps), with where it was found. */
function allCitations(node: unknown, path = ''): Array<{ path: string; citation: Citation }> {
  if (Array.isArray(node)) return node.flatMap((n, i) => allCitations(n, `${path}[${i}]`));
  if (typeof node !== 'object' || node === null) return [];
  const found: Array<{ path: string; citation: Citation }> = [];
  for (const [key, child] of Object.entries(node)) {
    const childPath = path ? `${path}.${key}` : key;
    if (key === 'citation') found.push({ path, citation: child as Citation });
    else found.push(...allCitations(child, childPath));
  }
  return found;
}

/** Paths of every `{ value, citation }` leaf, found by walking the object itself. */
function leafPaths(node: unknown, path = ''): string[] {
  if (typeof node !== 'object' || node === null || Array.isArray(node)) return [];
  if ('value' in node && 'citation' in node) return [path];
  return Object.entries(node).flatMap(([k, v]) => leafPaths(v, path ? `${path}.${k}` : k));
}

describe('seed folder', () => {
  // Resolves to seeds/ at the repository root (the five source policies). A missing folder fails here, not skips.
  it('holds all five seeds', () => {
    expect(existsSync(seedsDir), `seed folder ${seedsDir}`).toBe(true);
    for (const file of Object.values(seedFiles)) {
      expect(existsSync(`${seedsDir}${file}`), `${seedsDir}${file}`).toBe(true);
    }
  });
});

describe('policy templates', () => {
  it('are the five seeds, in order, with unique keys', () => {
    expect(policyTemplates.map((t) => t.seedFile)).toEqual(Object.values(seedFiles));
    const keys = policyTemplates.map((t) => t.key);
    expect(new Set(keys).size).toBe(keys.length);
    for (const t of policyTemplates) {
      expect(t.key).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(getTemplate(t.key)).toBe(t);
    }
    expect(getTemplate('no-such-template')).toBeUndefined();
  });

  it('are frozen, so nobody edits a built-in template by accident', () => {
    const t = policyTemplates[0]!;
    expect(Object.isFrozen(t.settings.consent.model)).toBe(true);
    expect(() => {
      (t.settings.consent.model as { value: string }).value = 'admission';
    }).toThrow();
  });

  it('the Lanyard defaults parse and cite no seed', () => {
    expect(policySettingsSchema.safeParse(lanyardDefaults).success).toBe(true);
    for (const { citation } of allCitations(lanyardDefaults)) {
      expect(citation.seed).toBeNull();
      expect(citation.section).toBe('Lanyard default');
      expect(citation.note).toBeTruthy();
    }
  });

  for (const template of policyTemplates) {
    describe(template.key, () => {
      const seed = template.seedFile.slice(0, 3) as SeedId;

      it('parses with policySettingsSchema, unchanged', () => {
        const parsed = policySettingsSchema.safeParse(template.settings);
        expect(parsed.success ? [] : parsed.error.issues).toEqual([]);
        expect(parsed.data).toEqual(template.settings);
      });

      it('quotes its own seed verbatim in every seed citation', () => {
        const text = readSeed(seed);
        const citations = allCitations(template.settings);
        const missing = citations
          .filter(({ citation }) => citation.seed !== null)
          .filter(({ citation }) => !text.includes(normalise(citation.quote)))
          .map(({ path, citation }) => `${path}: ${citation.quote}`);
        expect(missing).toEqual([]);
        const otherSeeds = citations
          .filter(({ citation }) => citation.seed !== null && citation.seed !== seed)
          .map(({ path }) => path);
        expect(otherSeeds).toEqual([]);
        for (const { citation } of citations) {
          expect(citation.quote.length).toBeLessThanOrEqual(200);
          if (citation.seed === null) expect(citation.note).toBeTruthy();
        }
      });

      it('cites its seed for most rules', () => {
        const seeded = ruleList(template.settings).filter((r) => r.citation.seed === seed);
        expect(seeded.length).toBeGreaterThanOrEqual(12);
      });

      it('ruleList covers every leaf, each with a label', () => {
        const list = ruleList(template.settings);
        expect(list.map((r) => r.path).sort()).toEqual(leafPaths(template.settings).sort());
        for (const r of list) {
          expect(r.label).toBe(labelFor(r.path));
          expect(r.label.length).toBeGreaterThan(0);
          expect(formatRuleValue(r.value).length).toBeGreaterThan(0);
          expect(formatCitation(r.citation).length).toBeGreaterThan(0);
        }
      });

      it('has no duplicate step keys in a playbook', () => {
        for (const playbook of Object.values(template.settings.incidents.playbooks)) {
          const keys = playbook.value.map((s) => s.key);
          expect(new Set(keys).size).toBe(keys.length);
        }
      });
    });
  }
});

describe('what the seeds say', () => {
  const settingsOf = (key: string): PolicySettings => {
    const t = getTemplate(key);
    if (!t) throw new Error(`no template ${key}`);
    return t.settings;
  };
  const jump = settingsOf('jump-primary');
  const avenue = settingsOf('the-avenue-primary');
  const christChurch = settingsOf('christ-church-hampstead');
  const sacredHeart = settingsOf('sacred-heart-rochdale');
  const johnClifford = settingsOf('john-clifford-primary');

  it('003 renews consent every academic year; 004 asks once at admission', () => {
    expect(sacredHeart.consent.model.value).toBe('annual');
    expect(sacredHeart.consent.model.citation).toMatchObject({ seed: '003', section: '4.1' });
    expect(johnClifford.consent.model.value).toBe('admission');
    expect(johnClifford.consent.model.citation.seed).toBe('004');
  });

  it('003 lets a competent pupil consent, in writing, per media type, with takedown', () => {
    expect(sacredHeart.consent.competentPupilMayConsent.value).toBe(true);
    expect(sacredHeart.consent.withdrawalMustBeInWriting.value).toBe(true);
    expect(sacredHeart.consent.withdrawalRetroactive.value).toBe(false);
    expect(sacredHeart.consent.takedownWherePracticable.value).toBe(true);
    expect(sacredHeart.consent.separateConsentPerMediaType.value).toBe(true);
  });

  it('004 lists its admission purposes and deletes photos the year after archiving', () => {
    expect(johnClifford.consent.purposes.value.map((p) => p.key)).toEqual([
      'classroom_display',
      'class_photograph',
      'school_publications',
      'local_newspapers',
      'school_website',
    ]);
    expect(johnClifford.media.retention.archiveAtYearEnd.value).toBe(true);
    expect(johnClifford.media.retention.deleteAfterYears.value).toBe(1);
    expect(johnClifford.media.retention.keepEvidenceOfAchievement.value).toBe(true);
    expect(johnClifford.media.retention.deleteAfterYears.citation).toMatchObject({
      seed: '004',
      section: 'D',
    });
    expect(johnClifford.publishing.namesWithImages.value).toBe('no_names_external');
    expect(johnClifford.consent.namedPhotoNeedsWrittenPermission.value).toBe(true);
    expect(johnClifford.publishing.commentsNotMonitoredNotice.value.show).toBe(true);
  });

  it('003 and 004 ban swimwear photos, citing their own clauses', () => {
    expect(sacredHeart.media.swimwearBan).toMatchObject({
      value: true,
      citation: { seed: '003', section: '4.13' },
    });
    expect(johnClifford.media.swimwearBan).toMatchObject({
      value: true,
      citation: { seed: '004', section: 'D' },
    });
  });

  it('001 escalates parents’ defamatory posts in the policy’s order', () => {
    const steps = avenue.incidents.playbooks.parent_defamation.value.map((s) => s.key);
    expect(steps).toEqual([
      'report_to_platform',
      'request_removal',
      'headteacher_meeting',
      'written_warning',
      'legal_advice',
      'contact_police',
      'block_on_school_forum',
      'contact_host',
    ]);
    for (const s of avenue.incidents.playbooks.parent_defamation.value) {
      expect(s.citation.seed).toBe('001');
    }
    expect(avenue.publishing.designatedPublicityPersonOnly.value).toBe(true);
    expect(avenue.conduct.exPupilsTreatedAsPupils.value).toBe('all');
  });

  it('003 handles cyberbullying of staff by §8.3–8.8', () => {
    const steps = sacredHeart.incidents.playbooks.staff_cyberbullying.value;
    expect(steps[0]).toMatchObject({ key: 'do_not_retaliate', citation: { section: '8.3' } });
    expect(steps.map((s) => s.key)).toEqual(
      expect.arrayContaining(['slt_meeting_with_victim', 'request_removal', 'report_to_provider']),
    );
    expect(steps.at(-1)).toMatchObject({ key: 'consider_police', citation: { section: '8.8' } });
  });

  it('000 names the E-Safety Co-ordinator, sends indecent images to the police and lets the victim decide', () => {
    expect(jump.roles.safeguardingLeadTitle.value).toBe('E-Safety Co-ordinator');
    expect(jump.incidents.indecentImagesPoliceOnly.value).toBe(true);
    expect(jump.incidents.victimDecidesPolice.value).toBe(true);
    expect(jump.conduct.socialContactMustBeDeclared.citation.seed).toBe('000');
    expect(jump.publishing.personalAccountsMayPostPupilImages.value).toBe(false);
  });

  it('002 classifies misuse on the grid and reviews after incidents', () => {
    expect(christChurch.incidents.categoriesGrid.citation).toMatchObject({
      seed: '002',
      section: '7',
    });
    expect(christChurch.review.reviewAfterIncidents.value).toBe(true);
    expect(christChurch.review.reviewers.value).toEqual(['governor']);
  });

  it('003: the Headteacher approves, the Business Manager keeps passwords, ICT signs off network use', () => {
    expect(sacredHeart.roles.approverRole.value).toBe('headteacher');
    expect(sacredHeart.roles.credentialCustodianRole.value).toBe('business_manager');
    expect(sacredHeart.conduct.permissionTypes.school_network_social_media.value.ictSignOff).toBe(
      true,
    );
    expect(sacredHeart.publishing.namesWithImages.value).toBe('never_full_names');
  });

  it('asks for the ICT sign-off on a permission exactly where the seed’s clause names the ICT Technician', () => {
    // Issue 17 item 2: 003 §5.10 (the WiFi network) names the ICT Technician; 002 §4 (school
    // devices: the leadership team) and 003 §5.8 (school-owned devices: the Headteacher) do not,
    // so those stay the Headteacher's alone. Where a template's seed is silent it keeps
    // Lanyard's default.
    for (const template of policyTemplates) {
      const seed = template.seedFile.slice(0, 3) as SeedId;
      const clauses = readFileSync(`${seedsDir}${seedFiles[seed]}`, 'utf8')
        .split('\n')
        .map(normalise);
      for (const [key, rule] of Object.entries(template.settings.conduct.permissionTypes)) {
        if (rule.citation.seed === null) continue;
        const clause = clauses.find((c) => c.includes(normalise(rule.citation.quote)));
        expect(clause, `${template.key} ${key}`).toBeDefined();
        const namesIct = /\bict technician\b|\bnetwork manager\b/.test(clause!);
        expect(rule.value.ictSignOff, `${template.key} ${key}: ${clause}`).toBe(namesIct);
      }
    }
    expect(christChurch.conduct.permissionTypes.school_device_social_media).toMatchObject({
      value: { ictSignOff: false },
      citation: { seed: '002', section: '4' },
    });
    expect(sacredHeart.conduct.permissionTypes.school_device_social_media).toMatchObject({
      value: { ictSignOff: false },
      citation: { seed: '003', section: '5.8' },
    });
    expect(sacredHeart.conduct.permissionTypes.school_network_social_media).toMatchObject({
      value: { grantedBy: 'headteacher', ictSignOff: true },
      citation: { seed: '003', section: '5.10' },
    });
  });

  it('all five review every 12 months', () => {
    for (const t of policyTemplates) expect(t.settings.review.cycleMonths.value).toBe(12);
  });
});

describe('policySettingsSchema', () => {
  const clone = (): PolicySettings => structuredClone(lanyardDefaults);

  it('refuses a seed citation without a quote, and a seedless one with another section', () => {
    const s = clone();
    s.consent.model.citation = { seed: '003', section: '4.1', quote: '' };
    expect(policySettingsSchema.safeParse(s).success).toBe(false);
    s.consent.model.citation = { seed: null, section: '4.1', quote: '' };
    expect(policySettingsSchema.safeParse(s).success).toBe(false);
  });

  it('never lets the consent or (with the ban) the swimwear check be overridden', () => {
    const s = clone();
    s.publishing.overridableChecks.value = ['consent'];
    expect(policySettingsSchema.safeParse(s).success).toBe(false);
    s.publishing.overridableChecks.value = ['swimwear'];
    expect(policySettingsSchema.safeParse(s).success).toBe(false);
    s.media.swimwearBan.value = false;
    expect(policySettingsSchema.safeParse(s).success).toBe(true);
  });

  it('refuses duplicate purposes, impossible dates and a retroactive withdrawal', () => {
    const s = clone();
    const purpose = { key: 'school_website', label: 'Website', external: true };
    s.consent.purposes.value = [purpose, purpose];
    expect(policySettingsSchema.safeParse(s).success).toBe(false);
    const t = clone();
    t.consent.academicYearStart.value = { month: 2, day: 30 };
    expect(policySettingsSchema.safeParse(t).success).toBe(false);
    const u = clone() as unknown as { consent: { withdrawalRetroactive: { value: boolean } } };
    u.consent.withdrawalRetroactive.value = true;
    expect(policySettingsSchema.safeParse(u).success).toBe(false);
  });
});

describe('paths and labels', () => {
  it('has a plain label for every path, and a fallback for unknown ones', () => {
    expect(rulePaths.length).toBe(Object.keys(ruleLabels).length);
    expect(labelFor('consent.model')).toBe(ruleLabels['consent.model']);
    expect(labelFor('consent.somethingNew')).toBe('Something new');
  });

  it('getRule and setRule reach nested rules', () => {
    const s = structuredClone(lanyardDefaults);
    expect(getRule(s, 'media.retention.deleteAfterYears').value).toBe(1);
    setRule(s, 'media.retention.deleteAfterYears', {
      value: 3,
      citation: { seed: null, section: 'School decision', quote: '' },
    });
    expect(s.media.retention.deleteAfterYears.value).toBe(3);
    expect(() => getRule(s, 'nope.nothing' as 'consent.model')).toThrow();
  });

  it('formats citations and values for people', () => {
    expect(formatCitation({ seed: '003', section: '4.15', quote: 'x' })).toBe('003 §4.15');
    expect(formatCitation({ seed: '000', section: 'Cyberbullying', quote: 'x' })).toBe(
      '000 Cyberbullying',
    );
    expect(formatCitation({ seed: null, section: 'Lanyard default', quote: '' })).toBe(
      'Lanyard default',
    );
    expect(formatRuleValue(true)).toBe('Yes');
    expect(formatRuleValue({ month: 9, day: 1 })).toBe('1 September');
    expect(formatRuleValue(['headteacher', 'dpo'])).toBe('Headteacher, Data Protection Officer');
  });
});

describe('docs/policy-rules.md', () => {
  it('is up to date (regenerate: node --import tsx scripts/policy-rules-doc.ts > docs/policy-rules.md)', async () => {
    expect(readFileSync(docFile, 'utf8')).toBe(await renderPolicyRulesDoc(policyTemplates));
    // The readers' scan parses every source file: seconds on a busy machine.
  }, 60_000);
});
