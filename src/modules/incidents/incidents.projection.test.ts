import { describe, expect, it } from 'vitest';
import { foldCase, type ReportFacts } from './incidents.projection.ts';

const report = (over: Partial<ReportFacts> = {}): ReportFacts => ({
  incidentId: 'i1',
  schoolId: 's1',
  reference: 'INC-0001',
  reportedAt: new Date('2026-11-02T09:00:00Z'),
  reporterKind: 'parent',
  reporterId: 'p1',
  reporterConcern: false,
  indecentImage: false,
  ...over,
});
const at = (h: number) => new Date(`2026-11-02T${String(h).padStart(2, '0')}:00:00Z`);

describe('case projection', () => {
  it('starts open, new, not safeguarding unless the report says so', () => {
    expect(foldCase(report(), [])).toMatchObject({
      status: 'open',
      classifiedAt: null,
      safeguarding: false,
      entryCount: 0,
    });
    expect(foldCase(report({ reporterConcern: true }), []).safeguarding).toBe(true);
  });

  it('folds classification, assignment, steps, close and reopen in order', () => {
    const s = foldCase(report(), [
      { at: at(10), kind: 'report', data: {} },
      {
        at: at(11),
        kind: 'classification',
        data: {
          incidentType: 'parent_defamation',
          category: 'conduct',
          risk: 'aggressive',
          safeguarding: false,
          reviewBy: '2026-11-09',
        },
      },
      { at: at(12), kind: 'assignment', data: { staffIds: ['t1', 't2'] } },
      { at: at(13), kind: 'step', data: { stepKey: 'record_evidence', nextStepDue: '2026-11-05' } },
      { at: at(14), kind: 'step', data: { stepKey: 'record_evidence' } },
      { at: at(15), kind: 'step', data: { stepKey: 'request_removal' } },
      { at: at(16), kind: 'closed', data: { outcome: 'Removed' } },
    ]);
    expect(s).toMatchObject({
      status: 'closed',
      classifiedAt: at(11),
      incidentType: 'parent_defamation',
      category: 'conduct',
      risk: 'aggressive',
      assignedStaffIds: ['t1', 't2'],
      stepsDone: 2,
      nextStepDue: '2026-11-05',
      outcome: 'Removed',
      closedAt: at(16),
      entryCount: 7,
      updatedAt: at(16),
    });
    const reopened = foldCase(report(), [
      { at: at(16), kind: 'closed', data: { outcome: 'Removed' } },
      { at: at(17), kind: 'reopened', data: { reason: 'Posted again' } },
    ]);
    expect(reopened).toMatchObject({ status: 'open', closedAt: null, outcome: null });
  });

  it('keeps an indecent-image report and a Prevent concern safeguarding whatever is chosen', () => {
    const cls = (incidentType: string) => ({
      at: at(11),
      kind: 'classification',
      data: { incidentType, category: 'content', risk: 'sexual', safeguarding: false },
    });
    expect(
      foldCase(report({ indecentImage: true }), [cls('inappropriate_content')]).safeguarding,
    ).toBe(true);
    expect(foldCase(report(), [cls('radicalisation')]).safeguarding).toBe(true);
    expect(foldCase(report({ reporterConcern: true }), [cls('pupil_on_pupil')]).safeguarding).toBe(
      false,
    );
  });
});
