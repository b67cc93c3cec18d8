import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseTrustProxy } from './config.ts';

describe('config', () => {
  it('has working development defaults', () => {
    const c = loadConfig({});
    expect(c.env).toBe('development');
    expect(c.port).toBe(3000);
    expect(c.databaseUrl).toBeUndefined();
    expect(c.demoSeed).toBe(true);
    expect(c.cookieSecure).toBe(false);
    expect(c.baseUrl).toBe('http://localhost:3000');
  });

  it('requires real secrets and services in production and refuses demo data there', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(
      /DATABASE_URL, SESSION_SECRET, SMTP_URL, BASE_URL/,
    );
    const prod = {
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://x@db/lanyard',
      SESSION_SECRET: 'x'.repeat(40),
      SMTP_URL: 'smtp://mail:25',
      BASE_URL: 'https://lanyard.school.example',
      EVIDENCE_KEY: Buffer.alloc(32, 9).toString('base64'),
    };
    const c = loadConfig(prod);
    expect(c.demoSeed).toBe(false);
    expect(c.cookieSecure).toBe(true);
    expect(() => loadConfig({ ...prod, DEMO_SEED: 'true' })).toThrow(ConfigError);
  });

  it('takes the evidence key from EVIDENCE_KEY, requires it in production, derives one in development', () => {
    const key = Buffer.alloc(32, 3);
    expect(loadConfig({ EVIDENCE_KEY: key.toString('base64') }).evidenceKey.equals(key)).toBe(true);
    expect(loadConfig({ EVIDENCE_KEY: key.toString('base64url') }).evidenceKey.equals(key)).toBe(
      true,
    );
    // Development: 32 bytes of its own, derived from (and different from) the session secret.
    const dev = loadConfig({ SESSION_SECRET: 's'.repeat(40) }).evidenceKey;
    expect(dev.length).toBe(32);
    expect(dev.equals(loadConfig({ SESSION_SECRET: 't'.repeat(40) }).evidenceKey)).toBe(false);
    expect(dev.toString('latin1')).not.toContain('s'.repeat(8));
    expect(() => loadConfig({ EVIDENCE_KEY: Buffer.alloc(16).toString('base64') })).toThrow(
      /EVIDENCE_KEY must be 32 random bytes/,
    );
    expect(() => loadConfig({ EVIDENCE_KEY: 'not base64 at all!' })).toThrow(/EVIDENCE_KEY/);
    expect(() =>
      loadConfig({
        NODE_ENV: 'production',
        DATABASE_URL: 'postgres://x@db/lanyard',
        SESSION_SECRET: 'x'.repeat(40),
        SMTP_URL: 'smtp://mail:25',
        BASE_URL: 'https://lanyard.school.example',
      }),
    ).toThrow(/required: EVIDENCE_KEY/);
  });

  it('explains bad values', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ SESSION_SECRET: 'short' })).toThrow(/SESSION_SECRET/);
  });

  it('believes no proxy unless TRUST_PROXY names them, in production too', () => {
    const prod = {
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://x@db/lanyard',
      SESSION_SECRET: 'x'.repeat(40),
      SMTP_URL: 'smtp://mail:25',
      BASE_URL: 'https://lanyard.school.example',
      EVIDENCE_KEY: Buffer.alloc(32, 9).toString('base64'),
    };
    expect(loadConfig(prod).trustProxy).toBe(false);
    expect(loadConfig({ ...prod, TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ ...prod, TRUST_PROXY: '10.0.0.5, 10.1.0.0/16,::1' }).trustProxy).toEqual([
      '10.0.0.5',
      '10.1.0.0/16',
      '::1',
    ]);
    expect(parseTrustProxy('loopback')).toEqual(['loopback']);
    expect(parseTrustProxy('false')).toBe(false);
    expect(() => parseTrustProxy('true')).toThrow(/anyone/);
    expect(() => parseTrustProxy('10.0.0.0/40')).toThrow(/not an IP address/);
    expect(() => parseTrustProxy('proxy.example')).toThrow(/not an IP address/);
  });
});
