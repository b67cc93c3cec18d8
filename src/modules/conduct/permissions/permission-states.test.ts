import { describe, expect, it } from 'vitest';
import {
  decisionSteps,
  expiryFor,
  initialStatus,
  isHeld,
  nextStatus,
  permissionStatuses,
  type DecisionStep,
  type PermissionStatus,
} from './permission-states.ts';

const type = (over: Partial<Parameters<typeof initialStatus>[0]> = {}) => ({
  enabled: true,
  grantedBy: 'headteacher' as const,
  ictSignOff: false,
  expiresAfterDays: 30 as number | null,
  ...over,
});

describe('permission state machine', () => {
  it('starts with the ICT sign-off, the decider or the parent, as the type says', () => {
    expect(initialStatus(type())).toBe('awaiting_decision');
    expect(initialStatus(type({ ictSignOff: true }))).toBe('awaiting_sign_off');
    expect(initialStatus(type({ grantedBy: 'parent' }))).toBe('awaiting_parent');
  });

  // Every state × every step: the only moves allowed.
  const allowed: Record<string, PermissionStatus> = {
    'awaiting_sign_off signed_off': 'awaiting_decision',
    'awaiting_sign_off sign_off_refused': 'refused',
    'awaiting_sign_off withdrawn': 'withdrawn',
    'awaiting_decision granted': 'granted',
    'awaiting_decision refused': 'refused',
    'awaiting_decision withdrawn': 'withdrawn',
    'awaiting_parent granted': 'granted',
    'awaiting_parent withdrawn': 'withdrawn',
    'granted withdrawn': 'withdrawn',
    'granted expired': 'expired',
  };
  const cases = permissionStatuses.flatMap((s) =>
    decisionSteps.map((d) => [s, d] as [PermissionStatus, DecisionStep]),
  );
  it.each(cases)('from %s, %s', (status, step) => {
    expect(nextStatus(status, step)).toBe(allowed[`${status} ${step}`] ?? null);
  });

  it('never grants before the ICT sign-off, and never decides twice', () => {
    expect(nextStatus('awaiting_sign_off', 'granted')).toBeNull();
    expect(nextStatus('granted', 'granted')).toBeNull();
    expect(nextStatus('refused', 'granted')).toBeNull();
    expect(nextStatus('expired', 'withdrawn')).toBeNull();
  });

  it('expires after the type’s days, or never', () => {
    const at = new Date('2026-12-07T10:00:00Z');
    expect(expiryFor(type(), at)?.toISOString()).toBe('2027-01-06T10:00:00.000Z');
    expect(expiryFor(type({ expiresAfterDays: null }), at)).toBeNull();
    const held = { status: 'granted', expiresAt: new Date('2027-01-06T10:00:00Z') };
    expect(isHeld(held, at)).toBe(true);
    expect(isHeld(held, new Date('2027-01-06T10:00:00Z'))).toBe(false);
    expect(isHeld({ status: 'awaiting_decision', expiresAt: null }, at)).toBe(false);
    expect(isHeld({ status: 'granted', expiresAt: null }, at)).toBe(true);
  });
});
