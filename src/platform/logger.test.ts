import { describe, expect, it } from 'vitest';
import { serializeError } from './logger.ts';

describe('serializeError', () => {
  it('keeps class, PostgreSQL code and constraint, drops messages, details and parameters', () => {
    const pg = Object.assign(new Error('duplicate key value violates unique constraint'), {
      code: '23505',
      constraint: 'staff_email_key',
      table: 'staff',
      detail: 'Key (email)=(zoe.obrien@family.example) already exists.',
    });
    class DrizzleQueryError extends Error {
      constructor(
        readonly query: string,
        readonly params: unknown[],
        override readonly cause: unknown,
      ) {
        super(`Failed query: ${query}\nparams: ${params.join(',')}`);
      }
    }
    const wrapped = new DrizzleQueryError(
      'insert into staff (email) values ($1)',
      ['zoe.obrien@family.example'],
      pg,
    );
    const out = serializeError(wrapped);
    const text = JSON.stringify(out);
    expect(out.type).toBe('DrizzleQueryError');
    expect(out.cause).toMatchObject({
      code: '23505',
      constraint: 'staff_email_key',
      table: 'staff',
    });
    expect(text).not.toContain('zoe');
    expect(text).not.toContain('Failed query');
    expect(text).not.toContain('already exists');
    expect(out.stack).toMatch(/^\s+at /);
  });
});
