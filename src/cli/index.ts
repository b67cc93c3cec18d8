import { loadConfig } from '../config.ts';
import { createPlatform, createServices, type Platform, type Services } from '../container.ts';
import { explainStartupError, runServer, type ProcessRole } from '../main.ts';
import { seedDemoSchool, demoCredentials, printDemoCredentials } from '../demo/seed.ts';
import { hashPassword } from '../platform/crypto.ts';
import { staffRoles, type StaffRole } from '../modules/auth/index.ts';
import { importPupilsCommand } from './import-pupils.ts';
import { importConsentsCommand } from './import-consents.ts';
import { importStaffCommand } from './import-staff.ts';
import { backup, BackupError, restore } from '../platform/db/backup.ts';
import { formatDateTimeInWords } from '../web/dates.ts';

const usage = `Usage: lanyard <command>

  start [all|web|worker]                 run Lanyard (default: all)
  migrate                                apply database migrations
  seed demo                              add the demo trust and schools (not in production)
  import pupils FILE.csv --school SLUG [--yes] [--whole-roll]
                                         preview (and with --yes apply) an MIS export;
                                         --whole-roll: the file lists every pupil on roll, so
                                         pupils missing from it are marked as possibly left
  import consents FILE.csv --school SLUG [--yes]
                                         preview (and with --yes record) a consent spreadsheet
  import staff FILE.csv --school SLUG [--yes]
                                         preview (and with --yes apply) a staff list: who is
                                         added, what changes, every problem by row number
  create-school --name NAME --slug SLUG --template KEY
                                         set up a school from a policy template
                                         (keys: jump-primary, the-avenue-primary, christ-church-hampstead,
                                         sacred-heart-rochdale, john-clifford-primary)
  create-user --school SLUG --email E --name "Given Family" --role ROLE [--role ROLE…]
                                         create a staff account (password read from LANYARD_PASSWORD
                                         or printed once)
  set-password --email E                 set the password of a staff account by hand (a forgotten
                                         one; staff added on the Staff page are emailed an
                                         invitation); from LANYARD_PASSWORD or printed once
  token create --email E --name LABEL    create an API token for a staff member
  audit verify                           check the whole audit hash chain, and that none of its
                                         newest entries are missing since the last checkpoint
  backup FILE                            write every table and file to FILE (gzip JSON lines)
  restore FILE                           restore a backup into an empty Lanyard (new DATA_DIR or
                                         DATABASE_URL), then check the audit chain
  demo-code EMAIL                        print the current two-step code of a demo account
  mail test EMAIL                        send a test email (through SMTP_URL, or the running
                                         server's development mail sink: see /dev/outbox)
  schools                                list schools and their slugs

Roles: ${staffRoles.join(', ')}`;

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

function flags(args: string[], name: string): string[] {
  const out: string[] = [];
  args.forEach((a, i) => {
    if (a === `--${name}` && args[i + 1]) out.push(args[i + 1]!);
  });
  return out;
}

async function withServices<T>(
  fn: (services: Services, platform: Platform) => Promise<T>,
): Promise<T> {
  const config = loadConfig();
  // Beside a running server this attaches to its database and mail sink: no sink, no job
  // supervision, no database of its own (see PlatformOptions.attachToRunningServer).
  const platform = await createPlatform(config, {
    supervise: false,
    attachToRunningServer: true,
    log: err,
  });
  try {
    return await fn(createServices(platform), platform);
  } finally {
    await platform.close();
  }
}

const out = (m: string) => process.stdout.write(`${m}\n`);
const err = (m: string) => process.stderr.write(`${m}\n`);

async function run(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case undefined:
    case 'help':
    case '--help':
      out(usage);
      return 0;
    case 'start':
      await runServer((args[0] ?? 'all') as ProcessRole);
      return -1; // keeps running
    case 'migrate':
      await withServices(async () => out('Migrations applied.'));
      return 0;
    case 'seed':
      if (args[0] !== 'demo') break;
      return withServices(async (services) => {
        const seeded = await seedDemoSchool(services);
        out(seeded ? 'Seeded the demo trust.' : 'The demo trust is already there.');
        printDemoCredentials(out, demoCredentials);
        return 0;
      });
    case 'schools':
      return withServices(async (services) => {
        for (const s of await services.peopleDirectory.listSchools(services.database.db))
          out(`${s.slug.padEnd(30)} ${s.name}`);
        return 0;
      });
    case 'import':
      if (args[0] === 'consents' && args[1]) {
        return withServices((services) =>
          importConsentsCommand(services, {
            file: args[1]!,
            school: flag(args, 'school') ?? '',
            yes: args.includes('--yes'),
          }),
        );
      }
      if (args[0] === 'staff' && args[1]) {
        return withServices((services) =>
          importStaffCommand(services, {
            file: args[1]!,
            school: flag(args, 'school') ?? '',
            yes: args.includes('--yes'),
          }),
        );
      }
      if (args[0] !== 'pupils' || !args[1]) break;
      return withServices((services) =>
        importPupilsCommand(services, {
          file: args[1]!,
          school: flag(args, 'school') ?? '',
          yes: args.includes('--yes'),
          wholeRoll: args.includes('--whole-roll'),
        }),
      );
    case 'create-school': {
      const name = flag(args, 'name');
      const slug = flag(args, 'slug');
      const template = flag(args, 'template');
      if (!name || !slug || !template) {
        err('create-school needs --name, --slug and --template');
        return 2;
      }
      return withServices(async (services) => {
        const school = await services.people.createSchool(
          { name, slug, templateKey: template },
          { kind: 'cli', id: null },
        );
        out(`Created ${school.name} (${school.slug}) with the ${template} policy template.`);
        out(
          `Next: npx lanyard create-user --school ${school.slug} --email … --name … --role headteacher`,
        );
        return 0;
      });
    }
    case 'create-user': {
      const school = flag(args, 'school');
      const email = flag(args, 'email');
      const name = flag(args, 'name');
      const roles = flags(args, 'role');
      const bad = roles.filter((r) => !(staffRoles as readonly string[]).includes(r));
      if (!school || !email || !name || roles.length === 0 || bad.length > 0) {
        err(
          bad.length
            ? `Unknown role(s): ${bad.join(', ')}`
            : 'create-user needs --school, --email, --name and at least one --role',
        );
        return 2;
      }
      return withServices(async (services) => {
        const people = services.peopleDirectory;
        const found = await people.getSchoolBySlug(services.database.db, school);
        if (!found) {
          err(`No school with slug "${school}". Run \`lanyard schools\` to list them.`);
          return 2;
        }
        if (await people.getStaffByEmail(services.database.db, email)) {
          err(`A staff account with ${email} already exists.`);
          return 2;
        }
        const generated = !process.env.LANYARD_PASSWORD;
        const password =
          process.env.LANYARD_PASSWORD ?? (await import('../platform/crypto.ts')).randomToken(12);
        const [given, ...rest] = name.trim().split(/\s+/);
        await services.database.transaction(async (tx) => {
          const row = await people.createStaff(
            tx.db,
            {
              schoolId: found.id,
              email,
              givenName: given ?? name,
              familyName: rest.join(' ') || '-',
              passwordHash: await hashPassword(password),
            },
            roles as StaffRole[],
          );
          await services.audit.record(tx, {
            schoolId: found.id,
            actor: { kind: 'cli', id: null },
            action: 'people.staff-created',
            entityType: 'staff',
            entityId: row.id,
            data: { roles },
          });
        });
        out(`Created ${email} (${roles.join(', ')}) at ${found.name}.`);
        if (generated) out(`Password (shown once): ${password}`);
        return 0;
      });
    }
    case 'set-password': {
      const email = flag(args, 'email');
      if (!email) {
        err('set-password needs --email');
        return 2;
      }
      return withServices(async (services) => {
        const member = await services.peopleDirectory.getStaffByEmail(services.database.db, email);
        if (!member) {
          err(`No staff account has the email ${email}.`);
          return 2;
        }
        const generated = !process.env.LANYARD_PASSWORD;
        const password =
          process.env.LANYARD_PASSWORD ?? (await import('../platform/crypto.ts')).randomToken(12);
        await services.auth.setPassword(member.id, password);
        await services.database.transaction((tx) =>
          services.audit.record(tx, {
            schoolId: member.schoolId,
            actor: { kind: 'cli', id: null },
            action: 'auth.password-set',
            entityType: 'staff',
            entityId: member.id,
          }),
        );
        out(`Password set for ${email}.`);
        if (generated) out(`Password (shown once): ${password}`);
        return 0;
      });
    }
    case 'token':
      if (args[0] !== 'create') break;
      return withServices(async (services) => {
        const email = flag(args, 'email');
        const label = flag(args, 'name') ?? 'API token';
        const member = email
          ? await services.peopleDirectory.getStaffByEmail(services.database.db, email)
          : undefined;
        if (!member) {
          err('token create needs --email of an existing staff member');
          return 2;
        }
        out(await services.auth.createApiToken(member.id, member.schoolId, label));
        return 0;
      });
    case 'backup':
    case 'restore': {
      const file = args[0];
      if (!file) break;
      return withServices(async (services, platform) => {
        try {
          if (command === 'backup') {
            const s = await backup(platform.database.pool, platform.files, file, {
              checkpoint: services.audit.backupCheckpoint(),
            });
            const rows = Object.values(s.tables).reduce((a, b) => a + b, 0);
            out(
              `Backed up ${rows} rows from ${Object.keys(s.tables).length} tables and ${s.files} files to ${file}.`,
            );
            return 0;
          }
          const s = await restore(platform.database.pool, platform.files, file, {
            checkpoint: services.audit.backupCheckpoint(),
          });
          const rows = Object.values(s.tables).reduce((a, b) => a + b, 0);
          out(
            `Restored ${rows} rows into ${Object.keys(s.tables).length} tables and ${s.files} files.`,
          );
          const verified = await services.audit.verify(() => undefined);
          out(
            verified.ok
              ? `Audit log verified: ${verified.entries} entries in ${verified.chains} chains, no breaks.`
              : 'The restored audit log does NOT verify: run `lanyard audit verify` for the first broken entry.',
          );
          return verified.ok ? 0 : 1;
        } catch (error) {
          if (error instanceof BackupError) {
            err(error.message);
            return 1;
          }
          throw error;
        }
      });
    }
    case 'audit':
      if (args[0] !== 'verify') break;
      return withServices(async (services) => {
        const result = await services.audit.verify((n) =>
          process.stderr.write(`\rchecked ${n} entries`),
        );
        process.stderr.write('\n');
        const cp = result.checkpoint;
        for (const note of result.notes) out(`Note: ${note}.`);
        if (result.ok) {
          out(
            `Audit log verified: ${result.entries} entries in ${result.chains} chains, no breaks${cp ? `, and none missing since checkpoint ${cp.number} of ${formatDateTimeInWords(cp.at)} (${cp.entries} entries)` : ''}.`,
          );
          return 0;
        }
        const b = result.broken;
        out(
          b.id === null
            ? `AUDIT LOG BROKEN in ${b.chain}: ${b.reason}${cp ? ` (checkpoint ${cp.number} was taken on ${formatDateTimeInWords(cp.at)})` : ''}.`
            : `AUDIT LOG BROKEN at entry id ${b.id} (chain ${b.chain}, #${b.seq}): ${b.reason}.`,
        );
        return 1;
      });
    case 'mail': {
      const to = args[1];
      if (args[0] !== 'test' || !to) break;
      return withServices(async (_services, platform) => {
        await platform.mailer.send({
          to,
          subject: 'Lanyard test email',
          text: 'This is a test email from Lanyard (`lanyard mail test`). Mail is working.',
        });
        const config = platform.config;
        const via = config.smtpUrl
          ? 'SMTP_URL'
          : platform.attachedTo?.smtpSinkUrl
            ? `the running server's development mail sink (${platform.attachedTo.baseUrl ?? config.baseUrl}/dev/outbox)`
            : undefined;
        if (!via) return 1; // reported by the mailer when it closes: nothing was delivered
        out(`Sent a test email to ${to} through ${via}.`);
        return 0;
      });
    }
    case 'demo-code':
      return withServices(async (services) => {
        const code = args[0] ? await services.auth.currentCode(args[0]) : null;
        if (!code) {
          err('No two-step sign-in is set up for that email.');
          return 2;
        }
        out(code);
        return 0;
      });
  }
  err(usage);
  return 2;
}

run(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    err(explainStartupError(error));
    process.exit(1);
  },
);
