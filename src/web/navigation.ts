import type { Principal } from '../modules/auth/principal.ts';
import {
  canImportPupils,
  canListParents,
  canListPupils,
  canListStaff,
} from '../modules/people/people.policy.ts';
import { canViewPolicy } from '../modules/policies/policies.policy.ts';
import { canViewAudit } from '../modules/audit/audit.policy.ts';
import { canUseMediaLibrary } from '../modules/media/media.policy.ts';
import { canViewDevices } from '../modules/devices/devices.policy.ts';
import { canOpenConsent, canUseOwnConsentForm } from '../modules/consent/consent.policy.ts';

export interface NavItem {
  href: string;
  text: string;
  active?: boolean;
}

/** The service navigation for a person: only what their role can open. */
export function navigationFor(p: Principal | null, path: string): NavItem[] {
  if (!p) return [];
  const items: NavItem[] = [{ href: '/', text: 'Home' }];
  if (canListPupils(p)) items.push({ href: '/pupils', text: 'Pupils' });
  if (canListParents(p)) items.push({ href: '/parents', text: 'Parents and carers' });
  if (canListStaff(p)) items.push({ href: '/staff', text: 'Staff' });
  if (canOpenConsent(p)) items.push({ href: '/consent', text: 'Consent' });
  if (canUseOwnConsentForm(p)) items.push({ href: '/consent/family', text: 'Photo consent' });
  if (canImportPupils(p)) items.push({ href: '/imports/pupils', text: 'Import' });
  if (canUseMediaLibrary(p)) items.push({ href: '/media', text: 'Photos and videos' });
  else if (canViewDevices(p)) items.push({ href: '/devices', text: 'Devices' });
  if (canViewPolicy(p)) items.push({ href: '/policy', text: 'Policy' });
  if (canViewAudit(p)) items.push({ href: '/audit', text: 'Audit log' });
  return items.map((i) => ({
    ...i,
    active: i.href === '/' ? path === '/' : path === i.href || path.startsWith(`${i.href}/`),
  }));
}
