import { z } from 'zod';

export const deviceTypes = ['camera', 'tablet', 'video_camera', 'phone', 'other'] as const;
export type DeviceType = (typeof deviceTypes)[number];

export const deviceTypeLabels: Record<DeviceType, string> = {
  camera: 'Camera',
  tablet: 'Tablet (for example an iPad)',
  video_camera: 'Video camera',
  phone: 'School mobile phone',
  other: 'Other school device',
};

/** Registering a school-owned device. */
export const registerDeviceForm = z.object({
  name: z
    .string({ error: 'Enter a name for the device' })
    .trim()
    .min(1, 'Enter a name for the device')
    .max(80, 'The name must be 80 characters or fewer'),
  deviceType: z.enum(deviceTypes, { error: 'Select the type of device' }),
  assetTag: z
    .string({ error: 'Enter the asset tag' })
    .trim()
    .min(1, 'Enter the asset tag')
    .max(40, 'The asset tag must be 40 characters or fewer')
    .regex(
      /^[A-Za-z0-9][A-Za-z0-9 ./_-]*$/,
      'The asset tag can only contain letters, numbers, spaces and . / _ -',
    ),
});
export type RegisterDeviceInput = z.infer<typeof registerDeviceForm>;

/** Withdrawing approval must be confirmed (an empty post does nothing). */
export const withdrawDeviceForm = z.object({
  confirm: z.literal('yes', { error: 'Confirm that the device is no longer approved' }),
});
