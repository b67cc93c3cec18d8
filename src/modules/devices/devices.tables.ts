import { index, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { schools, staff } from '../people/people.tables.ts';

/**
 * School-owned capture devices (SPEC §3.3; the profile's `media.schoolDevicesOnly`). The ICT Technician
 * registers a device; the profile's device approver (`roles.deviceApproverRole`) approves it for
 * photography or withdraws the approval. Media from any other device goes to quarantine.
 */
export const captureDevices = pgTable(
  'capture_devices',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    name: text('name').notNull(),
    /** 'camera' | 'tablet' | 'video_camera' | 'phone' | 'other' */
    deviceType: text('device_type').notNull(),
    /** The school's asset tag, unique within the school (compared case-insensitively). */
    assetTag: text('asset_tag').notNull(),
    /** 'pending' | 'approved' | 'withdrawn' */
    status: text('status').notNull(),
    registeredBy: uuid('registered_by').references(() => staff.id),
    registeredAt: timestamp('registered_at', { withTimezone: true }).notNull(),
    decidedBy: uuid('decided_by').references(() => staff.id),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('capture_devices_school_tag_key').on(t.schoolId, t.assetTag),
    index('capture_devices_school_idx').on(t.schoolId, t.status, t.name),
  ],
);
