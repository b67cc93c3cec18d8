import { describe, expect, it } from 'vitest';
import { codeForm, safeNext, signInForm } from './auth.forms.ts';

describe('auth forms', () => {
  it('only allows same-site paths after sign-in (no open redirect)', () => {
    expect(safeNext.parse('/pupils?page=2')).toBe('/pupils?page=2');
    for (const bad of [
      '//evil.example',
      'https://evil.example',
      '/\\evil',
      'javascript:alert(1)',
      '/sign-out',
      undefined,
    ]) {
      expect(safeNext.parse(bad)).toBe('/');
    }
  });

  it('gives GOV.UK-style messages', () => {
    const r = signInForm.safeParse({ email: '', password: '' });
    expect(r.success).toBe(false);
    const messages = r.success ? [] : r.error.issues.map((i) => i.message);
    expect(messages).toContain('Enter your email address');
    expect(messages).toContain('Enter your password');
    expect(codeForm.safeParse({ code: '123 456' }).data?.code).toBe('123456');
    expect(codeForm.safeParse({ code: '12345' }).success).toBe(false);
  });
});
