import type { FastifyContextConfig, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { ConflictError, NotFoundError, ValidationError, type FieldErrors } from '../errors.ts';
import type { Principal } from '../modules/auth/principal.ts';
import type { Access } from './access.ts';
import { flash } from './flash.ts';
import { parseForm } from './forms.ts';

/** Where a form goes once its one service call has succeeded. */
export interface FormDone {
  /** The page to go to (303 See Other). */
  redirect: string;
  /** The message the next page shows in its notification banner. */
  flash?: string;
}

/**
 * The form again, refused by the service's answer rather than by a thrown error (e.g. "the
 * email address or password is not right", 401): `render` is called with this status and these
 * errors, and the answers as sent unless `values` says otherwise.
 */
export interface FormAgain {
  again: { status: number; errors: FieldErrors; values?: Record<string, unknown> };
}

/**
 * A page other than the form (e.g. "this link cannot be used", 410), drawn by the route itself.
 * Used by `authorise` (before the answers are read) and `done` (after the service call).
 */
export interface FormPage {
  page(reply: FastifyReply): Promise<FastifyReply> | FastifyReply;
}

/** What a reader makes of a form: its value, or the errors by field (and the answers to show). */
export type FormRead<T> =
  { ok: true; value: T } | { ok: false; errors: FieldErrors; values?: Record<string, unknown> };

/**
 * A form's fields: a zod schema, or a reader for forms zod alone does not describe (date inputs,
 * an uploaded file: `request` is there to claim it, web/uploads.ts; questions that depend on
 * the school: `found` is what `authorise` returned).
 */
export type FormReader =
  | z.ZodType
  | ((
      body: unknown,
      request: FastifyRequest,
      found: never,
    ) => FormRead<unknown> | Promise<FormRead<unknown>>);
export type FormValue<S> = S extends z.ZodType
  ? z.output<S>
  : S extends (...args: never[]) => infer O
    ? Awaited<O> extends FormRead<infer T>
      ? T
      : never
    : never;

export interface FormRouteSpec<W, P extends z.ZodType, S extends FormReader, R, F = void> {
  /** Who may send it: checked before a byte of the body is read (ADR 0003). */
  access: Exclude<Access, 'public'> | 'public';
  /** The person the route acts for, from the principal (e.g. `staffOf`: anyone else gets a 404). */
  who(principal: Principal | null): W;
  /** The path's parameters; anything that does not parse is a 404. */
  params?: P;
  /**
   * The form's fields (zod, or a reader returning a `FormRead`); bad answers re-render the form
   * with the error summary.
   */
  form: S;
  /**
   * Checks that need the record or the profile (e.g. "is this person the approver of this
   * record?"): throw NotFoundError for what this person may not see. Runs before the form's
   * answers are looked at, so a person who may not act learns nothing from the errors. What it
   * returns (e.g. the record it loaded) reaches `act`, `done` and `render` as `found`; a
   * `FormPage` it returns is drawn instead, before the answers are read.
   */
  authorise?(input: {
    who: W;
    params: z.output<P>;
    request: FastifyRequest;
  }): Promise<F | FormPage>;
  /** The one service call. A ValidationError or ConflictError it throws re-renders the form. */
  act(input: {
    who: W;
    params: z.output<P>;
    found: Found<F>;
    value: FormValue<S>;
    request: FastifyRequest;
  }): Promise<R>;
  /**
   * Where to go next, and what to say there; or the form again (`FormAgain`) or another page
   * (`FormPage`) when the call's answer says so. `reply` is for cookies set on success.
   */
  done(
    result: R,
    input: {
      who: W;
      params: z.output<P>;
      found: Found<F>;
      value: FormValue<S>;
      reply: FastifyReply;
    },
  ): FormDone | FormAgain | FormPage;
  /**
   * The form again, with the answers as sent (`values`) and the errors by field (the error
   * summary links to each); called with status 400 (bad answers) or 409 (changed meanwhile).
   * A button with no page of its own may leave it out: its refusals go to the error page.
   */
  render?(
    reply: FastifyReply,
    input: {
      who: W;
      params: z.output<P>;
      found: Found<F>;
      values: Record<string, unknown>;
      errors: FieldErrors;
      request: FastifyRequest;
    },
  ): Promise<FastifyReply> | FastifyReply;
  /** Extra route configuration (multipart limits, rate limits). */
  config?: Omit<FastifyContextConfig, 'access'>;
  /** Runs once the answer has been sent (e.g. to send the email a job was queued for at once). */
  onResponse?: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
}

/** What `authorise` loaded, without the pages it may return instead. */
type Found<F> = Exclude<F, FormPage>;

const isPage = (x: unknown): x is FormPage =>
  typeof x === 'object' && x !== null && typeof (x as FormPage).page === 'function';

/**
 * A form's POST route, in the one shape every form has: parse the path → who is acting →
 * authorise → parse the answers → one service call → redirect with a message; or re-render the
 * form with the GOV.UK error summary and the answers kept, having changed nothing.
 */
export function formRoute<W, P extends z.ZodType, S extends FormReader, R, F = void>(
  app: FastifyInstance,
  url: string,
  spec: FormRouteSpec<W, P, S, R, F>,
): void {
  app.post(
    url,
    {
      config: { ...spec.config, access: spec.access },
      ...(spec.onResponse ? { onResponse: spec.onResponse } : {}),
    },
    async (request, reply) => {
      let params = undefined as z.output<P>;
      if (spec.params) {
        const parsed = spec.params.safeParse(request.params);
        if (!parsed.success) throw new NotFoundError();
        params = parsed.data;
      }
      const who = spec.who(request.principal);
      const authorised = spec.authorise
        ? await spec.authorise({ who, params, request })
        : (undefined as F);
      if (isPage(authorised)) return authorised.page(reply);
      const found = authorised as Found<F>;
      const values = (request.body ?? {}) as Record<string, unknown>;
      const again = (status: number, errors: FieldErrors, shown: Record<string, unknown>) => {
        if (!spec.render)
          throw status === 409 ? new ConflictError(errors._form) : new ValidationError(errors);
        return spec.render(reply.status(status), {
          who,
          params,
          found,
          values: shown,
          errors,
          request,
        });
      };
      const form = (
        typeof spec.form === 'function'
          ? await spec.form(request.body ?? {}, request, found as never)
          : parseForm(spec.form, request.body)
      ) as FormRead<FormValue<S>>;
      if (!form.ok) return again(400, form.errors, form.values ?? values);
      let result: R;
      try {
        result = await spec.act({ who, params, found, value: form.value, request });
      } catch (error) {
        if (!spec.render) throw error;
        if (error instanceof ValidationError) return again(400, error.fieldErrors, values);
        if (error instanceof ConflictError) return again(409, { _form: error.message }, values);
        throw error;
      }
      const next = spec.done(result, { who, params, found, value: form.value, reply });
      if (isPage(next)) return next.page(reply);
      if ('again' in next)
        return again(next.again.status, next.again.errors, next.again.values ?? values);
      if (next.flash) flash(reply, next.flash);
      return reply.redirect(next.redirect, 303);
    },
  );
}
