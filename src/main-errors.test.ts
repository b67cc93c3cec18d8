import { describe, expect, it } from 'vitest';
import { explainStartupError } from './main.ts';

describe('explainStartupError', () => {
  it('names a failed query by class and code, never its parameters', () => {
    const pg = Object.assign(new Error('duplicate key value violates unique constraint'), {
      code: '23505',
      constraint: 'staff_email_key',
      detail: 'Key (email)=(zoe.obrien@family.example) already exists.',
    });
    class DrizzleQueryError extends Error {
      constructor(override readonly cause: unknown) {
        super(
          'Failed query: insert into staff (email) values ($1)\nparams: zoe.obrien@family.example',
        );
      }
    }
    const text = explainStartupError(new DrizzleQueryError(pg));
    expect(text).toContain('23505');
    expect(text).toContain('staff_email_key');
    expect(text).not.toContain('zoe');
    expect(text).not.toContain('Failed query');
  });

  it('keeps other messages, which hold no personal data', () => {
    expect(explainStartupError(new Error('connect ECONNREFUSED 127.0.0.1:5432'))).toContain(
      'ECONNREFUSED',
    );
  });
});
