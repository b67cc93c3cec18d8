import { it } from 'vitest';
import fs from 'node:fs';
import { AxeBuilder } from '@axe-core/playwright';
import { startE2e, AXE_TAGS } from '../support/e2e-browser.ts';
it('timing', async () => {
  const env = await startE2e();
  const s = await env.newSession();
  const { page } = s;
  const src = fs.readFileSync('node_modules/axe-core/axe.min.js', 'utf8');
  for (const url of ['/sign-in', '/sign-in/link', '/privacy', '/sign-in', '/sign-in/link']) {
    await page.goto(url);
    const r2 = await new AxeBuilder({ page }).withTags(AXE_TAGS).options({ resultTypes: ['violations'] }).setLegacyMode(true).analyze();
    console.log(url, 'builder', JSON.stringify(r2.violations.map(v => [v.id, v.nodes.map(n => [n.html, n.failureSummary])])));
    await page.evaluate(src);
    const r = await new AxeBuilder({ page, axeSource: ';' }).withTags(AXE_TAGS).options({ resultTypes: ['violations'] }).setLegacyMode(true).analyze();
    console.log(url, 'injected', JSON.stringify(r.violations.map(v => [v.id, v.nodes.map(n => [n.html, n.failureSummary])])));
  }
  await page.close();
  await env.close();
}, 120000);
