import { z } from 'zod';

/** Only same-site relative paths may be used as a post-sign-in destination. */
export const safeNext = z
  .string()
  .optional()
  .transform((v) => (v && /^\/(?!\/)[^\s\\]*$/.test(v) && !v.startsWith('/sign-') ? v : '/'));

const emailField = z
  .string()
  .trim()
  .min(1, 'Enter your email address')
  .max(254)
  .pipe(z.email('Enter an email address in the correct format, like name@example.com'));

export const signInForm = z.object({
  email: emailField,
  password: z.string().min(1, 'Enter your password').max(1000),
  next: safeNext,
});

export const codeForm = z.object({
  code: z
    .string()
    .transform((v) => v.replace(/\s+/g, ''))
    .pipe(
      z
        .string()
        .min(1, 'Enter the 6-digit code from your authenticator app')
        .regex(/^\d{6}$/, 'The code must be 6 digits'),
    ),
});

export const linkRequestForm = z.object({
  email: emailField,
});
