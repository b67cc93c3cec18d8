/**
 * The devices module's public surface: the only file another module imports from
 * (docs/architecture.md, "Boundaries"): its service's type (`Services.devices`), who may approve
 * a device and the words for its kinds.
 */
export type { DevicesService } from './devices.service.ts';
export { canApproveDevices } from './devices.policy.ts';
export { deviceTypeLabels } from './devices.forms.ts';
