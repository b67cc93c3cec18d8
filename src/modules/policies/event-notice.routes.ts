import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Services } from '../registry.ts';
import { NotFoundError } from '../../errors.ts';
import type { Principal } from '../auth/index.ts';
import { formatDateInWords } from '../../web/dates.ts';
import { canViewPolicy } from './policies.policy.ts';
import {
  formatCitation,
  type EventPhotographyRule,
  type PolicySettings,
} from './policy-settings.ts';

function schoolId(p: Principal | null): string {
  if (!p || p.kind === 'org_admin') throw new NotFoundError();
  return p.schoolId;
}

const noticeParams = z.object({ n: z.coerce.number().int().min(1).max(30) });
const noticeQuery = z.object({
  event: z.string().trim().max(120).optional().default(''),
  date: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .optional()
    .or(z.literal('').transform(() => undefined)),
});

const allowedWords: Record<EventPhotographyRule['photos'], { photos: string; filming: string }> = {
  allowed: { photos: 'You may take photos.', filming: 'You may film.' },
  photo_opportunity_only: {
    photos: 'Please take photos only at the photo opportunity.',
    filming: 'Please film only at the photo opportunity.',
  },
  not_allowed: {
    photos: 'Please do not take photos.',
    filming: 'Please do not film.',
  },
};

/** Who besides parents may photograph pupils (`media.visitorsMayPhotograph`), in words. */
const visitorWords: Record<PolicySettings['media']['visitorsMayPhotograph']['value'], string> = {
  never: 'Visitors may not take photos of children.',
  parents_at_events:
    'Only parents and carers may take photos of children, and only at organised school events.',
  allowed: '',
};

/** The notice's sentences for one kind of event, from the profile's rules. */
export function noticeLines(rule: EventPhotographyRule, settings: PolicySettings): string[] {
  const visitors = visitorWords[settings.media.visitorsMayPhotograph.value];
  return [
    ...(visitors ? [visitors] : []),
    allowedWords[rule.photos].photos,
    allowedWords[rule.filming].filming,
    ...(rule.when ? [rule.when] : []),
    rule.mayShareOtherChildren
      ? 'You may share the images you take.'
      : 'Please share images of your own child only: do not post pictures of other children on social media.',
  ];
}

/**
 * Parents' and visitors' own photography at events (issue 15, `channels.eventPhotography`): the
 * rules per kind of event, and a printable notice for one event. Every member of staff may print
 * one; the words come from the school's profile.
 */
export async function eventNoticeRoutes(
  app: FastifyInstance,
  { services }: { services: Services },
) {
  const policies = services.policies;

  app.get(
    '/policy/event-notices',
    { config: { access: canViewPolicy } },
    async (request, reply) => {
      const { settings } = await policies.current(schoolId(request.principal));
      const rule = settings.channels.eventPhotography;
      return reply.page('policies/views/event-notices.njk', {
        title: 'Photos and filming at events',
        kinds: rule.value.map((k, i) => ({
          n: i + 1,
          label: k.label,
          lines: noticeLines(k, settings),
        })),
        citation: formatCitation(rule.citation),
      });
    },
  );

  app.get(
    '/policy/event-notices/:n',
    { config: { access: canViewPolicy } },
    async (request, reply) => {
      const sid = schoolId(request.principal);
      const params = noticeParams.safeParse(request.params);
      if (!params.success) throw new NotFoundError();
      const { settings } = await policies.current(sid);
      const kind = settings.channels.eventPhotography.value[params.data.n - 1];
      if (!kind) throw new NotFoundError();
      const q = noticeQuery.safeParse(request.query);
      const event = q.success ? q.data.event : '';
      const date = q.success && q.data.date ? formatDateInWords(q.data.date) : '';
      return reply.page('policies/views/event-notice.njk', {
        title: `Notice: photos and filming at ${event || kind.label}`,
        n: params.data.n,
        kind,
        event,
        date,
        dateValue: q.success ? (q.data.date ?? '') : '',
        lines: noticeLines(kind, settings),
        citation: formatCitation(settings.channels.eventPhotography.citation),
      });
    },
  );
}
