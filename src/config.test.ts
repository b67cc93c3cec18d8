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
    };
    const c = loadConfig(prod);
    expect(c.demoSeed).toBe(false);
    expect(c.cookieSecure).toBe(true);
    expect(() => loadConfig({ ...prod, DEMO_SEED: 'true' })).toThrow(ConfigError);
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
