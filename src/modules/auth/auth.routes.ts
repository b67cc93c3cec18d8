import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Config } from '../../config.ts';
import type { Services } from '../registry.ts';
import { codeForm, linkRequestForm, safeNext, setPasswordForm, signInForm } from './auth.forms.ts';
import type { FieldErrors } from '../../errors.ts';
import { formRoute } from '../../web/form-route.ts';
import { THROTTLE_WINDOW_MINUTES } from './sign-in-throttle.ts';
import type { CodeResult } from './auth.service.ts';

export const SESSION_COOKIE = 'lanyard_session';

/** A sign-in link's or an invitation's token, from the path (any string: the service judges it). */
const tokenParams = z.object({ token: z.string() });

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

  const renderSignIn = (
    reply: FastifyReply,
    { values, errors }: { values: Record<string, unknown>; errors: FieldErrors },
  ) => reply.page('auth/views/sign-in.njk', { title: 'Sign in', errors, values });

  formRoute(app, '/sign-in', {
    access: 'public',
    config: { rateLimit: { max: config.loginRateLimit, timeWindow: '1 minute' } },
    who: () => null,
    form: signInForm,
    act: ({ value, request }) =>
      services.auth.signInWithPassword(value.email, value.password, request.ip),
    done: (result, { value, reply }) => {
      if (!result.ok) {
        // The same answers for a known, an unknown and a disabled address (docs/security.md).
        const throttled = result.reason === 'throttled';
        if (throttled) reply.header('retry-after', String(result.retryAfterSeconds));
        return {
          again: {
            status: throttled ? 429 : 401,
            errors: {
              email: throttled
                ? tooManyAttempts(result.retryAfterSeconds)
                : 'The email address or password is not right',
            },
            values: { email: value.email, next: value.next },
          },
        };
      }
      setSession(reply, result.token);
      if (result.secondFactor === 'verify') return { redirect: '/sign-in/two-factor' };
      if (result.secondFactor === 'enrol') return { redirect: '/account/two-factor/set-up' };
      return { redirect: value.next };
    },
    render: renderSignIn,
  });

  app.get(
    '/sign-in/two-factor',
    { config: { access: 'second-factor' } },
    async (request, reply) => {
      if (request.lanyardSession?.secondFactor === 'enrol')
        return reply.redirect('/account/two-factor/set-up', 303);
      return reply.page('auth/views/two-factor.njk', { title: 'Enter your security code' });
    },
  );

  /** The half-signed-in session (access 'second-factor' let only such a request in). */
  const halfSignedIn = async ({ request }: { request: FastifyRequest }) => request.lanyardSession!;

  formRoute(app, '/sign-in/two-factor', {
    access: 'second-factor',
    config: { rateLimit: { max: config.loginRateLimit, timeWindow: '1 minute' } },
    who: () => null,
    authorise: halfSignedIn,
    form: codeForm,
    act: ({ found: session, value, request }) =>
      services.auth.verifySecondFactor(
        session.principal.id,
        session.sessionId,
        value.code,
        request.ip,
      ),
    done: (result, { reply }) => {
      if (!result.ok) {
        if (result.reason !== 'invalid')
          return { page: (r: FastifyReply) => codeSessionEnded(r, result) };
        return {
          again: {
            status: 401,
            errors: {
              code: 'The code is not right or has expired. Enter the latest code from your app.',
            },
          },
        };
      }
      // A new session id now that both factors are done.
      setSession(reply, result.token);
      return { redirect: '/' };
    },
    render: (reply, { errors }) =>
      reply.page('auth/views/two-factor.njk', { title: 'Enter your security code', errors }),
  });

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

  formRoute(app, '/account/two-factor/set-up', {
    access: 'second-factor',
    who: () => null,
    authorise: async ({ request }) => {
      const session = request.lanyardSession!;
      if (session.secondFactor !== 'enrol')
        return { page: (reply: FastifyReply) => reply.redirect('/sign-in/two-factor', 303) };
      return session;
    },
    form: codeForm,
    act: ({ found: session, value, request }) =>
      services.auth.confirmTotpEnrolment(
        session.principal.id,
        session.sessionId,
        value.code,
        request.ip,
      ),
    done: (result, { reply }) => {
      if (!result.ok) {
        if (result.reason !== 'invalid')
          return { page: (r: FastifyReply) => codeSessionEnded(r, result) };
        return {
          again: {
            status: 400,
            errors: {
              code: 'The code is not right. Check the time on your phone and enter the latest code.',
            },
          },
        };
      }
      setSession(reply, result.token);
      return { redirect: '/' };
    },
    // A new secret's QR code each time the page is drawn (as the GET does).
    render: async (reply, { found: session, errors }) => {
      const { secret, qrSvg } = await services.auth.beginTotpEnrolment(session.principal.id);
      return reply.page('auth/views/two-factor-set-up.njk', {
        title: 'Set up two-step sign-in',
        secret,
        qrSvg,
        errors: { code: errors.code! },
      });
    },
  });

  // A button: its one field is the CSRF token.
  formRoute(app, '/sign-out', {
    access: 'signed-in',
    who: () => null,
    form: z.object({}),
    act: async ({ request }) => {
      const raw = request.cookies[SESSION_COOKIE];
      const unsigned = raw ? request.unsignCookie(raw) : null;
      if (unsigned?.valid && unsigned.value) await services.auth.signOut(unsigned.value);
    },
    done: (_, { reply }) => {
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return { redirect: '/signed-out' };
    },
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

  formRoute(app, '/sign-in/link/:token', {
    access: 'public',
    who: () => null,
    params: tokenParams,
    form: z.object({}),
    act: ({ params }) => services.auth.consumeSignInLink(params.token),
    done: (result, { params, reply }) => {
      if (!result.ok)
        return {
          page: (r: FastifyReply) =>
            r.status(410).page('auth/views/link-invalid.njk', {
              title: 'This link cannot be used',
              status: result.reason,
              token: params.token,
            }),
        };
      setSession(reply, result.token);
      return { redirect: result.nextPath };
    },
  });

  // "This link has been used or has expired": email a fresh one to the same person.
  formRoute(app, '/sign-in/link/:token/renew', {
    access: 'public',
    config: { rateLimit: { max: config.loginRateLimit, timeWindow: '1 minute' } },
    who: () => null,
    params: tokenParams,
    form: z.object({}),
    act: ({ params }) => services.auth.renewSignInLink(params.token),
    done: (renewal, { params }) => {
      if (renewal === 'sent') return { redirect: '/sign-in/link/renewed' };
      if (renewal === 'still-valid')
        return { redirect: `/sign-in/link/${encodeURIComponent(params.token)}` };
      return {
        page: (reply: FastifyReply) =>
          reply
            .status(renewal === 'limited' ? 429 : renewal === 'no-email' ? 200 : 410)
            .page('auth/views/link-invalid.njk', {
              title: 'This link cannot be used',
              status: renewal === 'unknown' ? 'unknown' : 'renewal',
              renewal,
            }),
      };
    },
  });

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

  formRoute(app, '/set-password/:token', {
    access: 'public',
    config: { rateLimit: { max: config.loginRateLimit, timeWindow: '1 minute' } },
    who: () => null,
    params: tokenParams,
    authorise: async ({ params }) => {
      const found = await services.auth.checkStaffInvitation(params.token);
      if (found.status !== 'ok')
        return { page: (reply: FastifyReply) => invitationGone(reply, found.status) };
      return found;
    },
    form: setPasswordForm,
    act: ({ params, value }) => services.auth.acceptStaffInvitation(params.token, value.password),
    done: (result) => {
      if (!result.ok)
        return { page: (reply: FastifyReply) => invitationGone(reply, result.reason) };
      return {
        redirect: '/sign-in',
        flash: 'Your password is set. Sign in with your email address and your new password.',
      };
    },
    // Passwords are never sent back to the page, not even when something else is wrong.
    render: (reply, { found, params, errors }) =>
      reply.page('auth/views/set-password.njk', {
        title: 'Set your password',
        email: found.email,
        token: params.token,
        values: {},
        errors,
      }),
  });

  app.get('/accessibility', { config: { access: 'public' } }, async (_request, reply) =>
    reply.page('auth/views/accessibility.njk', { title: 'Accessibility statement' }),
  );
  app.get('/privacy', { config: { access: 'public' } }, async (_request, reply) =>
    reply.page('auth/views/privacy.njk', { title: 'Privacy notice' }),
  );
}
