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

/** The shortest password Lanyard accepts (NCSC: length over complexity rules). */
export const PASSWORD_MIN_LENGTH = 12;

/**
 * "Set your password" from a staff invitation. The service also refuses the account's own email
 * address as the password.
 */
export const setPasswordForm = z
  .object({
    password: z
      .string()
      .min(1, 'Enter a password')
      .min(PASSWORD_MIN_LENGTH, `Your password must be at least ${PASSWORD_MIN_LENGTH} characters`)
      .max(256, 'Your password must be 256 characters or fewer'),
    confirmPassword: z.string().min(1, 'Enter your password again'),
  })
  .superRefine((v, ctx) => {
    if (v.confirmPassword && v.password !== v.confirmPassword)
      ctx.addIssue({
        code: 'custom',
        path: ['confirmPassword'],
        message: 'The passwords do not match',
      });
  });
