import { describe, expect, it } from 'vitest';
import {
  createServices,
  jobHandlers,
  jobNames,
  jobSchedules,
  modules,
  type Platform,
} from './container.ts';
import { loadConfig } from './config.ts';
import { Metrics } from './platform/metrics.ts';
import { defineModule, type ModuleDefinition } from './modules/registry.ts';

/** A platform with nothing behind it: wiring only builds objects, it never calls them. */
const platform = {
  config: loadConfig({ NODE_ENV: 'test', DATA_DIR: '/nonexistent' }),
  metrics: new Metrics(),
} as unknown as Platform;

describe('the module list (issue 11 item 1)', () => {
  it('names each module once, after the modules its wiring uses', () => {
    const names = modules.map((m) => m.name);
    expect(new Set(names).size).toBe(names.length);
    // Wiring every real module in order must not use anything not yet built.
    const built = new Set(Object.keys(createServices({ ...platform } as Platform)));
    for (const key of ['audit', 'people', 'consent', 'media', 'devices', 'dashboard'])
      expect(built.has(key)).toBe(true);
  });

  it('refuses at start-up a module that uses a service wired after it, naming both', () => {
    const early: ModuleDefinition = {
      name: 'early',
      wire: (deps) => ({ early: (deps as unknown as { later: unknown }).later }) as never,
    };
    const late = defineModule({ name: 'late', wire: () => ({ later: 1 }) as never });
    expect(() => createServices(platform, [early, late])).toThrow(
      /Module early uses "later" before it is wired/,
    );
    // The other way round is fine, and a lazy use (inside a function) is fine either way.
    const lazy: ModuleDefinition = {
      name: 'lazy',
      wire: (deps) => ({ lazy: () => (deps as unknown as { later: number }).later }) as never,
    };
    const services = createServices(platform, [lazy, late]) as unknown as {
      lazy: () => number;
    };
    expect(services.lazy()).toBe(1);
  });

  it('refuses two modules that provide the same service', () => {
    const a = defineModule({ name: 'a', wire: () => ({ same: 1 }) as never });
    const b = defineModule({ name: 'b', wire: () => ({ same: 2 }) as never });
    expect(() => createServices(platform, [a, b])).toThrow(/Module b provides "same" twice/);
  });

  it('collects every module’s jobs, each with a handler, and the schedules from their definitions', () => {
    expect(new Set(jobNames).size).toBe(jobNames.length);
    const handlers = jobHandlers({} as never) as unknown as Record<string, unknown>;
    for (const name of jobNames) expect(typeof handlers[name]).toBe('function');
    expect(jobSchedules).toContainEqual({ name: 'audit.checkpoint', cron: '0 * * * *' });
    expect(jobSchedules).toContainEqual({ name: 'consent.rollover', cron: '10 6 * * *' });
    for (const s of jobSchedules) expect(jobNames).toContain(s.name);
  });
});
