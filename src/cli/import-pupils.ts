import fs from 'node:fs/promises';
import type { Services } from '../container.ts';
import { ValidationError } from '../errors.ts';
import type {
  ImportCounts,
  ImportPhase,
  ImportView,
  ProgressListener,
} from '../modules/people/index.ts';

/** Where the command writes: results to stdout, progress and problems to stderr. */
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown; isTTY?: boolean };
}

/**
 * The school named by `--school` and the file to import, checked before anything is read: the
 * school, or null once the reason is written (the command then exits 2, bad usage).
 */
export async function importTarget(
  services: Services,
  args: { file: string; school: string },
  io: CliIo,
): Promise<{ id: string } | null> {
  const school = await services.peopleDirectory.getSchoolBySlug(services.database.db, args.school);
  if (!school) {
    io.stderr.write(`No school has the slug "${args.school}".\n`);
    return null;
  }
  try {
    const stat = await fs.stat(args.file);
    if (!stat.isFile()) throw new Error('not a file');
  } catch {
    io.stderr.write(`Cannot read the file ${args.file}.\n`);
    return null;
  }
  return school;
}

const ERRORS_SHOWN = 50;
const n = (value: number) => value.toLocaleString('en-GB');

const phaseLabels: Record<ImportPhase, string> = {
  checking: 'checking rows',
  comparing: 'comparing with Lanyard',
  saving: 'saving changes',
};

/**
 * A text progress bar: `[#####-----] 52% checking rows 10,400/20,000`. On a terminal it is
 * redrawn in place; otherwise (a log file, CI) a plain line is written every 10%.
 */
export function progressBar(
  stream: CliIo['stderr'],
  width = 20,
): ProgressListener & { end(): void } {
  const tty = stream.isTTY === true;
  let phase: ImportPhase | null = null;
  let lastTenth = -1;
  let drawn = false;
  const end = () => {
    if (tty && drawn) stream.write('\n');
    drawn = false;
  };
  const listener = (next: ImportPhase, done: number, total: number) => {
    if (next !== phase) {
      end();
      phase = next;
      lastTenth = -1;
    }
    const fraction = total > 0 ? Math.min(1, done / total) : 1;
    const percent = Math.floor(fraction * 100);
    const filled = Math.round(fraction * width);
    const line =
      `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(percent).padStart(3)}% ` +
      `${phaseLabels[next]} ${n(done)}/${n(total)}`;
    if (tty) {
      stream.write(`\r${line}\x1b[K`);
      drawn = true;
    } else {
      const tenth = Math.floor(percent / 10);
      if (tenth > lastTenth) {
        lastTenth = tenth;
        stream.write(`${line}\n`);
      }
    }
  };
  return Object.assign(listener, { end });
}

function countLines(c: ImportCounts): string[] {
  return [
    `  Pupils in the file:               ${n(c.rows)}`,
    `  New pupils:                       ${n(c.newPupils)}`,
    `  Pupils with changes:              ${n(c.updatedPupils)}`,
    `  Pupils without changes:           ${n(c.unchangedPupils)}`,
    `  Pupils back in the MIS:           ${n(c.reappearedPupils)}`,
    `  On roll but not in the file:      ${n(c.notInFile ?? c.possiblyLeft)}`,
    `  Marked as possibly left:          ${n(c.possiblyLeft)}`,
    `  Already marked as possibly left:  ${n(c.alreadyPossiblyLeft)}`,
    `  New parents and carers:           ${n(c.newParents)}`,
    `  Parents and carers with changes:  ${n(c.updatedParents)}`,
    `  New links to parents:             ${n(c.newLinks)}`,
    `  Changed links:                    ${n(c.updatedLinks)}`,
    `  Links removed:                    ${n(c.removedLinks)}`,
  ];
}

function report(imp: ImportView, io: CliIo, wholeRoll: boolean): void {
  const out = (line = '') => io.stdout.write(`${line}\n`);
  const p = imp.preview;
  if (imp.status === 'rejected' && imp.fileError) {
    io.stderr.write(`This file cannot be imported: ${imp.fileError}\nNothing was changed.\n`);
    return;
  }
  if (p && p.errors.length > 0) {
    const total = p.stats.totalErrors;
    io.stderr.write(
      `The file has ${n(total)} ${total === 1 ? 'problem' : 'problems'} ` +
        `(${n(p.stats.rowsWithErrors)} of ${n(p.stats.totalRows)} rows). Nothing was changed.\n`,
    );
    for (const e of p.errors.slice(0, ERRORS_SHOWN)) {
      io.stderr.write(`  line ${e.line}${e.column ? `, ${e.column}` : ''}: ${e.message}\n`);
    }
    if (total > ERRORS_SHOWN) {
      io.stderr.write(
        `  … and ${n(total - ERRORS_SHOWN)} more (the first ${ERRORS_SHOWN} are shown)\n`,
      );
    }
    return;
  }
  if (imp.status === 'committed' && imp.summary) {
    out(`Imported ${imp.filename} (${(imp.summary.durationMs / 1000).toFixed(1)} s):`);
    for (const line of countLines(imp.summary.counts)) out(line);
    if (imp.summary.wholeRoll === false && (imp.summary.counts.notInFile ?? 0) > 0) {
      out('A partial list: nobody was marked as possibly left.');
    }
    return;
  }
  if (p?.counts) {
    out(
      `Checked ${n(p.stats.totalRows)} rows of ${imp.filename}: no problems. Pupils are matched on ` +
        `their ${p.fileFormat.pupilIdLabel} (column "${p.fileFormat.pupilIdColumn}").`,
    );
    out('If you apply it:');
    for (const line of countLines(p.counts)) out(line);
    const notInFile = p.counts.notInFile ?? p.counts.possiblyLeft;
    if (notInFile > 0) {
      out(
        wholeRoll
          ? `With --whole-roll the ${n(notInFile)} pupils on roll who are not in the file are marked as possibly left.`
          : `The ${n(notInFile)} pupils on roll who are not in the file are not marked as possibly left ` +
              '(a partial list). If the file lists every pupil on roll, run again with --whole-roll.',
      );
    }
    if (p.fileFormat.unknownColumns.length > 0) {
      out(`Columns not used: ${p.fileFormat.unknownColumns.join(', ')}`);
    }
  }
}

/**
 * `lanyard import pupils FILE.csv --school SLUG [--yes] [--whole-roll]`: checks the file and shows
 * what would change; with --yes applies it (all or nothing). Pupils on roll who are missing from
 * the file are marked as possibly left only with --whole-roll (the file lists every pupil). Returns the process exit code: 0 when the file is
 * clean (and, with --yes, imported), 1 when it has problems or the import failed, 2 for bad usage.
 */
export async function importPupilsCommand(
  services: Services,
  args: { file: string; school: string; yes: boolean; wholeRoll?: boolean },
  io: CliIo = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const school = await importTarget(services, args, io);
  if (!school) return 2;
  const bar = progressBar(io.stderr);
  let result: Awaited<ReturnType<Services['imports']['runFromCli']>>;
  try {
    result = await services.imports.runFromCli(school.id, args.file, {
      onProgress: bar,
      confirm: args.yes,
      wholeRoll: args.wholeRoll === true,
    });
  } catch (error) {
    bar.end();
    if (error instanceof ValidationError) {
      io.stderr.write(`${Object.values(error.fieldErrors).join('\n')}\nNothing was changed.\n`);
      return 1;
    }
    throw error;
  }
  bar.end();
  const imp = result.import;
  report(imp, io, args.wholeRoll === true);
  switch (imp.status) {
    case 'committed':
      return 0;
    case 'previewed':
      io.stdout.write('Nothing has been changed yet. Run again with --yes to apply.\n');
      return 0;
    case 'failed':
      io.stderr.write(`The import failed and nothing was changed: ${imp.fileError ?? ''}\n`);
      if (result.error) io.stderr.write(`Cause: ${result.error}\n`);
      return 1;
    case 'rejected':
    case 'uploaded':
    case 'previewing':
    case 'committing':
      return 1;
  }
}
