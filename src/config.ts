import crypto from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { z } from 'zod';

/**
 * The only reader of process.env. Every setting Lanyard understands is listed here and in the
 * README's "Configuration" table.
 */
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  BASE_URL: z.url().optional(),
  DATABASE_URL: z.string().optional(),
  DATA_DIR: z.string().default('./data'),
  EMBEDDED_PG_PORT: z.coerce.number().int().min(1024).max(65535).default(54329),
  SESSION_SECRET: z.string().min(32).optional(),
  EVIDENCE_KEY: z
    .string()
    .refine(
      (v) =>
        /^[A-Za-z0-9+/_-]+={0,2}$/.test(v.trim()) && Buffer.from(v.trim(), 'base64').length === 32,
      'EVIDENCE_KEY must be 32 random bytes in base64 (e.g. openssl rand -base64 32)',
    )
    .optional(),
  SESSION_TTL_HOURS: z.coerce.number().positive().default(8),
  LINK_TTL_MINUTES: z.coerce.number().positive().default(60),
  COOKIE_SECURE: bool.optional(),
  SMTP_URL: z.string().optional(),
  SMTP_SINK_PORT: z.coerce.number().int().min(0).max(65535).default(2525),
  MAIL_FROM: z.string().default('Lanyard <no-reply@lanyard.invalid>'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DEMO_SEED: bool.optional(),
  UPLOAD_MAX_MB: z.coerce.number().positive().default(50),
  LOGIN_MAX_ATTEMPTS: z.coerce.number().int().positive().default(5),
  LOGIN_RATE_LIMIT: z.coerce.number().int().positive().default(10),
  TRUST_PROXY: z.string().optional(),
  JOBS: bool.default(true),
  CONSENT_CACHE_PUPILS: z.coerce.number().int().min(0).default(20_000),
  API_RATE_LIMIT: z.coerce.number().int().min(0).default(600),
  METRICS_TOKEN: z
    .union([z.literal(''), z.string().min(16, 'METRICS_TOKEN must be at least 16 characters')])
    .optional(),
});

export type Config = {
  env: 'development' | 'test' | 'production';
  host: string;
  port: number;
  baseUrl: string;
  databaseUrl: string | undefined;
  dataDir: string;
  embeddedPgPort: number;
  sessionSecret: string;
  /**
   * The 32-byte key evidence files are encrypted under (issue 14; platform/evidence). From
   * EVIDENCE_KEY; in development derived from the session secret. Never stored in the database.
   */
  evidenceKey: Buffer;
  sessionTtlHours: number;
  linkTtlMinutes: number;
  cookieSecure: boolean;
  smtpUrl: string | undefined;
  smtpSinkPort: number;
  mailFrom: string;
  logLevel: string;
  demoSeed: boolean;
  uploadMaxBytes: number;
  loginMaxAttempts: number;
  loginRateLimit: number;
  /**
   * Which proxies' X-Forwarded-For to believe: false (none, the default: the client is the TCP
   * peer), a hop count, or a list of proxy addresses/CIDRs (proxy-addr names such as `loopback`).
   */
  trustProxy: false | number | string[];
  jobs: boolean;
  /** Pupils whose consent facts a process keeps in memory (ADR 0009); 0 switches the cache off. */
  consentCachePupils: number;
  /** Requests a minute one client address may send to /api/ (0: no limit). */
  apiRateLimit: number;
  /** The Bearer token a scraper sends to GET /metrics; unset: there is no /metrics. */
  metricsToken: string | undefined;
};

export class ConfigError extends Error {}

const proxyNames = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** TRUST_PROXY: unset/`false` → off; `2` → two hops; `10.0.0.1, 10.1.0.0/16` → those proxies. */
export function parseTrustProxy(raw: string | undefined): false | number | string[] {
  const value = (raw ?? '').trim();
  if (value === '' || /^(false|off|no|0)$/i.test(value)) return false;
  if (/^(true|yes|on|\*)$/i.test(value))
    throw new ConfigError(
      'TRUST_PROXY=true would believe X-Forwarded-For from anyone; give the proxy addresses (e.g. 10.0.0.5 or 10.0.0.0/8) or the number of proxies in front of Lanyard',
    );
  if (/^\d+$/.test(value)) return Number(value);
  const entries = value
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  for (const entry of entries) {
    const [address, bits, extra] = entry.split('/');
    const family = net.isIP(address ?? '');
    const okBits =
      bits === undefined ||
      (/^\d+$/.test(bits) && Number(bits) <= (family === 6 ? 128 : 32) && extra === undefined);
    if (!(proxyNames.has(entry) || (family !== 0 && okBits)))
      throw new ConfigError(
        `TRUST_PROXY: "${entry}" is not an IP address, a CIDR range (10.0.0.0/8) or a hop count`,
      );
  }
  return entries;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  const missing: string[] = [];
  if (production && !e.DATABASE_URL) missing.push('DATABASE_URL');
  if (production && !e.SESSION_SECRET) missing.push('SESSION_SECRET');
  if (production && !e.SMTP_URL) missing.push('SMTP_URL');
  if (production && !e.BASE_URL) missing.push('BASE_URL');
  if (production && !e.EVIDENCE_KEY) missing.push('EVIDENCE_KEY');
  if (missing.length > 0) {
    throw new ConfigError(`In production these settings are required: ${missing.join(', ')}`);
  }
  if (production && e.DEMO_SEED) {
    throw new ConfigError('DEMO_SEED cannot be switched on when NODE_ENV=production');
  }
  const dataDir = path.resolve(e.DATA_DIR);
  const sessionSecret = e.SESSION_SECRET ?? 'development-only-secret-not-for-production-use-0000';
  return {
    env: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    baseUrl: (e.BASE_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ''),
    databaseUrl: e.DATABASE_URL,
    dataDir,
    embeddedPgPort: e.EMBEDDED_PG_PORT,
    // Development only: a fixed, well-known secret is fine because it protects nothing real.
    sessionSecret,
    // Outside production, a key of its own derived from the session secret (as SecretBox does).
    evidenceKey: e.EVIDENCE_KEY
      ? Buffer.from(e.EVIDENCE_KEY.trim(), 'base64')
      : crypto.createHash('sha256').update(`lanyard-evidence-key:${sessionSecret}`).digest(),
    sessionTtlHours: e.SESSION_TTL_HOURS,
    linkTtlMinutes: e.LINK_TTL_MINUTES,
    cookieSecure: e.COOKIE_SECURE ?? production,
    smtpUrl: e.SMTP_URL,
    smtpSinkPort: e.SMTP_SINK_PORT,
    mailFrom: e.MAIL_FROM,
    logLevel: e.LOG_LEVEL,
    demoSeed: e.DEMO_SEED ?? !production,
    uploadMaxBytes: Math.round(e.UPLOAD_MAX_MB * 1024 * 1024),
    loginMaxAttempts: e.LOGIN_MAX_ATTEMPTS,
    loginRateLimit: e.LOGIN_RATE_LIMIT,
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
    jobs: e.JOBS,
    consentCachePupils: e.CONSENT_CACHE_PUPILS,
    apiRateLimit: e.API_RATE_LIMIT,
    metricsToken: e.METRICS_TOKEN || undefined,
  };
}
