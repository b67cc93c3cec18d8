import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Config } from '../../config.ts';
import type { Services } from '../registry.ts';
import { parseForm } from '../../web/forms.ts';
import { codeForm, linkRequestForm, safeNext, setPasswordForm, signInForm } from './auth.forms.ts';
import { ValidationError } from '../../errors.ts';
import { flash } from '../../web/flash.ts';
import { formRoute } from '../../web/form-route.ts';
import { THROTTLE_WINDOW_MINUTES } from './sign-in-throttle.ts';
import type { CodeResult } from './auth.service.ts';

export const SESSION_COOKIE = 'lanyard_session';

/** "Wait 3 minutes": how long a throttled person waits, in words. */
function waitFor(seconds: number): string {
  const minutes = Math.ceil(seconds / 60);
  return minutes <= 1 ? 'a minute' : `${minutes} minutes`;
}

function tooManyAttempts(seconds: number): string {
  return `Too many attempts to sign in. Wait ${waitFor(seconds)}, then try again.`;
}

/**
 * Too many wrong codes (or the address is throttled): the half-signed-in session has ended, so
 * the person signs in again, later. Shared by the code page and the authenticator set-up.
 */
function codeSessionEnded(reply: FastifyReply, result: Exclude<CodeResult, { ok: true }>) {
  reply.clearCookie(SESSION_COOKIE, { path: '/' });
  if (result.reason === 'throttled') reply.header('retry-after', String(result.retryAfterSeconds));
  return reply.status(429).page('auth/views/sign-in.njk', {
    title: 'Sign in',
    errors: {
      email:
        result.reason === 'throttled'
          ? tooManyAttempts(result.retryAfterSeconds)
          : `Too many wrong codes. Wait ${THROTTLE_WINDOW_MINUTES} minutes, then sign in again.`,
    },
    values: {},
  });
}

/** Sign-in (password + TOTP for staff, one-time email links for parents and pupils), sign-out. */
export async function authRoutes(
  app: FastifyInstance,
  { services, config }: { services: Services; config: Config },
) {
  const setSession = (reply: FastifyReply, token: string) =>
    reply.setCookie(SESSION_COOKIE, token, {
      signed: true,
      httpOnly: true,
      sameSite: 'lax',
      secure: config.cookieSecure,
      path: '/',
      maxAge: Math.round(config.sessionTtlHours * 3600),
    });

  app.get('/sign-in', { config: { access: 'public' } }, async (request, reply) => {
    if (request.principal && !request.lanyardSession?.secondFactor) return reply.redirect('/', 303);
    const next = safeNext.parse((request.query as { next?: string }).next);
    return reply.page('auth/views/sign-in.njk', { title: 'Sign in', values: { next } });
  });

  app.post(
    '/sign-in',
    {
      config: {
        access: 'public',
        rateLimit: { max: config.loginRateLimit, timeWindow: '1 minute' },
      },
    },
    async (request, reply) => {
      const form = parseForm(signInForm, request.body);
      if (!form.ok)
        return reply.status(400).page('auth/views/sign-in.njk', {
          title: 'Sign in',
          errors: form.errors,
          values: form.values,
        });
      const result = await services.auth.signInWithPassword(
        form.value.email,
        form.value.password,
        request.ip,
      );
      if (!result.ok) {
        // The same answers for a known, an unknown and a disabled address (docs/security.md).
        const throttled = result.reason === 'throttled';
        const message = throttled
          ? tooManyAttempts(result.retryAfterSeconds)
          : 'The email address or password is not right';
        if (throttled) reply.header('retry-after', String(result.retryAfterSeconds));
        return reply.status(throttled ? 429 : 401).page('auth/views/sign-in.njk', {
          title: 'Sign in',
          errors: { email: message },
          values: { email: form.value.email, next: form.value.next },
        });
      }
      setSession(reply, result.token);
      if (result.secondFactor === 'verify') return reply.redirect('/sign-in/two-factor', 303);
      if (result.secondFactor === 'enrol') return reply.redirect('/account/two-factor/set-up', 303);
      return reply.redirect(form.value.next, 303);
    },
  );

  app.get(
    '/sign-in/two-factor',
    { config: { access: 'second-factor' } },
    async (request, reply) => {
      if (request.lanyardSession?.secondFactor === 'enrol')
        return reply.redirect('/account/two-factor/set-up', 303);
      return reply.page('auth/views/two-factor.njk', { title: 'Enter your security code' });
    },
  );

  app.post(
    '/sign-in/two-factor',
    {
      config: {
        access: 'second-factor',
        rateLimit: { max: config.loginRateLimit, timeWindow: '1 minute' },
      },
    },
    async (request, reply) => {
      const session = request.lanyardSession!;
      const form = parseForm(codeForm, request.body);
      if (!form.ok)
        return reply.status(400).page('auth/views/two-factor.njk', {
          title: 'Enter your security code',
          errors: form.errors,
        });
      const result = await services.auth.verifySecondFactor(
        session.principal.id,
        session.sessionId,
        form.value.code,
        request.ip,
      );
      if (!result.ok) {
        if (result.reason !== 'invalid') return codeSessionEnded(reply, result);
        return reply.status(401).page('auth/views/two-factor.njk', {
          title: 'Enter your security code',
          errors: {
            code: 'The code is not right or has expired. Enter the latest code from your app.',
          },
        });
      }
      // A new session id now that both factors are done.
      setSession(reply, result.token);
      return reply.redirect('/', 303);
    },
  );

  app.get(
    '/account/two-factor/set-up',
    { config: { access: 'second-factor' } },
    async (request, reply) => {
      const session = request.lanyardSession!;
      if (session.secondFactor !== 'enrol') return reply.redirect('/sign-in/two-factor', 303);
      const { secret, qrSvg } = await services.auth.beginTotpEnrolment(session.principal.id);
      return reply.page('auth/views/two-factor-set-up.njk', {
        title: 'Set up two-step sign-in',
        secret,
        qrSvg,
      });
    },
  );

  app.post(
    '/account/two-factor/set-up',
    { config: { access: 'second-factor' } },
    async (request, reply) => {
      const session = request.lanyardSession!;
      if (session.secondFactor !== 'enrol') return reply.redirect('/sign-in/two-factor', 303);
      const form = parseForm(codeForm, request.body);
      const result = form.ok
        ? await services.auth.confirmTotpEnrolment(
            session.principal.id,
            session.sessionId,
            form.value.code,
            request.ip,
          )
        : null;
      if (result && !result.ok && result.reason !== 'invalid')
        return codeSessionEnded(reply, result);
      if (!result?.ok) {
        const { secret, qrSvg } = await services.auth.beginTotpEnrolment(session.principal.id);
        return reply.status(400).page('auth/views/two-factor-set-up.njk', {
          title: 'Set up two-step sign-in',
          secret,
          qrSvg,
          errors: {
            code: form.ok
              ? 'The code is not right. Check the time on your phone and enter the latest code.'
              : form.errors.code!,
          },
        });
      }
      setSession(reply, result.token);
      return reply.redirect('/', 303);
    },
  );

  app.post('/sign-out', { config: { access: 'signed-in' } }, async (request, reply) => {
    const raw = request.cookies[SESSION_COOKIE];
    const unsigned = raw ? request.unsignCookie(raw) : null;
    if (unsigned?.valid && unsigned.value) await services.auth.signOut(unsigned.value);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.redirect('/signed-out', 303);
  });

  app.get('/signed-out', { config: { access: 'public' } }, async (_request, reply) =>
    reply.page('auth/views/signed-out.njk', { title: 'You have signed out' }),
  );

  app.get('/sign-in/link', { config: { access: 'public' } }, async (_request, reply) =>
    reply.page('auth/views/link-request.njk', { title: 'Get a sign-in link' }),
  );

  formRoute(app, '/sign-in/link', {
    access: 'public',
    config: { rateLimit: { max: config.loginRateLimit, timeWindow: '1 minute' } },
    // The email goes from a job; once the answer has been sent, this process runs it at once.
    onResponse: async () => services.auth.deliverQueuedSignInLinks(),
    who: () => null,
    form: linkRequestForm,
    act: ({ value }) => services.auth.requestSignInLink(value.email),
    done: () => ({ redirect: '/sign-in/link/sent' }),
    render: (reply, { values, errors }) =>
      reply.page('auth/views/link-request.njk', { title: 'Get a sign-in link', errors, values }),
  });

  app.get('/sign-in/link/sent', { config: { access: 'public' } }, async (_request, reply) =>
    reply.page('auth/views/link-sent.njk', { title: 'Check your email' }),
  );

  app.get('/sign-in/link/:token', { config: { access: 'public' } }, async (request, reply) => {
    const token = String((request.params as { token: string }).token);
    const status = await services.auth.checkSignInLink(token);
    if (status !== 'ok')
      return reply
        .status(410)
        .page('auth/views/link-invalid.njk', { title: 'This link cannot be used', status, token });
    // A button, not an automatic sign-in: email scanners that open links must not use them up.
    return reply.page('auth/views/link-continue.njk', { title: 'Continue to sign in', token });
  });

  app.post('/sign-in/link/:token', { config: { access: 'public' } }, async (request, reply) => {
    const token = String((request.params as { token: string }).token);
    const result = await services.auth.consumeSignInLink(token);
    if (!result.ok)
      return reply.status(410).page('auth/views/link-invalid.njk', {
        title: 'This link cannot be used',
        status: result.reason,
        token,
      });
    setSession(reply, result.token);
    return reply.redirect(result.nextPath, 303);
  });

  // "This link has been used or has expired": email a fresh one to the same person.
  app.post(
    '/sign-in/link/:token/renew',
    {
      config: {
        access: 'public',
        rateLimit: { max: config.loginRateLimit, timeWindow: '1 minute' },
      },
    },
    async (request, reply) => {
      const token = String((request.params as { token: string }).token);
      const renewal = await services.auth.renewSignInLink(token);
      if (renewal === 'sent') return reply.redirect('/sign-in/link/renewed', 303);
      if (renewal === 'still-valid')
        return reply.redirect(`/sign-in/link/${encodeURIComponent(token)}`, 303);
      return reply
        .status(renewal === 'limited' ? 429 : renewal === 'no-email' ? 200 : 410)
        .page('auth/views/link-invalid.njk', {
          title: 'This link cannot be used',
          status: renewal === 'unknown' ? 'unknown' : 'renewal',
          renewal,
        });
    },
  );

  app.get('/sign-in/link/renewed', { config: { access: 'public' } }, async (_request, reply) =>
    reply.page('auth/views/link-renewed.njk', { title: 'We have sent you a new link' }),
  );

  // A member of staff's invitation: set a password once, then sign in with it.
  const invitationGone = (reply: FastifyReply, status: string) =>
    reply
      .status(410)
      .page('auth/views/set-password-invalid.njk', { title: 'This link cannot be used', status });

  app.get('/set-password/:token', { config: { access: 'public' } }, async (request, reply) => {
    const token = String((request.params as { token: string }).token);
    const found = await services.auth.checkStaffInvitation(token);
    if (found.status !== 'ok') return invitationGone(reply, found.status);
    // A form, not an automatic change: email scanners that open links must not use them up.
    return reply.page('auth/views/set-password.njk', {
      title: 'Set your password',
      email: found.email,
      token,
      values: {},
    });
  });

  app.post(
    '/set-password/:token',
    {
      config: {
        access: 'public',
        rateLimit: { max: config.loginRateLimit, timeWindow: '1 minute' },
      },
    },
    async (request, reply) => {
      const token = String((request.params as { token: string }).token);
      const found = await services.auth.checkStaffInvitation(token);
      if (found.status !== 'ok') return invitationGone(reply, found.status);
      // Passwords are never sent back to the page, not even when something else is wrong.
      const again = (errors: Record<string, string>) =>
        reply.status(400).page('auth/views/set-password.njk', {
          title: 'Set your password',
          email: found.email,
          token,
          values: {},
          errors,
        });
      const form = parseForm(setPasswordForm, request.body);
      if (!form.ok) return again(form.errors);
      try {
        const result = await services.auth.acceptStaffInvitation(token, form.value.password);
        if (!result.ok) return invitationGone(reply, result.reason);
      } catch (e) {
        if (!(e instanceof ValidationError)) throw e;
        return again(e.fieldErrors);
      }
      flash(reply, 'Your password is set. Sign in with your email address and your new password.');
      return reply.redirect('/sign-in', 303);
    },
  );

  app.get('/accessibility', { config: { access: 'public' } }, async (_request, reply) =>
    reply.page('auth/views/accessibility.njk', { title: 'Accessibility statement' }),
  );
  app.get('/privacy', { config: { access: 'public' } }, async (_request, reply) =>
    reply.page('auth/views/privacy.njk', { title: 'Privacy notice' }),
  );
}
