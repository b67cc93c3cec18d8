import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { zipOf } from '../../../../test/support/zip.ts';
import { scanPdf, scanText, scanZip, sniffEvidence } from './evidence-formats.ts';

/** A stream of `data` in small pieces, so matches must work across piece boundaries. */
const streamOf = (data: Buffer, piece = 7) =>
  Readable.from(
    Array.from({ length: Math.ceil(data.length / piece) }, (_, i) =>
      data.subarray(i * piece, (i + 1) * piece),
    ),
  );

const kind = (data: Buffer | string, name = 'file') => {
  const r = sniffEvidence(Buffer.from(data), name);
  return 'kind' in r ? r.kind : `refused:${r.refused}`;
};

describe('sniffEvidence: from the bytes, never the name', () => {
  it('recognises what Lanyard keeps', () => {
    expect(kind(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0]), 'x.txt')).toBe('image');
    expect(kind(Buffer.from('89504e470d0a1a0a0000', 'hex'), 'x.pdf')).toBe('image');
    expect(kind('%PDF-1.7\n%âãÏÓ', 'screenshot.png')).toBe('pdf');
    expect(kind(zipOf([{ name: '_chat.txt', data: Buffer.from('hi') }]), 'chat')).toBe('zip');
    expect(kind('[05/12/2026, 21:04:11] Sam: see this', 'WhatsApp Chat.txt')).toBe('text');
    expect(kind('date,from,message\n2026-12-05,Sam,hi', 'export.csv')).toBe('csv');
    expect(kind('date,from,message\n', 'export.txt')).toBe('text');
    expect(kind('  {"messages": []}', 'message_1.json')).toBe('json');
    expect(kind('<!DOCTYPE html><html><body>hi</body></html>', 'message_1.html')).toBe('html');
    expect(kind('\uFEFFplain text with a BOM', 'notes')).toBe('text');
  });

  it('refuses programs, scripts, SVG, other archives and Office files, whatever their name', () => {
    expect(kind(Buffer.from('MZ\x90\x00rest', 'latin1'), 'screenshot.png')).toBe(
      'refused:executable',
    );
    expect(kind(Buffer.from('\x7fELF\x02\x01', 'latin1'), 'photo.jpg')).toBe('refused:executable');
    expect(kind(Buffer.from('cafebabe00000034', 'hex'), 'a.pdf')).toBe('refused:executable');
    expect(kind('#!/bin/sh\nrm -rf /', 'notes.txt')).toBe('refused:script');
    expect(kind('alert(1)', 'chat.js')).toBe('refused:script');
    expect(kind('Set x = CreateObject("WScript.Shell")', 'chat.vbs')).toBe('refused:script');
    expect(
      kind('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', 'a.png'),
    ).toBe('refused:svg');
    expect(kind('<?xml version="1.0"?>\n<svg onload="x()"/>', 'a.txt')).toBe('refused:svg');
    expect(kind('just text', 'drawing.svg')).toBe('refused:svg');
    expect(kind(Buffer.from('526172211a0700', 'hex'), 'chat.zip')).toBe('refused:archive');
    expect(kind(Buffer.from('1f8b0800', 'hex'), 'chat.zip')).toBe('refused:archive');
    expect(kind(Buffer.from('d0cf11e0a1b11ae1', 'hex'), 'a.doc')).toBe('refused:office');
    expect(kind(Buffer.from([0, 1, 2, 3, 0, 0, 0xff]), 'data.txt')).toBe('refused:unknown');
    expect(kind('', 'empty.txt')).toBe('refused:empty');
  });
});

describe('scanText', () => {
  it('accepts a whole UTF-8 export and refuses binary or control characters anywhere in it', async () => {
    const chat = Buffer.from('Sam: 👋 café\r\n'.repeat(5000));
    expect(await scanText(streamOf(chat, 1000), 'text')).toBeNull();
    // A character split across pieces is fine.
    expect(await scanText(streamOf(Buffer.from('é👋é'), 1), 'text')).toBeNull();
    expect(await scanText(streamOf(Buffer.concat([chat, Buffer.from([0])]), 999), 'text')).toBe(
      'binary_text',
    );
    expect(await scanText(streamOf(Buffer.concat([chat, Buffer.from([0xc3])])), 'text')).toBe(
      'binary_text',
    );
  });

  it('refuses HTML with scripts, handlers or javascript: links, even across pieces', async () => {
    const page = (inner: string) =>
      Buffer.from(`<!DOCTYPE html><html><body>${'<p>hello</p>'.repeat(500)}${inner}</body></html>`);
    expect(
      await scanText(streamOf(page('<div class="msg">a &lt;script&gt;</div>'), 13), 'html'),
    ).toBeNull();
    for (const bad of [
      '<script>alert(1)</script>',
      '<SCRIPT src=x>',
      '<img src=x onerror="alert(1)">',
      '<a href="javascript:alert(1)">x</a>',
      '<iframe src="https://evil.example">',
      '<meta http-equiv="refresh" content="0;url=https://evil.example">',
      '<object data="x.swf">',
    ])
      expect(await scanText(streamOf(page(bad), 5), 'html'), bad).toBe('html_script');
    // The same words in a plain text export are just words.
    expect(await scanText(streamOf(Buffer.from('he wrote <script> in chat')), 'text')).toBeNull();
  });
});

describe('scanPdf', () => {
  it('refuses PDFs that run scripts, launch programs or carry files', async () => {
    const pdf = (obj: string) =>
      Buffer.from(
        `%PDF-1.7\n1 0 obj\n<< /Type /Catalog ${obj} >>\nendobj\n${'x'.repeat(3000)}\n%%EOF\n`,
      );
    expect(await scanPdf(streamOf(pdf('/Pages 2 0 R'), 11))).toBeNull();
    for (const bad of [
      '/OpenAction << /S /JavaScript /JS (app.alert(1)) >>',
      '/AA << /O << /S /Launch /F (cmd.exe) >> >>',
      '/Names << /EmbeddedFiles 3 0 R >>',
      '/JS 5 0 R',
    ])
      expect(await scanPdf(streamOf(pdf(bad), 3)), bad).toBe('pdf_active');
    expect(await scanPdf(streamOf(pdf('/JSONish 1'), 3))).toBeNull();
  });
});

describe('scanZip', () => {
  const check = (zip: Buffer) => scanZip(streamOf(zip, 4096), zip.length);

  it('accepts a chat export: text, images, audio, folders, macOS metadata', async () => {
    const zip = zipOf([
      { name: '_chat.txt', data: Buffer.from('[05/12/2026] Sam: look'.repeat(100)), deflate: true },
      { name: 'IMG-20261205-WA0001.jpg', data: Buffer.from([0xff, 0xd8, 0xff, 1, 2, 3]) },
      { name: 'PTT-20261205-WA0002.opus', data: Buffer.from('OggS') },
      { name: 'media/', data: Buffer.alloc(0) },
      { name: '__MACOSX/._chat.txt', data: Buffer.from('meta') },
    ]);
    expect(await check(zip)).toBeNull();
  });

  it('refuses programs, climbing paths, links, passwords, bombs and damage', async () => {
    const txt = { name: '_chat.txt', data: Buffer.from('hi') };
    expect(await check(zipOf([txt, { name: 'run.exe', data: Buffer.from('MZ') }]))).toBe(
      'zip_content',
    );
    expect(await check(zipOf([txt, { name: 'a.js', data: Buffer.from('x') }]))).toBe('zip_content');
    expect(await check(zipOf([txt, { name: 'inner.zip', data: Buffer.from('PK') }]))).toBe(
      'zip_content',
    );
    expect(await check(zipOf([{ name: '../../etc/passwd.txt', data: Buffer.from('x') }]))).toBe(
      'zip_content',
    );
    expect(await check(zipOf([{ name: '/abs.txt', data: Buffer.from('x') }]))).toBe('zip_content');
    expect(
      await check(zipOf([{ name: 'link.txt', data: Buffer.from('/etc'), symlink: true }])),
    ).toBe('zip_content');
    expect(await check(zipOf([{ ...txt, encrypted: true }]))).toBe('zip_encrypted');
    const bomb = zipOf([{ name: 'big.txt', data: Buffer.alloc(20 * 1024 * 1024), deflate: true }]);
    expect(await check(bomb)).toBe('zip_too_big');
    const whole = zipOf([txt]);
    expect(await check(whole.subarray(0, whole.length - 10))).toBe('zip_bad');
    expect(await check(Buffer.from('PK\x03\x04 not really a zip', 'latin1'))).toBe('zip_bad');
  });
});
