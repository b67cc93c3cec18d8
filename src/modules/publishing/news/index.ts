import type { Services } from '../../registry.ts';
import { NewsAppearanceService } from './news-appearance.service.ts';
import { NewsRepository } from './news.repository.ts';
import { NewsService } from './news.service.ts';

export { newsRoutes } from './news.routes.ts';
export { newsAppearanceRoutes } from './news-appearance.routes.ts';
export { NewsService } from './news.service.ts';
export { NewsAppearanceService } from './news-appearance.service.ts';

declare module '../../registry.ts' {
  interface ServiceRegistry {
    /** The school's public news page and its feeds (issue 12 item 7). */
    news: NewsService;
    /** The news page's colour and logo (News page appearance). */
    newsAppearance: NewsAppearanceService;
  }
}

/** The news part of the publishing module: `publishing.module.ts` spreads it into its `wire`. */
export function wireNews(
  deps: Pick<
    Services,
    'database' | 'policies' | 'files' | 'config' | 'peopleDirectory' | 'images' | 'audit'
  >,
): {
  news: NewsService;
  newsAppearance: NewsAppearanceService;
} {
  const news = new NewsService({
    database: deps.database,
    repository: new NewsRepository(),
    policies: deps.policies,
    people: deps.peopleDirectory,
    files: deps.files,
    baseUrl: deps.config.baseUrl,
  });
  return {
    news,
    newsAppearance: new NewsAppearanceService({
      database: deps.database,
      people: deps.peopleDirectory,
      files: deps.files,
      images: deps.images,
      audit: deps.audit,
      changed: () => news.forgetSchools(),
    }),
  };
}
