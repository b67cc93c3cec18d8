/**
 * `npm run bench:reports`, part "sar" (issue 16 item 5; docs/subject-access.md): one pupil with
 * seven school years of records (2019-20 to 2025-26) and 500 photos, and the time and memory to
 * produce and stream their subject access bundle.
 *
 * Data (in-process services on a fresh database `lanyard_bench_sar`): one school (20 pupils); for
 * the pupil, 500 tagged photos (400 KB originals of random bytes: incompressible, as JPEGs are),
 * 100 copies prepared for publishing (150 KB), 14 consent statements (two a year) with a 200 KB
 * scan each, 21 incidents (three a year) naming them and another pupil, with five entries and a
 * 200 KB piece of evidence each (encrypted in the evidence store), and 700 audit entries about them.
 *
 * Figures: `sar_ms` (log the request → the last byte of the ZIP read, the median of
 * BENCH_SAR_ROUNDS rounds, default 3; target < 30,000), `sar_rss_growth_mb` (the process's peak
 * RSS over all rounds over its RSS before, sampled every 20 ms after a GC; target < 300),
 * `sar_bytes_mb`, `sar_files`, and the baseline measured in the same rounds, just before each
 * bundle: `sar_copy_ms`, reading the same files one after another from the stores (evidence
 * decrypted) without zipping (median), and `sar_ratio` = sar_ms / sar_copy_ms.
 */
import { randomBytes, randomUUID, createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { sql } from 'drizzle-orm';
import { createPlatform, createServices } from '../../src/container.ts';
import { EvidenceStore } from '../../src/platform/evidence/evidence-store.ts';
import type { StaffPrincipal } from '../../src/modules/auth/principal.ts';
import { createSchool } from '../support/factories.ts';
import type { BenchPart } from './reports.bench.ts';
import { benchConfig, samplePeakRss } from './support.ts';

const PHOTOS = 500;
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

export const sarPart: BenchPart = {
  name: 'sar',
  title: 'A subject access bundle (seven years of records and 500 photos)',
  targets: { sar_ms: '< 30000', sar_rss_growth_mb: '< 300' },
  async run({ say, freshDatabase, dataDir, smtpUrl }) {
    const url = await freshDatabase('lanyard_bench_sar');
    const config = benchConfig({ url, dataDir: `${dataDir}/sar`, smtpUrl });
    const platform = await createPlatform(config, { supervise: false });
    try {
      const services = createServices(platform);
      const fx = await createSchool(services, { slug: 'bench-sar', pupils: 20 });
      const school = fx.school.id;
      const [pupil, other] = fx.pupils as [(typeof fx.pupils)[0], (typeof fx.pupils)[0]];
      const db = services.database.db;
      const files = services.files;
      const put = async (key: string, size: number) => {
        const temp = await files.writeTemp(randomBytes(size));
        await files.commit(temp.name, key);
      };
      const t0 = performance.now();
      // 500 tagged photos over seven school years, 100 of them with a prepared copy.
      for (let i = 0; i < PHOTOS; i++) {
        const id = randomUUID();
        const year = 2019 + (i % 7);
        const original = `${school}/media/${id}/original.jpg`;
        await put(original, 400_000);
        await db.execute(sql`
          INSERT INTO media_items (id, school_id, kind, status, event_label, format, content_type,
            size_bytes, sha256, academic_year, uploaded_at, original_key)
          VALUES (${id}, ${school}, 'image', 'ready', ${`Event ${i}`}, 'jpeg', 'image/jpeg', 400000,
            ${createHash('sha256').update(id).digest('hex')}, ${`${year}-${String((year + 1) % 100).padStart(2, '0')}`},
            ${new Date(Date.UTC(year, 9, 1 + (i % 28)))}, ${original})`);
        await db.execute(sql`
          INSERT INTO media_pupil_tags (school_id, media_id, pupil_id, created_at)
          VALUES (${school}, ${id}, ${pupil.id}, now())`);
        if (i % 5 === 0) {
          const key = `${school}/media/${id}/rendition-school_website.jpg`;
          await put(key, 150_000);
          await db.execute(sql`
            INSERT INTO media_renditions (school_id, media_id, purpose, file_key, width, height,
              size_bytes, faces_total, faces_blurred, basis, created_at)
            VALUES (${school}, ${id}, 'school_website', ${key}, 1600, 1200, 150000, 1, 0, '[]'::jsonb, now())`);
        }
      }
      // Two consent statements a year with their scans.
      for (let i = 0; i < 14; i++) {
        const key = `${school}/consent/${randomUUID()}.pdf`;
        await put(key, 200_000);
        const on = `${2019 + Math.floor(i / 2)}-09-${String(5 + (i % 2) * 10).padStart(2, '0')}`;
        await db.execute(sql`
          INSERT INTO consent_records (school_id, pupil_id, period_key, valid_from, decider_kind,
            decider_parent_id, decisions, method, kind, decided_on, recorded_at, recorded_by_kind,
            evidence_key, evidence_filename, evidence_content_type)
          VALUES (${school}, ${pupil.id}, 'admission', ${on}, 'parent', ${fx.parent.id},
            '{"school_website/image":"granted","local_newspapers/name":"refused"}'::jsonb,
            'paper_form', ${i === 0 ? 'form' : 'amendment'}, ${on}, ${`${on}T09:00:00Z`}, 'system',
            ${key}, 'form.pdf', 'application/pdf')`);
      }
      // Three incidents a year naming them and another pupil, each with evidence and entries.
      const evidence = new EvidenceStore(files, config.evidenceKey);
      for (let i = 0; i < 21; i++) {
        const id = randomUUID();
        const at = new Date(Date.UTC(2019 + Math.floor(i / 3), 10, 1 + i));
        const ref = `INC-${String(i + 1).padStart(4, '0')}`;
        await db.execute(sql`
          INSERT INTO incidents (id, school_id, seq, reference, reported_at, reporter_kind,
            reporter_id, what_happened, reporter_concern, indecent_image)
          VALUES (${id}, ${school}, ${i + 1}, ${ref}, ${at}, 'staff', ${fx.staff.teacher.id},
            ${`${other.givenName} ${other.familyName} posted about ${pupil.givenName}`}, false, false)`);
        for (const [p, part] of [
          [pupil.id, 'victim'],
          [other.id, 'alleged'],
        ] as const)
          await db.execute(sql`
            INSERT INTO incident_people (school_id, incident_id, person_kind, pupil_id, part, added_at)
            VALUES (${school}, ${id}, 'pupil', ${p}, ${part}, ${at})`);
        for (let e = 0; e < 5; e++)
          await db.execute(sql`
            INSERT INTO incident_entries (school_id, incident_id, at, actor_staff_id, kind, data)
            VALUES (${school}, ${id}, ${at}, ${fx.staff.dsl.id}, 'note',
              ${JSON.stringify({ note: `Spoke to ${other.givenName} about it (${e})` })}::jsonb)`);
        await db.execute(sql`
          INSERT INTO incident_cases (incident_id, school_id, reference, reported_at, reporter_kind,
            reporter_id, status, safeguarding, indecent_image, assigned_staff_ids, deputy_staff_ids,
            entry_count, updated_at, closed_at)
          VALUES (${id}, ${school}, ${ref}, ${at}, 'staff', ${fx.staff.teacher.id}, 'closed', false,
            false, '{}', '{}', 5, ${at}, ${at})`);
        const evidenceId = randomUUID();
        const key = `${school}/evidence/${evidenceId}`;
        const staged = await evidence.stage(key, Readable.from([randomBytes(200_000)]));
        await evidence.commit(staged);
        await db.execute(sql`
          INSERT INTO incident_evidence (id, school_id, incident_id, sha256, size, media_type,
            original_name, uploaded_at, uploaded_by_kind, uploaded_by_id, storage_key)
          VALUES (${evidenceId}, ${school}, ${id}, ${staged.sha256}, ${staged.size}, 'image/png',
            'screenshot.png', ${at}, 'staff', ${fx.staff.teacher.id}, ${key})`);
      }
      // 700 audit entries about them (a hundred a year), through the audit service.
      for (let i = 0; i < 700; i += 50)
        await services.database.transaction(async (tx) => {
          for (let j = 0; j < 50; j++)
            await services.audit.record(tx, {
              schoolId: school,
              actor: { kind: 'staff', id: fx.staff.office.id },
              action: 'consent.checked',
              entityType: 'pupil',
              entityId: pupil.id,
              data: { n: i + j },
            });
        });
      say(`   data: ${round((performance.now() - t0) / 1000)} s`);

      const dpo: StaffPrincipal = {
        kind: 'staff',
        id: fx.staff.dpo.id,
        schoolId: school,
        roles: ['dpo'],
        name: 'DPO',
      };
      const drain = async (stream: AsyncIterable<Buffer | string>) => {
        let bytes = 0;
        for await (const chunk of stream) bytes += chunk.length;
        return bytes;
      };

      // Baseline: the same files read from the stores, one after another, no ZIP.
      const keys = (
        await services.database.pool.query<{ k: string }>(
          `SELECT original_key AS k FROM media_items WHERE school_id = $1
           UNION ALL SELECT file_key FROM media_renditions WHERE school_id = $1
           UNION ALL SELECT evidence_key FROM consent_records WHERE school_id = $1`,
          [school],
        )
      ).rows.map((r) => r.k);
      const ev = (
        await services.database.pool.query<{ k: string; sha256: string; size: string }>(
          'SELECT storage_key AS k, sha256, size FROM incident_evidence WHERE school_id = $1',
          [school],
        )
      ).rows;
      // Rounds (BENCH_SAR_ROUNDS, default 3), each the plain read then the bundle, so both see the
      // same load; the medians are reported (the machine is shared: one sample says little).
      const rounds = Math.max(1, Number(process.env.BENCH_SAR_ROUNDS ?? 3));
      const copies: number[] = [];
      const sars: number[] = [];
      let bytes = 0;
      let files_ = 0;
      const rss = samplePeakRss(20);
      for (let r = 0; r < rounds; r++) {
        const c0 = performance.now();
        for (const k of keys) await drain(await files.stream(k));
        for (const e of ev)
          await drain(await evidence.open(e.k, { sha256: e.sha256, size: Number(e.size) }));
        copies.push(performance.now() - c0);
        const s0 = performance.now();
        const request = await services.subjectAccess.log(dpo, {
          subject: `pupil:${pupil.id}`,
          requesterName: 'A parent',
          requesterRelationship: 'parent',
          receivedOn: '2026-12-01',
          identityChecked: 'yes',
          identityMethod: 'Known parent',
        });
        const { stream, counts } = await services.subjectAccess.produce(dpo, request.id);
        bytes = await drain(stream as AsyncIterable<Buffer>);
        sars.push(performance.now() - s0);
        files_ = counts.files ?? 0;
        say(
          `   round ${r + 1}: bundle ${Math.round(sars[r]!)} ms, plain read ${Math.round(copies[r]!)} ms`,
        );
      }
      const growth = rss.stop();
      const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
      const sarMs = median(sars);
      const copyMs = median(copies);
      say(
        `   bundle: ${files_} files, ${round(bytes / 1024 / 1024)} MB in ${Math.round(sarMs)} ms (median of ${rounds}); plain read of the same files ${Math.round(copyMs)} ms; RSS growth ${round(growth)} MB`,
      );
      return {
        figures: {
          sar_ms: Math.round(sarMs),
          sar_rss_growth_mb: round(growth),
          sar_bytes_mb: round(bytes / 1024 / 1024),
          sar_files: files_,
          sar_copy_ms: Math.round(copyMs),
          sar_ratio: round(sarMs / copyMs, 2),
        },
        met: sarMs < 30_000 && growth < 300,
      };
    } finally {
      await platform.close();
    }
  },
};
