// Module boundaries (ARCHITECTURE rules 1 and 13, docs/architecture.md "Boundaries", ADR 0025),
// enforced by eslint-plugin-boundaries in `npm run lint` and proved by src/lint-boundaries.test.ts.
//
// - Another module is reached only through its public `src/modules/<name>/index.ts`: never its
//   repository, its tables or any other file inside it.
// - Routes never import a repository (their own module's or another's).
// - Modules never import the composition root (`src/container.ts`) or the app (`src/app.ts`).
// - The CLI (`src/cli/`) reaches modules through their index files only (their services).
// - `src/modules/registry.ts` is the shared kernel (types only): anyone may import it.
// - `src/platform/` and `src/web/` are imported by modules; platform imports no module.
import boundaries from 'eslint-plugin-boundaries';

/**
 * The single documented exception (ADR 0006): the consent check's facts are read in ONE round
 * trip, a read-only join of the people tables (pupils, pupil_parents, parents) in SQL. Only this
 * file may import another module's tables for a read.
 */
export const consentCheckJoin = 'src/modules/consent/register/consent.repository.ts';

/**
 * Repositories that still read the tables of another module in SQL, listed by name so the list
 * can only shrink (issue 11 item 2). It is empty: every repository reads other modules' data
 * through their services (PeopleDirectory, MediaService, the events service) in batches, and a
 * new file importing another module's tables fails the lint.
 */
export const crossModuleReadsToRemove = [];

export const boundariesConfig = [
  {
    files: ['src/**/*.ts'],
    plugins: { boundaries },
    settings: {
      'boundaries/elements': [
        { type: 'module', pattern: 'src/modules/*', capture: ['name'] },
        { type: 'platform', pattern: 'src/platform' },
        { type: 'web', pattern: 'src/web' },
        { type: 'cli', pattern: 'src/cli' },
        { type: 'demo', pattern: 'src/demo' },
      ],
      'boundaries/files': [
        { category: 'index', pattern: 'src/modules/*/index.ts' },
        { category: 'kernel', pattern: 'src/modules/registry.ts' },
        { category: 'root', pattern: ['src/container.ts', 'src/app.ts', 'src/main.ts'] },
        { category: 'tables', pattern: '**/*.tables.ts' },
        { category: 'repository', pattern: '**/*.repository.ts' },
        { category: 'routes', pattern: '**/*.routes.ts' },
        { category: 'consent-check-join', pattern: consentCheckJoin },
        ...(crossModuleReadsToRemove.length
          ? [{ category: 'reads-to-remove', pattern: crossModuleReadsToRemove }]
          : []),
        // Every file, so that "any file but index.ts" also matches files of no other category.
        { category: 'file', pattern: 'src/**' },
      ],
    },
    rules: {
      'boundaries/dependencies': [
        'error',
        {
          default: 'allow',
          // Also look at imports inside one module (routes → their own repository).
          checkInternals: true,
          policies: [
            // Another module (and the CLI): only through its index.ts (or the shared kernel).
            {
              from: { element: { types: ['module', 'cli'] } },
              disallow: {
                to: {
                  element: { type: 'module' },
                  file: { categories: { noneOf: ['index', 'kernel'] } },
                },
              },
            },
            // Inside a module, files import each other directly.
            {
              from: { element: { type: 'module' } },
              allow: { dependency: { relationship: { to: 'internal' } } },
            },
            // Schema, not access: a table may name another module's table in a foreign key.
            {
              from: { file: { categories: 'tables' } },
              allow: { to: { file: { categories: 'tables' } } },
            },
            // THE EXCEPTION (ADR 0006): the consent check's one-round-trip join reads the people
            // tables (pupils, pupil_parents, parents) read-only, in the same statement.
            {
              from: { file: { categories: 'consent-check-join' } },
              allow: {
                to: {
                  element: { type: 'module', captured: { name: 'people' } },
                  file: { categories: 'tables' },
                },
              },
            },
            // Still to move to the owning module's read service (listed above, only shrinks).
            {
              from: { file: { categories: 'reads-to-remove' } },
              allow: { to: { file: { categories: 'tables' } } },
            },
            // Routes never import a repository, their own module's included.
            {
              from: { file: { categories: 'routes' } },
              disallow: { to: { file: { categories: 'repository' } } },
            },
            // Modules never import the composition root or the app.
            {
              from: { element: { type: 'module' } },
              disallow: { to: { file: { categories: 'root' } } },
            },
            // The platform is technology only: it imports no module.
            {
              from: { element: { type: 'platform' } },
              disallow: { to: { element: { type: 'module' } } },
            },
          ],
        },
      ],
    },
  },
];
