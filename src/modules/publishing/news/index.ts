import type { Services } from '../../registry.ts';
import { NewsRepository } from './news.repository.ts';
import { NewsService } from './news.service.ts';

export { newsRoutes } from './news.routes.ts';
export { NewsService } from './news.service.ts';

declare module '../../registry.ts' {
  interface ServiceRegistry {
    /** The school's public news page and its feeds (issue 12 item 7). */
    news: NewsService;
  }
}

/** The news part of the publishing module: `publishing.module.ts` spreads it into its `wire`. */
export function wireNews(
  deps: Pick<Services, 'database' | 'policies' | 'files' | 'config' | 'peopleDirectory'>,
): {
  news: NewsService;
} {
  return {
    news: new NewsService({
      database: deps.database,
      repository: new NewsRepository(),
      policies: deps.policies,
      people: deps.peopleDirectory,
      files: deps.files,
      baseUrl: deps.config.baseUrl,
    }),
  };
}
