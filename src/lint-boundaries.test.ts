import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { ESLint } from 'eslint';

// The module boundaries are checked by `npm run lint` (eslint.config.js with eslint.boundaries.js,
// ADR 0025). These lint made-up files with the project's own configuration and expect each
// forbidden import to be reported, and the allowed ones not.
const root = path.resolve(import.meta.dirname, '..');
const eslint = new ESLint({
  cwd: root,
  // The project's configuration, without its type-aware rules: the files below do not exist, so
  // the TypeScript project service could not type them (the rules under test need no types).
  overrideConfig: [
    {
      files: ['**/*.ts'],
      languageOptions: { parserOptions: { projectService: false } },
      rules: {
        '@typescript-eslint/no-floating-promises': 'off',
        '@typescript-eslint/no-misused-promises': 'off',
        '@typescript-eslint/switch-exhaustiveness-check': 'off',
      },
    },
  ],
});

async function problems(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, filePath) });
  return result!.messages.map((m) => `${m.ruleId ?? 'parser'}: ${m.message}`);
}

const boundary = expect.stringMatching(/^boundaries\/dependencies: /);
const sharp =
  "no-restricted-imports: 'sharp' import is restricted from being used. Only src/platform/images may import sharp.";

// The first lint loads ESLint's plugins and parser: seconds on a busy 2-core machine, so more than
// the unit tier's 5-second default.
describe('module boundaries (npm run lint)', { timeout: 60_000 }, () => {
  it("refuses another module's repository, tables or internal file", async () => {
    expect(
      await problems(
        'src/modules/devices/lint-fixture.ts',
        "import { PeopleRepository } from '../people/people.repository.ts';\nexport const r = new PeopleRepository();\n",
      ),
    ).toEqual([boundary]);
    expect(
      await problems(
        'src/modules/devices/lint-fixture.repository.ts',
        "import { pupils } from '../people/people.tables.ts';\nexport const t = pupils;\n",
      ),
    ).toEqual([boundary]);
    expect(
      await problems(
        'src/modules/devices/lint-fixture.ts',
        "import { PupilScope } from '../people/pupil-scope.ts';\nexport const s = PupilScope;\n",
      ),
    ).toEqual([boundary]);
  });

  it("allows another module's index.ts, the shared kernel and its own files", async () => {
    expect(
      await problems(
        'src/modules/devices/lint-fixture.ts',
        [
          "import type { PeopleDirectory } from '../people/index.ts';",
          "import { canListPupils } from '../people/index.ts';",
          "import type { Services } from '../registry.ts';",
          "import { DevicesRepository } from './devices.repository.ts';",
          "import { formatDateInWords } from '../../web/dates.ts';",
          'export type T = [PeopleDirectory, Services];',
          'export const v = [canListPupils, DevicesRepository, formatDateInWords];',
          '',
        ].join('\n'),
      ),
    ).toEqual([]);
  });

  it('refuses a repository in a routes file, its own module’s too', async () => {
    expect(
      await problems(
        'src/modules/devices/devices.routes.ts',
        "import { DevicesRepository } from './devices.repository.ts';\nexport const r = DevicesRepository;\n",
      ),
    ).toEqual([boundary]);
  });

  it('refuses sharp outside platform/images, in routes and services too', async () => {
    const code = "import sharp from 'sharp';\nexport const s = sharp;\n";
    expect(await problems('src/modules/devices/devices.routes.ts', code)).toEqual([sharp]);
    expect(await problems('src/modules/devices/devices.service.ts', code)).toEqual([sharp]);
    expect(await problems('src/modules/devices/lint-fixture.ts', code)).toEqual([sharp]);
    expect(await problems('src/platform/images/lint-fixture.ts', code)).toEqual([]);
  });

  it('refuses the composition root in a module, and repositories in the CLI', async () => {
    expect(
      await problems(
        'src/modules/devices/lint-fixture.ts',
        "import { modules } from '../../container.ts';\nexport const m = modules;\n",
      ),
    ).toEqual([boundary]);
    expect(
      await problems(
        'src/cli/lint-fixture.ts',
        "import { PeopleRepository } from '../modules/people/people.repository.ts';\nexport const r = PeopleRepository;\n",
      ),
    ).toEqual([boundary]);
  });

  it("names the consent check's join (ADR 0006) as the one file that may read people's tables", async () => {
    const code =
      "import { pupils } from '../../people/people.tables.ts';\nexport const t = pupils;\n";
    expect(await problems('src/modules/consent/register/consent.repository.ts', code)).toEqual([]);
    expect(
      await problems('src/modules/consent/register/consent-lint-fixture.repository.ts', code),
    ).toEqual([boundary]);
  });
});
