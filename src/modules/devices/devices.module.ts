import { defineModule, type Services } from '../registry.ts';
import { DevicesRepository } from './devices.repository.ts';
import { DevicesService } from './devices.service.ts';
import { deviceRoutes } from './devices.routes.ts';
import { canViewDevices } from './devices.policy.ts';
import { canUseMediaLibrary } from '../media/index.ts';

declare module '../registry.ts' {
  interface ServiceRegistry {
    /** The register of school devices that may take photos (approved by the profile's role). */
    devices: DevicesService;
  }
}

/** The device register: one folder, plugged in here (docs/architecture.md, "Adding a module"). */
export const devicesModule = defineModule({
  name: 'devices',
  wire: (
    deps: Pick<Services, 'database' | 'clock' | 'audit' | 'policies' | 'responsibilities'>,
  ) => ({
    devices: new DevicesService({
      database: deps.database,
      clock: deps.clock,
      audit: deps.audit,
      policies: deps.policies,
      repository: new DevicesRepository(),
      // Who approves devices may be a responsibility too (roles.deviceApproverResponsibilities).
      responsibilitiesHeld: (schoolId, staffId) => deps.responsibilities.heldBy(schoolId, staffId),
    }),
  }),
  routes: [deviceRoutes],
  navigation: [
    {
      href: '/devices',
      text: 'Devices',
      section: 'posts-and-photos',
      description: 'The cameras, tablets and phones approved for taking photos of pupils.',
      order: 71,
      // The media library links to the register; only those without the library get a tab.
      visible: (p) => canViewDevices(p) && !canUseMediaLibrary(p),
    },
  ],
});
