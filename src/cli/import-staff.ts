import type { Services } from '../container.ts';
import { ValidationError } from '../errors.ts';
import type { StaffImportView } from '../modules/people/index.ts';
import { importTarget, type CliIo } from './import-pupils.ts';

const ERRORS_SHOWN = 50;
const n = (value: number) => value.toLocaleString('en-GB');

/** What the file does (or did), as the staff import's page says it. */
function report(imp: StaffImportView, io: CliIo): void {
  const out = (line = '') => io.stdout.write(`${line}\n`);
  const p = imp.preview;
  if (imp.status === 'rejected' && imp.fileError && !p) {
    io.stderr.write(`This file cannot be imported: ${imp.fileError}\nNothing was changed.\n`);
    return;
  }
  if (p && p.errors.length > 0) {
    const total = p.errors.length;
    const rows = new Set(p.errors.map((e) => e.line)).size;
    io.stderr.write(
      `The file has ${n(total)} ${total === 1 ? 'problem' : 'problems'} ` +
        `(${n(rows)} of ${n(p.totalRows)} rows). Nothing was changed.\n`,
    );
    for (const e of p.errors.slice(0, ERRORS_SHOWN)) {
      io.stderr.write(`  row ${e.line}: ${e.message}\n`);
    }
    if (total > ERRORS_SHOWN) {
      io.stderr.write(
        `  … and ${n(total - ERRORS_SHOWN)} more (the first ${ERRORS_SHOWN} are shown)\n`,
      );
    }
    return;
  }
  if (imp.status === 'committed' && imp.summary) {
    const s = imp.summary;
    out(`Imported ${imp.filename}:`);
    out(`  Staff added:                      ${n(s.added)}`);
    out(`  Emailed a link to set a password: ${n(s.invited)}`);
    out(`  Staff changed:                    ${n(s.changed)}`);
    out(`  Deactivated (leave date come):    ${n(s.deactivated)}`);
    return;
  }
  if (p) {
    out(`Checked ${n(p.totalRows)} rows of ${imp.filename}: no problems.`);
    if (!p.canCommit) {
      out('Everyone in the file is already recorded as it says: there is nothing to import.');
      return;
    }
    out('If you apply it:');
    out(`  Staff to add:                     ${n(p.added.length)}`);
    out(`  Staff to change:                  ${n(p.changed.length)}`);
    out(`  Already as the file says:         ${n(p.unchanged)}`);
    for (const c of p.changed) out(`  row ${c.line}, ${c.name}: ${c.changes.join('; ')}`);
  }
}

/**
 * `lanyard import staff FILE.csv --school SLUG [--yes]`: checks a staff list (docs/people.md,
 * "Importing staff") and shows what would change, every problem with its row number; with --yes
 * applies it (all or nothing). Exit code 0 when the file is clean (and, with --yes, imported),
 * 1 when it has problems or could not be applied, 2 for bad usage.
 */
export async function importStaffCommand(
  services: Services,
  args: { file: string; school: string; yes: boolean },
  io: CliIo = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const school = await importTarget(services, args, io);
  if (!school) return 2;
  let result: Awaited<ReturnType<Services['staffImports']['runFromCli']>>;
  try {
    result = await services.staffImports.runFromCli(school.id, args.file, { confirm: args.yes });
  } catch (error) {
    if (error instanceof ValidationError) {
      io.stderr.write(`${Object.values(error.fieldErrors).join('\n')}\nNothing was changed.\n`);
      return 1;
    }
    throw error;
  }
  const imp = result.import;
  report(imp, io);
  if (result.error) {
    io.stderr.write(`${result.error}\n`);
    return 1;
  }
  switch (imp.status) {
    case 'committed':
      return 0;
    case 'previewed':
      io.stdout.write('Nothing has been changed yet. Run again with --yes to apply.\n');
      return 0;
    case 'rejected':
      // A clean file with nothing to change is not a failure.
      return imp.preview && imp.preview.errors.length === 0 && !imp.fileError ? 0 : 1;
    case 'failed':
      io.stderr.write(`The import failed and nothing was changed: ${imp.fileError ?? ''}\n`);
      return 1;
    case 'uploaded':
    case 'previewing':
    case 'committing':
      return 1;
  }
}
