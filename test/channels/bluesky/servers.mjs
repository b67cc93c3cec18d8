// A PLC directory and a Bluesky PDS for Lanyard's channel tests (issue 13), run on Node.js 22 by
// test/channels/bluesky.ts. Everything is local: the PLC directory keeps its operations in a fresh
// PostgreSQL database (named by PLC_DATABASE_URL), the PDS keeps its SQLite files and blobs in
// DATA_DIR, handles end in `.test` (resolved by the PDS itself), and no relay, crawler, app view,
// moderation or email service is configured, so nothing is ever sent off this machine.
// When both listen, one JSON line is printed on stdout: { plcUrl, pdsUrl, adminPassword }.
// SIGTERM stops both.
import { Buffer } from 'node:buffer';
import crypto from 'node:crypto';
import { setTimeout } from 'node:timers';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const plc = require('@did-plc/server');
const { PDS, envToCfg, envToSecrets } = await import('@atproto/pds');
const { Secp256k1Keypair } = await import('@atproto/crypto');

const dataDir = process.env.DATA_DIR;
const plcDbUrl = process.env.PLC_DATABASE_URL;
if (!dataDir || !plcDbUrl) {
  console.error('DATA_DIR and PLC_DATABASE_URL are needed');
  process.exit(2);
}

// The PLC directory on a free port.
const plcDb = plc.Database.postgres({ url: plcDbUrl });
await plcDb.migrateToLatestOrThrow();
const plcServer = plc.PlcServer.create({ db: plcDb, port: 0 });
const plcHttp = await plcServer.start();
const plcUrl = `http://localhost:${plcHttp.address().port}`;

// The PDS on a free port (asked of the OS first: the PDS needs its port in its config).
const port = await new Promise((resolve, reject) => {
  const net = require('node:net');
  const srv = net.createServer();
  srv.once('error', reject);
  srv.listen(0, '127.0.0.1', () => {
    const p = srv.address().port;
    srv.close(() => resolve(p));
  });
});
const adminPassword = crypto.randomBytes(16).toString('hex');
const rotationKey = await Secp256k1Keypair.create({ exportable: true });
const recoveryKey = await Secp256k1Keypair.create();
const env = {
  port,
  hostname: 'localhost',
  devMode: true,
  dataDirectory: dataDir,
  blobstoreDiskLocation: path.join(dataDir, 'blobs'),
  blobstoreDiskTmpLocation: path.join(dataDir, 'blobs-tmp'),
  didPlcUrl: plcUrl,
  serviceHandleDomains: ['.test'],
  recoveryDidKey: recoveryKey.did(),
  plcRotationKeyK256PrivateKeyHex: Buffer.from(await rotationKey.export()).toString('hex'),
  jwtSecret: crypto.randomBytes(32).toString('hex'),
  dpopSecret: crypto.randomBytes(32).toString('hex'),
  adminPassword,
  inviteRequired: false,
  rateLimitsEnabled: false,
  crawlers: [],
  // No app view, moderation service, report service, relay or email: nothing outside.
};
const pds = await PDS.create(envToCfg(env), envToSecrets(env));
await pds.start();
const pdsUrl = `http://localhost:${port}`;

process.stdout.write(`${JSON.stringify({ plcUrl, pdsUrl, adminPassword })}\n`);

let stopping = false;
// Stopping does not wait for idle keep-alive connections to close (the servers' graceful
// shutdown would wait 5 seconds for them): everything they kept is thrown away anyway.
const stop = async () => {
  if (stopping) return;
  stopping = true;
  const both = Promise.all([
    pds.destroy().catch(() => undefined),
    plcServer.destroy().catch(() => undefined),
  ]);
  await Promise.race([both, new Promise((r) => setTimeout(r, 300))]);
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// The test process went away without stopping us: stop too.
process.stdin.on('end', stop);
process.stdin.resume();
