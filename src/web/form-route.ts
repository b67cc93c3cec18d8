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

export interface FormRouteSpec<W, P extends z.ZodType, S extends z.ZodType, R> {
  /** Who may send it: checked before a byte of the body is read (ADR 0003). */
  access: Exclude<Access, 'public'> | 'public';
  /** The person the route acts for, from the principal (e.g. `staffOf`: anyone else gets a 404). */
  who(principal: Principal | null): W;
  /** The path's parameters; anything that does not parse is a 404. */
  params?: P;
  /** The form's fields (zod); bad answers re-render the form with the error summary. */
  form: S;
  /**
   * Checks that need the record or the profile (e.g. "is this person the approver of this
   * record?"): throw NotFoundError for what this person may not see. Runs before the form's
   * answers are looked at, so a person who may not act learns nothing from the errors.
   */
  authorise?(input: { who: W; params: z.output<P>; request: FastifyRequest }): Promise<void>;
  /** The one service call. A ValidationError or ConflictError it throws re-renders the form. */
  act(input: {
    who: W;
    params: z.output<P>;
    value: z.output<S>;
    request: FastifyRequest;
  }): Promise<R>;
  /** Where to go next, and what to say there. */
  done(result: R, input: { who: W; params: z.output<P> }): FormDone;
  /**
   * The form again, with the answers as sent (`values`) and the errors by field (the error
   * summary links to each); called with status 400 (bad answers) or 409 (changed meanwhile).
   */
  render(
    reply: FastifyReply,
    input: {
      who: W;
      params: z.output<P>;
      values: Record<string, unknown>;
      errors: FieldErrors;
      request: FastifyRequest;
    },
  ): Promise<FastifyReply> | FastifyReply;
  /** Extra route configuration (multipart limits, rate limits). */
  config?: Omit<FastifyContextConfig, 'access'>;
}

/**
 * A form's POST route, in the one shape every form has: parse the path → who is acting →
 * authorise → parse the answers → one service call → redirect with a message; or re-render the
 * form with the GOV.UK error summary and the answers kept, having changed nothing.
 */
export function formRoute<W, P extends z.ZodType, S extends z.ZodType, R>(
  app: FastifyInstance,
  url: string,
  spec: FormRouteSpec<W, P, S, R>,
): void {
  app.post(url, { config: { ...spec.config, access: spec.access } }, async (request, reply) => {
    let params = undefined as z.output<P>;
    if (spec.params) {
      const parsed = spec.params.safeParse(request.params);
      if (!parsed.success) throw new NotFoundError();
      params = parsed.data;
    }
    const who = spec.who(request.principal);
    await spec.authorise?.({ who, params, request });
    const values = (request.body ?? {}) as Record<string, unknown>;
    const form = parseForm(spec.form, request.body);
    if (!form.ok)
      return spec.render(reply.status(400), {
        who,
        params,
        values: form.values,
        errors: form.errors,
        request,
      });
    let result: R;
    try {
      result = await spec.act({ who, params, value: form.value, request });
    } catch (error) {
      if (error instanceof ValidationError)
        return spec.render(reply.status(400), {
          who,
          params,
          values,
          errors: error.fieldErrors,
          request,
        });
      if (error instanceof ConflictError)
        return spec.render(reply.status(409), {
          who,
          params,
          values,
          errors: { _form: error.message },
          request,
        });
      throw error;
    }
    const next = spec.done(result, { who, params });
    if (next.flash) flash(reply, next.flash);
    return reply.redirect(next.redirect, 303);
  });
}
