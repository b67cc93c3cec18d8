import { describe, expect, it } from 'vitest';
import { staff } from '../../../test/support/policy-principals.ts';
import { hiddenByProfile, navigationFor, sectionLinks } from '../../web/navigation.ts';
import type { Principal, StaffRole } from '../auth/index.ts';
import type { Services } from '../registry.ts';
import { consentModule } from './consent.module.ts';

/**
 * Services with the only parts the navigation asks: who keeps the record (and how often it was
 * asked), and who may set "never publish" (nobody here: its own tests are over HTTP).
 */
const services = (keeper: boolean) => {
  const asked: Principal[] = [];
  const fake = {
    consentKeeper: {
      isKeeper: (p: Principal) => {
        asked.push(p);
        return Promise.resolve(keeper);
      },
    },
    consentRestrictions: { mayOpen: () => Promise.resolve(false) },
  } as unknown as Services;
  return { fake, asked };
};

const consentLinks = async (role: StaffRole, keeper: boolean) => {
  const entries = consentModule.navigation;
  const { fake, asked } = services(keeper);
  const p = staff(role);
  const hidden = await hiddenByProfile(entries, fake, p);
  // The Consent entry: in the menu itself, or on the Consent section's page the menu links to.
  const inMenu = navigationFor(entries, p, '/', hidden).some((i) => i.href === '/consent');
  const inSection = sectionLinks(entries, 'consent', p, hidden).filter(
    (l) => l.href === '/consent',
  );
  if (inMenu) expect(inSection.length).toBe(1);
  return { links: inSection.length, asked: asked.length };
};

describe('the consent module’s navigation', () => {
  it('shows Consent once to the roles that open the consent pages, without asking who keeps the record', async () => {
    for (const role of ['headteacher', 'dpo', 'office', 'teacher', 'support_staff'] as const) {
      expect(await consentLinks(role, false), role).toEqual({ links: 1, asked: 0 });
      expect(await consentLinks(role, true), role).toEqual({ links: 1, asked: 0 });
    }
  });

  it('shows Consent to another member of staff only when the profile makes them the record keeper', async () => {
    for (const role of [
      'business_manager',
      'ict_technician',
      'dsl',
      'governor',
      'volunteer',
    ] as const) {
      expect(await consentLinks(role, true), role).toEqual({ links: 1, asked: 1 });
      expect(await consentLinks(role, false), role).toEqual({ links: 0, asked: 1 });
    }
  });

  it('leaves the keeper’s entry out of a page drawn before the profile was asked (an early 404)', () => {
    const links = navigationFor(consentModule.navigation, staff('business_manager'), '/');
    expect(links.filter((i) => i.href === '/consent' || i.href === '/section/consent')).toEqual([]);
  });
});
