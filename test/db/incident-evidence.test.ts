/**
 * The evidence service against the real database and file store: a batch is kept whole or not
 * at all (one hostile file and nothing is added, no file left behind); a ZIP chat export is kept
 * and a ZIP with a program in it is not; files attached inside the report's transaction go with
 * it; a server with another EVIDENCE_KEY refuses to open the file, says why, and audits it.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EvidenceStore } from '../../src/platform/evidence/evidence-store.ts';
import { EvidenceService } from '../../src/modules/incidents/evidence/evidence.service.ts';
import { EvidenceRepository } from '../../src/modules/incidents/evidence/evidence.repository.ts';
import { zipOf } from '../support/zip.ts';
import type { Principal } from '../../src/modules/auth/principal.ts';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

describe('incident evidence service', () => {
  let ctx: TestContext;
  let fx: SchoolFixture;
  let parent: Principal;
  let dsl: Principal;

  const q = async (sql: string, params: unknown[] = []) =>
    (await ctx.services.database.pool.query(sql, params)).rows;
  const upload = async (content: Buffer, filename: string) => {
    const t = await ctx.services.files.writeTemp(content);
    return { tempName: t.name, size: t.size, sha256: t.sha256, filename };
  };
  const newReport = async () =>
    (
      await ctx.services.incidents.reportConcern(parent, {
        whatHappened: 'Messages in a group chat',
        platform: 'whatsapp',
        reporterConcern: 'no',
        pupils: [],
        staff: [],
        named: [],
      } as unknown as Parameters<typeof ctx.services.incidents.reportConcern>[1])
    ).id;
  const evidenceFiles = () => {
    const dir = path.join(ctx.dataDir, 'files', fx.school.id, 'evidence');
    return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
  };
  const tempFiles = () => {
    const tmp = path.join(ctx.dataDir, 'files', '.tmp');
    return fs.existsSync(tmp)
      ? fs.readdirSync(tmp).flatMap((d) => fs.readdirSync(path.join(tmp, d)))
      : [];
  };

  beforeAll(async () => {
    ctx = await createTestServices();
    fx = await createSchool(ctx.services, { pupils: 2 });
    parent = {
      kind: 'parent',
      id: fx.parent.id,
      schoolId: fx.school.id,
      name: `${fx.parent.givenName} ${fx.parent.familyName}`,
    };
    dsl = {
      kind: 'staff',
      id: fx.staff.dsl.id,
      schoolId: fx.school.id,
      roles: ['dsl'],
      name: 'DSL',
    };
  });
  afterAll(async () => {
    await ctx?.close();
  });

  it('keeps a batch whole or not at all: one hostile file and nothing is added or left on disk', async () => {
    const id = await newReport();
    const before = evidenceFiles();
    const files = [
      await upload(PNG, 'one.png'),
      await upload(Buffer.from('Sam: hello\n'), 'chat.txt'),
      await upload(Buffer.from('MZ\x90\x00 a program', 'latin1'), 'three.png'),
    ];
    await expect(
      ctx.services.incidentEvidence.attachLater(dsl, id, files, {
        statedAt: null,
        statedPlace: null,
      }),
    ).rejects.toMatchObject({
      fieldErrors: {
        evidence: expect.stringMatching(/three\.png: The file is a program.*Nothing was added/),
      },
    });
    expect(await q('SELECT * FROM incident_evidence WHERE incident_id = $1', [id])).toEqual([]);
    expect(evidenceFiles()).toEqual(before);
    expect(tempFiles()).toEqual([]);
  });

  it('keeps a ZIP chat export as it was sent, and refuses one with a program in it', async () => {
    const id = await newReport();
    const chat = zipOf([
      {
        name: 'WhatsApp Chat - Year 9/_chat.txt',
        data: Buffer.from('[05/12/2026] Sam: see\n'.repeat(40)),
        deflate: true,
      },
      { name: 'WhatsApp Chat - Year 9/IMG-20261205-WA0001.png', data: PNG },
    ]);
    const kept = await ctx.services.incidentEvidence.attachLater(
      dsl,
      id,
      [await upload(chat, 'chat.zip')],
      {
        statedAt: 'Friday night',
        statedPlace: 'Year 9 group',
      },
    );
    expect(kept.files[0]).toMatchObject({ mediaType: 'application/zip', size: chat.length });
    const { stream } = await ctx.services.incidentEvidence.open(dsl, id, kept.ids[0]!);
    const back: Buffer[] = [];
    for await (const c of stream) back.push(c as Buffer);
    expect(Buffer.concat(back).equals(chat)).toBe(true);

    const bad = zipOf([
      { name: '_chat.txt', data: Buffer.from('hi') },
      { name: 'photos.exe', data: zlib.deflateRawSync(Buffer.from('MZ')) },
    ]);
    await expect(
      ctx.services.incidentEvidence.attachLater(dsl, id, [await upload(bad, 'chat.zip')], {
        statedAt: null,
        statedPlace: null,
      }),
    ).rejects.toMatchObject({
      fieldErrors: { evidence: expect.stringMatching(/not part of a chat export/) },
    });
    expect(
      await q('SELECT count(*)::int AS n FROM incident_evidence WHERE incident_id = $1', [id]),
    ).toEqual([{ n: 1 }]);
  });

  it('goes with the report’s transaction: rolled back, no row is left', async () => {
    const id = await newReport();
    const file = await upload(PNG, 'shot.png');
    await expect(
      ctx.services.database.transaction(async (tx) => {
        await ctx.services.incidentEvidence.attach(tx, {
          schoolId: fx.school.id,
          incidentId: id,
          uploader: { kind: 'parent', id: fx.parent.id },
          files: [file],
          statedAt: null,
          statedPlace: null,
        });
        throw new Error('the report failed after its files');
      }),
    ).rejects.toThrow('the report failed');
    expect(await q('SELECT * FROM incident_evidence WHERE incident_id = $1', [id])).toEqual([]);
    expect(
      await q(
        `SELECT kind FROM incident_entries WHERE incident_id = $1 AND kind = 'evidence_added'`,
        [id],
      ),
    ).toEqual([]);
    expect(tempFiles()).toEqual([]); // the plaintext upload is gone either way
  });

  it('ends a download that changes on disk after its first check, and audits it', async () => {
    const id = await newReport();
    const big = Buffer.alloc(300 * 1024, 7); // five chunks
    const kept = await ctx.services.incidentEvidence.attachLater(
      dsl,
      id,
      [await upload(Buffer.from(`Sam: ${'x'.repeat(big.length)}\n`), 'chat.txt')],
      { statedAt: null, statedPlace: null },
    );
    const { stream } = await ctx.services.incidentEvidence.open(dsl, id, kept.ids[0]!);
    // Changed in place after the whole-file check, before the bytes are sent.
    const file = path.join(ctx.dataDir, 'files', fx.school.id, 'evidence', kept.ids[0]!);
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 100]! ^= 0x01;
    fs.writeFileSync(file, bytes);
    let sent = 0;
    await expect(
      (async () => {
        for await (const c of stream) sent += (c as Buffer).length;
      })(),
    ).rejects.toMatchObject({ name: 'EvidenceIntegrityError', reason: 'tampered' });
    expect(sent).toBeLessThan(big.length); // the last chunk never left
    await new Promise((r) => setTimeout(r, 200)); // the audit event is written as the stream fails
    const events = await q(
      `SELECT data FROM audit_events WHERE action = 'incidents.evidence-check-failed' AND entity_id = $1`,
      [kept.ids[0]],
    );
    expect(events.map((e) => e.data)).toEqual([
      expect.objectContaining({ reason: 'tampered', during: 'download' }),
    ]);
  });

  it('refuses to open a file under another EVIDENCE_KEY, says why, and audits it', async () => {
    const id = await newReport();
    const kept = await ctx.services.incidentEvidence.attachLater(
      parent,
      id,
      [await upload(PNG, 'a.png')],
      {
        statedAt: null,
        statedPlace: null,
      },
    );
    const s = ctx.services;
    const otherKey = new EvidenceService({
      database: s.database,
      clock: s.clock,
      audit: s.audit,
      files: s.files,
      images: s.images,
      store: new EvidenceStore(s.files, Buffer.alloc(32, 1)),
      repository: new EvidenceRepository(),
      people: s.peopleDirectory,
      incidents: () => s.incidents,
      uploadMaxBytes: 50 * 1024 * 1024,
    });
    await expect(otherKey.open(dsl, id, kept.ids[0]!)).rejects.toMatchObject({
      status: 500,
      message: expect.stringMatching(/different encryption key/),
    });
    const [event] = await q(
      `SELECT data FROM audit_events WHERE action = 'incidents.evidence-check-failed' AND entity_id = $1`,
      [kept.ids[0]],
    );
    expect(event.data).toMatchObject({ reason: 'wrong_key' });
    // The reporter never opens the case's files, even their own.
    await expect(
      ctx.services.incidentEvidence.open(parent, id, kept.ids[0]!),
    ).rejects.toMatchObject({ status: 404 });
  });
});
