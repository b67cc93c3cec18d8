/**
 * The life of a permission request (SPEC §3.7), as a pure state machine: which step may follow
 * which state. The decisions are kept as an append-only trail; the status is where they lead.
 *
 *   requested → (ICT sign-off, when the type asks for it) → granted | refused
 *   a named photo waits for the parent's permission in the consent register instead
 *   granted → withdrawn | expired; anything still waiting → withdrawn
 */
import type { PermissionType } from '../../policies/index.ts';

export const permissionStatuses = [
  'awaiting_sign_off',
  'awaiting_decision',
  'awaiting_parent',
  'granted',
  'refused',
  'withdrawn',
  'expired',
] as const;
export type PermissionStatus = (typeof permissionStatuses)[number];

export const decisionSteps = [
  'requested',
  'signed_off',
  'sign_off_refused',
  'granted',
  'refused',
  'withdrawn',
  'expired',
] as const;
export type DecisionStep = (typeof decisionSteps)[number];

export const permissionStatusLabels: Record<PermissionStatus, string> = {
  awaiting_sign_off: 'Waiting for ICT sign-off',
  awaiting_decision: 'Waiting for a decision',
  awaiting_parent: 'Waiting for the parent’s permission',
  granted: 'Granted',
  refused: 'Refused',
  withdrawn: 'Withdrawn',
  expired: 'Expired',
};

export const decisionStepLabels: Record<DecisionStep, string> = {
  requested: 'Asked for',
  signed_off: 'Signed off by ICT',
  sign_off_refused: 'Network sign-off refused',
  granted: 'Granted',
  refused: 'Refused',
  withdrawn: 'Withdrawn',
  expired: 'Expired',
};

/** Where a new request starts: with the parent, with the ICT sign-off, or with the decider. */
export function initialStatus(type: PermissionType): PermissionStatus {
  if (type.grantedBy === 'parent') return 'awaiting_parent';
  return type.ictSignOff ? 'awaiting_sign_off' : 'awaiting_decision';
}

const transitions: Record<PermissionStatus, Partial<Record<DecisionStep, PermissionStatus>>> = {
  awaiting_sign_off: {
    signed_off: 'awaiting_decision',
    sign_off_refused: 'refused',
    withdrawn: 'withdrawn',
  },
  awaiting_decision: { granted: 'granted', refused: 'refused', withdrawn: 'withdrawn' },
  awaiting_parent: { granted: 'granted', withdrawn: 'withdrawn' },
  granted: { withdrawn: 'withdrawn', expired: 'expired' },
  refused: {},
  withdrawn: {},
  expired: {},
};

/** The status a step leads to from this one, or null when the step is not allowed now. */
export function nextStatus(status: PermissionStatus, step: DecisionStep): PermissionStatus | null {
  return transitions[status][step] ?? null;
}

/** Still waiting for someone. */
export function isOpen(status: PermissionStatus): boolean {
  return (
    status === 'awaiting_sign_off' || status === 'awaiting_decision' || status === 'awaiting_parent'
  );
}

/** When a permission granted now ends (`expiresAfterDays`; null = until withdrawn). */
export function expiryFor(type: PermissionType, grantedAt: Date): Date | null {
  if (type.expiresAfterDays === null) return null;
  return new Date(grantedAt.getTime() + type.expiresAfterDays * 86_400_000);
}

/** Held at this moment: granted and not past its expiry. */
export function isHeld(p: { status: string; expiresAt: Date | null }, at: Date): boolean {
  return p.status === 'granted' && (p.expiresAt === null || p.expiresAt > at);
}
