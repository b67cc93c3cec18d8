import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoCredentials, printDemoCredentials } from './seed.ts';

describe('the start-up banner', () => {
  it('lists every demo sign-in the README lists, and no other', () => {
    const readme = fs.readFileSync(path.join(import.meta.dirname, '../../README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('## Demo sign-ins'), readme.indexOf('## Config'));
    const listed = [...table.matchAll(/^\| [^|]+\| `([^`]+@[^`]+)`/gm)].map((m) => m[1]);
    expect(listed.length).toBeGreaterThanOrEqual(14);
    const lines: string[] = [];
    printDemoCredentials((line) => lines.push(line), demoCredentials);
    const banner = lines.join('\n');
    for (const email of listed) expect(banner).toContain(email);
    expect(demoCredentials.map((c) => c.email).sort()).toEqual([...listed].sort());
    // Second factors: each secret the README gives is in the banner too.
    for (const m of table.matchAll(/TOTP secret `([A-Z2-7]+)`/g)) expect(banner).toContain(m[1]);
  });
});
