import type { Services } from '../container.ts';
import { ValidationError } from '../errors.ts';
import type { ConsentImportView } from '../modules/consent/index.ts';
import { importTarget, type CliIo } from './import-pupils.ts';

const ERRORS_SHOWN = 50;

function report(imp: ConsentImportView, io: CliIo): void {
  const out = (line = '') => io.stdout.write(`${line}\n`);
  const p = imp.preview;
  if (imp.status === 'rejected' && imp.fileError) {
    io.stderr.write(`This file cannot be imported: ${imp.fileError}\nNothing was recorded.\n`);
    return;
  }
  if (p && p.errors.length > 0) {
    io.stderr.write(
      `The file has ${p.totalErrors} ${p.totalErrors === 1 ? 'problem' : 'problems'} ` +
        `(${p.rowsWithErrors} of ${p.totalRows} rows). Nothing was recorded.\n`,
    );
    for (const e of p.errors.slice(0, ERRORS_SHOWN)) {
      io.stderr.write(`  line ${e.line}${e.column ? `, ${e.column}` : ''}: ${e.message}\n`);
    }
    if (p.totalErrors > ERRORS_SHOWN) {
      io.stderr.write(`  … and ${p.totalErrors - ERRORS_SHOWN} more\n`);
    }
    return;
  }
  if (imp.status === 'committed' && imp.summary) {
    out(`Imported ${imp.filename}:`);
    out(`  Statements recorded:             ${imp.summary.newStatements}`);
    out(`  Unchanged (skipped):             ${imp.summary.unchangedStatements}`);
    out(`  Pupils with new statements:      ${imp.summary.pupils}`);
    out(`  Pupils whose consent changed:    ${imp.summary.pupilsWhoseAnswersChanged}`);
    return;
  }
  if (p?.counts) {
    out(`Checked ${p.totalRows} rows of ${imp.filename}: no problems.`);
    out('If you apply it:');
    out(`  Statements to record:            ${p.counts.newStatements}`);
    out(`  Unchanged (skipped):             ${p.counts.unchangedStatements}`);
    out(`  Pupils with new statements:      ${p.counts.pupils}`);
    out(`  Rows with every question blank:  ${p.unansweredRows}`);
    if (p.unused.length > 0) out(`Columns not used: ${p.unused.join(', ')}`);
  }
}

/**
 * `lanyard import consents FILE.csv --school SLUG [--yes]`: checks a consent spreadsheet and shows
 * what would be recorded; with --yes records it (all or nothing). Exit code 0 when the file is
 * clean (and, with --yes, imported), 1 when it has problems or could not be recorded, 2 for bad
 * usage.
 */
export async function importConsentsCommand(
  services: Services,
  args: { file: string; school: string; yes: boolean },
  io: CliIo = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const school = await importTarget(services, args, io);
  if (!school) return 2;
  let result: Awaited<ReturnType<Services['consentImports']['runFromCli']>>;
  try {
    result = await services.consentImports.runFromCli(school.id, args.file, {
      confirm: args.yes,
    });
  } catch (error) {
    if (error instanceof ValidationError) {
      io.stderr.write(`${Object.values(error.fieldErrors).join('\n')}\nNothing was recorded.\n`);
      return 1;
    }
    throw error;
  }
  report(result.import, io);
  if (result.error) {
    io.stderr.write(`${result.error}\n`);
    return 1;
  }
  switch (result.import.status) {
    case 'committed':
      return 0;
    case 'previewed':
      io.stdout.write('Nothing has been recorded yet. Run again with --yes to apply.\n');
      return 0;
    case 'failed':
      io.stderr.write(
        `The import failed and nothing was recorded: ${result.import.fileError ?? ''}\n`,
      );
      return 1;
    case 'rejected':
    case 'uploaded':
    case 'previewing':
    case 'committing':
      return 1;
  }
}
