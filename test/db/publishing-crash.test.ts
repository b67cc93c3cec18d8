import crypto from 'node:crypto';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, grantConsentForAll, type SchoolFixture } from '../support/factories.ts';
import {
  approvedCamera,
  asStaff,
  oneFace,
  photoOfPupil,
  texturedJpeg,
} from '../support/publishing.ts';
import {
  freePort,
  startLanyard,
  stopLanyard,
  waitUntil,
  withTimeout,
  type LanyardProcess,
} from '../support/lanyard-process.ts';

/**
 * A worker killed in the middle of a delivery (issue 12 item 6): the webhook receiver has the
 * request, the worker dies before recording it. A second worker, once the first one's lease has
 * run out, sends the same message again (same `webhook-id`, the idempotency key), so a receiver
 * that keeps the ids it has seen processes it once; the publication is recorded live once.
 */
describe('delivery survives a worker killed mid-delivery (real processes)', () => {
  let ctx: TestContext;
  let fx: SchoolFixture;
  let receiver: http.Server;
  let receiverUrl: string;
  const requests: { webhookId: string; at: number }[] = [];
  let held: http.ServerResponse | undefined;
  let firstArrived!: () => void;
  const arrived = new Promise<void>((r) => (firstArrived = r));
  const workers: LanyardProcess[] = [];
  const secret = 'test-secret-test-secret-test-secret-0123456789';

  const startWorker = async () => {
    const w = startLanyard({
      dataDir: ctx.dataDir,
      port: await freePort(),
      pgPort: await freePort(),
      env: {
        DATABASE_URL: ctx.database.url,
        SESSION_SECRET: secret,
        SMTP_URL: ctx.sink.url,
        DEMO_SEED: 'false',
      },
      args: ['worker'],
    });
    workers.push(w);
    await withTimeout(w.ready, 60_000, 'starting a worker');
    return w;
  };

  beforeAll(async () => {
    ctx = await createTestServices({ faces: oneFace });
    fx = await createSchool(ctx.services, { pupils: 3 });
    await grantConsentForAll(ctx.services, fx);
    receiver = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        requests.push({ webhookId: String(req.headers['webhook-id']), at: Date.now() });
        if (requests.length === 1) {
          held = res; // never answered: the worker dies waiting
          firstArrived();
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const addr = receiver.address() as { port: number };
    receiverUrl = `http://127.0.0.1:${addr.port}/hook`;
  }, 60_000);

  afterAll(async () => {
    for (const w of workers) await stopLanyard(w, 10_000).catch(() => undefined);
    held?.destroy();
    await new Promise<void>((r) => receiver?.close(() => r()));
    await ctx?.close();
  }, 60_000);

  it('records the delivery once and the receiver sees one message id', async () => {
    const s = ctx.services;
    const camera = await approvedCamera(s, fx);
    const mediaId = await photoOfPupil(
      s,
      fx,
      camera,
      fx.pupils[0]!.id,
      await texturedJpeg(ctx.platform),
    );
    const news = await s.posts.newsAccount(fx.school.id);
    const signing = `whsec_${crypto.randomBytes(32).toString('base64')}`;
    const { rows } = await s.database.pool.query<{ id: string }>(
      `INSERT INTO channel_accounts (school_id, kind, name, purpose_key, endpoint_url, credential_ciphertext)
       VALUES ($1, 'webhook', 'Parents’ app', $2, $3, $4) RETURNING id`,
      [fx.school.id, news.purposeKey, receiverUrl, ctx.platform.secretBox.seal(signing)],
    );
    const teacher = asStaff(fx, 'teacher');
    const post = await s.posts.createDraft(teacher, {
      title: 'Cup final',
      body: 'We won.',
      eventLabel: null,
      kind: 'standard',
      media: [{ mediaId, altText: 'The team' }],
      accountIds: [rows[0]!.id],
      scheduledAt: null,
    });
    await s.posts.submit(teacher, post.id);
    await s.posts.approve(asStaff(fx, 'headteacher'), post.id);
    const r = await s.publishing.publish(fx.school.id, post.id, { kind: 'system', id: null });
    if (!r.published) throw new Error(r.reason);
    const pubId = r.publicationIds[0]!;
    const state = async () =>
      (
        await s.database.pool.query<{ state: string; attempts: number }>(
          'SELECT state, attempts FROM publications WHERE id = $1',
          [pubId],
        )
      ).rows[0]!;

    // The first worker picks the delivery up; it is killed while the receiver holds the request.
    const first = await startWorker();
    await withTimeout(arrived, 90_000, 'the first delivery reaching the receiver');
    first.child.kill('SIGKILL');
    await first.exited;
    held?.destroy();
    expect(await state()).toMatchObject({ state: 'delivering', attempts: 1 });

    // The lease runs out (moved forward here rather than waited for), and a worker takes over.
    await s.database.pool.query(
      `UPDATE publications SET next_attempt_at = now() - interval '1 second' WHERE id = $1`,
      [pubId],
    );
    await s.jobs.enqueue('publishing.deliver', { publicationId: pubId });
    await startWorker();
    await waitUntil(async () => (await state()).state === 'live', 60_000, 'the delivery recorded');

    expect(await state()).toMatchObject({ state: 'live', attempts: 2 });
    expect(requests.length).toBeGreaterThanOrEqual(2);
    expect(new Set(requests.map((q) => q.webhookId)).size).toBe(1);
    const delivered = await s.audit.listForSchool(
      fx.school.id,
      { action: 'publishing.publication-delivered' },
      1,
    );
    expect(delivered.total).toBe(1);
  }, 240_000);
});
