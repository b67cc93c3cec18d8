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
  wire: (deps: Pick<Services, 'database' | 'clock' | 'audit' | 'policies'>) => ({
    devices: new DevicesService({ ...deps, repository: new DevicesRepository() }),
  }),
  routes: [deviceRoutes],
  navigation: [
    {
      href: '/devices',
      text: 'Devices',
      order: 71,
      // The media library links to the register; only those without the library get a tab.
      visible: (p) => canViewDevices(p) && !canUseMediaLibrary(p),
    },
  ],
});
