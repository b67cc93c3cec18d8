import type { FastifyInstance } from 'fastify';
import type { Principal } from '../modules/auth/principal.ts';
import type { NavigationEntry, NavigationSection } from '../modules/registry.ts';
import { NotFoundError } from '../errors.ts';
import { navigationSections, sectionHref, sectionLinks } from './navigation.ts';

/** Whether this person's role opens any of the section's entries (the profile is asked below). */
function opensSection(
  entries: readonly NavigationEntry[],
  name: NavigationSection,
): (p: Principal) => boolean {
  const own = entries.filter((e) => e.section === name);
  return (p) => own.some((e) => e.visible(p));
}

/**
 * Each section's page (/section/<name>): the section's entries this person can open, each a link
 * with a sentence on what is there. Not found for someone who can open none of them.
 */
export function sectionRoutes(entries: readonly NavigationEntry[]) {
  return async function (app: FastifyInstance) {
    for (const section of navigationSections) {
      app.get(
        sectionHref(section.name),
        { config: { access: opensSection(entries, section.name) } },
        async (request, reply) => {
          const links = sectionLinks(
            entries,
            section.name,
            request.principal!,
            (request as unknown as { hiddenNavigation?: ReadonlySet<NavigationEntry> })
              .hiddenNavigation,
          );
          if (links.length === 0) throw new NotFoundError();
          return reply.page('section.njk', { title: section.title, links });
        },
      );
    }
  };
}
