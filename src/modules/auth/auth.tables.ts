import {
  bigserial,
  boolean,
  index,
  integer,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { schools } from '../people/people.tables.ts';

/** Signed-in sessions. The cookie holds a random token; only its SHA-256 is stored. */
export const sessions = pgTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    principalKind: text('principal_kind').notNull(),
    principalId: uuid('principal_id').notNull(),
    schoolId: uuid('school_id'),
    organisationId: uuid('organisation_id'),
    secondFactorDone: boolean('second_factor_done').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('sessions_principal_idx').on(t.principalId),
    index('sessions_expiry_idx').on(t.expiresAt),
  ],
);

/**
 * One-time links, emailed: parents' and pupils' sign-in links (`principal_kind` parent | pupil)
 * and staff invitations that set a password and never sign in (`staff_invitation`).
 */
export const signInLinks = pgTable(
  'sign_in_links',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    tokenHash: text('token_hash').notNull(),
    principalKind: text('principal_kind').notNull(),
    principalId: uuid('principal_id').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    /** Where the link lands after sign-in (e.g. the consent form); the home page when null. */
    nextPath: text('next_path'),
  },
  (t) => [
    uniqueIndex('sign_in_links_token_key').on(t.tokenHash),
    // A person's links, newest first: a staff invitation's state, "send me a new link" limits.
    index('sign_in_links_principal_idx').on(t.principalId, t.createdAt),
  ],
);

/** API tokens for staff (Bearer). Only the SHA-256 of the token is stored. */
export const apiTokens = pgTable(
  'api_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    staffId: uuid('staff_id').notNull(),
    name: text('name').notNull(),
    tokenHash: text('token_hash').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('api_tokens_hash_key').on(t.tokenHash)],
);

/**
 * Every staff sign-in attempt (password or second-factor code), for throttling across processes
 * (docs/security.md). `account_key` is the SHA-256 of the email address as typed (lower-cased),
 * so a made-up address is throttled exactly like a real one and reveals nothing; `address` is the
 * client (an IPv6 address is kept to its /64). An attempt is written as a failure before the
 * password is checked and turned into a success after, so parallel guesses count at once. Rows
 * older than 30 days are swept.
 */
export const signInAttempts = pgTable(
  'sign_in_attempts',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    accountKey: text('account_key').notNull(),
    address: text('address').notNull(),
    kind: text('kind').notNull(),
    succeeded: boolean('succeeded').notNull().default(false),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('sign_in_attempts_account_idx').on(t.accountKey, t.at),
    index('sign_in_attempts_address_idx').on(t.address, t.at),
  ],
);

/**
 * Request counters of the per-address rate limits (`LOGIN_RATE_LIMIT`), shared by every process:
 * `key` is the route and the client address, `hits` the requests since `window_start`. Rows whose
 * window has ended are swept hourly.
 */
export const rateLimitHits = pgTable('rate_limit_hits', {
  key: text('key').primaryKey(),
  windowStart: timestamp('window_start', { withTimezone: true }).notNull(),
  hits: integer('hits').notNull(),
});
