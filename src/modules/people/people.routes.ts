import { canAssignClasses } from './staff-classes.policy.ts';
import { canRecordConsent } from '../consent/index.ts';
import { canSeePupilChronology } from '../incidents/index.ts';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Services } from '../registry.ts';
import { NotFoundError } from '../../errors.ts';
import { queryString } from '../../web/query-string.ts';
import {
  canListParents,
  canListPupils,
  canListStaff,
  canChangeStaffMember,
  canManagePupils,
  canManageStaff,
} from './people.policy.ts';
import type { Principal } from '../auth/index.ts';

export const pageQuery = z.coerce.number().int().min(1).max(100_000).catch(1);

const pupilListQuery = z.object({
  q: z.string().max(100).optional().catch(undefined),
  year: z.string().max(3).optional().catch(undefined),
  class: z.string().max(60).optional().catch(undefined),
  leavers: z.enum(['yes']).optional().catch(undefined),
  possiblyLeft: z.enum(['yes']).optional().catch(undefined),
  page: pageQuery.default(1),
});

const idParams = z.object({ id: z.uuid() });

function schoolId(p: Principal | null): string {
  if (!p || p.kind === 'org_admin') throw new NotFoundError();
  return p.schoolId;
}

/**
 * The pupil list's filters, table and pagination, rendered once for each page of pupils the
 * service hands out and reused while it hands out the same one (its reads are shared for a few
 * seconds, see PeopleService.listPupils). The key is the rows and classes themselves (the same
 * objects while they are cached) and the query; the fragment holds nothing about the person
 * asking, and every request still passes the route's access check first.
 */
const listFragments = new WeakMap<object, WeakMap<object, Map<string, Promise<string>>>>();

function pupilListHtml(
  rows: object,
  classes: object,
  query: string,
  render: () => Promise<string>,
): Promise<string> {
  let byClasses = listFragments.get(rows);
  if (!byClasses) listFragments.set(rows, (byClasses = new WeakMap()));
  let byQuery = byClasses.get(classes);
  if (!byQuery) byClasses.set(classes, (byQuery = new Map()));
  let html = byQuery.get(query);
  if (!html) {
    if (byQuery.size >= 20) byQuery.clear();
    html = render();
    byQuery.set(query, html);
    html.catch(() => byQuery.delete(query));
  }
  return html;
}

/** Pupils, parents/carers and staff lists with search and pagination; the pupil page. */
export async function peopleRoutes(app: FastifyInstance, { services }: { services: Services }) {
  app.get('/pupils', { config: { access: canListPupils } }, async (request, reply) => {
    const q = pupilListQuery.parse(request.query);
    const sid = schoolId(request.principal);
    // Teachers and teaching assistants see only their own classes (least privilege).
    const scope = await services.people.classScope(request.principal!);
    const [result, allClasses] = await Promise.all([
      services.people.listPupils(
        sid,
        {
          q: q.q,
          yearGroup: q.year,
          className: q.class,
          includeLeavers: q.leavers === 'yes',
          possiblyLeft: q.possiblyLeft === 'yes',
          classNames: scope ?? undefined,
        },
        q.page,
      ),
      services.people.classes(sid),
    ]);
    const classes = scope
      ? allClasses.filter((c) => c.className && scope.includes(c.className))
      : allClasses;
    const pageUrl = `/pupils${queryString({ q: q.q, year: q.year, class: q.class, leavers: q.leavers, possiblyLeft: q.possiblyLeft })}`;
    const listHtml = await pupilListHtml(result.rows, classes, `${pageUrl}|${q.page}`, () => {
      const classItems: { value: string; text: string; selected?: boolean }[] = [
        { value: '', text: 'All classes' },
      ];
      for (const c of classes) {
        if (c.className) {
          classItems.push({
            value: c.className,
            text: `${c.className} (${c.pupils})`,
            selected: q.class === c.className,
          });
        }
      }
      return app.view('people/views/pupils-list.njk', { result, classItems, query: q, pageUrl });
    });
    return reply.page('people/views/pupils.njk', {
      title: 'Pupils',
      listHtml,
      canManage: canManagePupils(request.principal!),
    });
  });

  app.get(
    '/pupils/:id',
    { config: { access: (p) => p.kind !== 'org_admin' } },
    async (request, reply) => {
      const parsed = idParams.safeParse(request.params);
      if (!parsed.success) throw new NotFoundError();
      const record = await services.people.pupilRecord(request.principal!, parsed.data.id);
      const p = record.pupil;
      // The legal name, with the names the pupil is known by in brackets: 'Alfred (Alfie) Smith'.
      const known = (legal: string, preferred: string | null) =>
        preferred ? `${legal} (${preferred})` : legal;
      return reply.page('people/views/pupil.njk', {
        title: `${known(p.givenName, p.preferredGivenName)} ${known(p.familyName, p.preferredFamilyName)}`,
        ...record,
        canManage: canManagePupils(request.principal!),
        // The pupil's chronology across every incident naming them (incidents' own rule).
        canSeeIncidents: canSeePupilChronology(request.principal!),
      });
    },
  );

  app.get('/parents', { config: { access: canListParents } }, async (request, reply) => {
    const q = z
      .object({ q: z.string().max(100).optional().catch(undefined), page: pageQuery.default(1) })
      .parse(request.query);
    const result = await services.people.listParents(schoolId(request.principal), q.q, q.page);
    return reply.page('people/views/parents.njk', {
      title: 'Parents and carers',
      result,
      query: q,
      pageUrl: `/parents${queryString({ q: q.q })}`,
    });
  });

  app.get('/parents/:id', { config: { access: canListParents } }, async (request, reply) => {
    const parsed = idParams.safeParse(request.params);
    if (!parsed.success) throw new NotFoundError();
    const record = await services.people.parentRecord(schoolId(request.principal), parsed.data.id);
    return reply.page('people/views/parent.njk', {
      title: `${record.parent.givenName} ${record.parent.familyName}`,
      ...record,
      canSendConsentLink: canRecordConsent(request.principal!),
    });
  });

  app.get('/staff', { config: { access: canListStaff } }, async (request, reply) => {
    const q = z
      .object({ q: z.string().max(100).optional().catch(undefined), page: pageQuery.default(1) })
      .parse(request.query);
    const result = await services.people.listStaff(schoolId(request.principal), q.q, q.page);
    return reply.page('people/views/staff.njk', {
      canAssignClasses: canAssignClasses(request.principal!),
      canManage: canManageStaff(request.principal!),
      canChange: (member: { roles: string[] }) => canChangeStaffMember(request.principal!, member),
      title: 'Staff',
      result,
      query: q,
      pageUrl: `/staff${queryString({ q: q.q })}`,
    });
  });
}
