import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Services } from '../registry.ts';
import { NotFoundError } from '../../errors.ts';
import { RawJson, type ApiRegistry } from '../../web/api-registry.ts';
import type { Principal } from '../auth/index.ts';
import { mediaTypeSchema } from '../policies/index.ts';
import type { ConsentAnswer } from './register/consent-rules.ts';
import { canCheckConsent } from './consent.policy.ts';

/** The JSON of consent answers the register cache keeps (frozen, shared), by identity. */
const answerJson = new WeakMap<ConsentAnswer, string>();

function schoolOf(p: Principal): string {
  if (p.kind === 'org_admin') throw new NotFoundError();
  return p.schoolId;
}

/** The consent check in the JSON API (one round trip for many pupils; ADR 0006, 0009). */
export function consentApi(app: FastifyInstance, api: ApiRegistry, services: Services) {
  api.add(app, {
    method: 'POST',
    url: '/api/v1/consent/check',
    summary:
      'May these pupils appear in this media for this purpose? One answer per pupil, with the reason, the records and the clause of the school’s policy. Teachers and teaching assistants may ask only about pupils of their classes: any other pupil is answered like an unknown one (404, and no answer for anyone in the list)',
    access: canCheckConsent,
    body: z.object({
      purpose: z.string().trim().min(1).max(60),
      mediaType: mediaTypeSchema,
      /** The pupil's name would be printed with the picture (`consent.namedPhotoNeedsWrittenPermission`). */
      named: z.boolean().optional(),
      /** When the picture would be used (ISO 8601 with offset); now by default. */
      at: z.iso.datetime({ offset: true }).optional(),
      pupilIds: z.array(z.uuid()).min(1).max(200),
    }),
    response: z.object({
      results: z.array(
        z.object({
          pupilId: z.uuid(),
          allowed: z.boolean(),
          outcome: z.enum([
            'granted',
            'refused',
            'not_returned',
            'none',
            'expired',
            'not_asked',
            'restricted',
          ]),
          reason: z.string(),
          recordIds: z.array(z.uuid()),
          citation: z.string(),
        }),
      ),
    }),
    handler: async ({ principal, body }) => {
      const at = body.at === undefined ? undefined : new Date(body.at);
      // The one pupil scope: a pupil this person may not see is answered exactly like an unknown
      // one (404 problem, "No such pupil"), so no answer, reason or parent's name leaks.
      const scope = await services.staffClasses.scopeOf(principal);
      await services.staffClasses.assertVisible(scope, body.pupilIds);
      const answers = await services.consent.mayMany(
        schoolOf(principal),
        body.pupilIds.map((pupilId) => ({
          pupilId,
          purpose: body.purpose,
          mediaType: body.mediaType,
          named: body.named ?? false,
          ...(at ? { at } : {}),
        })),
      );
      // Kept answers are frozen and shared (ADR 0009): serialise each of them once.
      let json = '{"results":[';
      answers.forEach((a, i) => {
        let one = answerJson.get(a);
        if (one === undefined) {
          one = JSON.stringify({
            pupilId: a.pupilId,
            allowed: a.allowed,
            outcome: a.outcome,
            reason: a.reason,
            recordIds: a.recordIds,
            citation: a.citation,
          });
          if (Object.isFrozen(a)) answerJson.set(a, one);
        }
        json += i === 0 ? one : `,${one}`;
      });
      return new RawJson(`${json}]}`);
    },
  });
}
