import { describe, expect, it } from 'vitest';
import {
  defaultGuidance,
  guidanceFor,
  guidanceHrefFor,
  guidancePlatforms,
  lanyardGuidanceCheckedOn,
  stepNeedsGuidance,
} from './guidance.defaults.ts';
import { guidanceForm } from './guidance.forms.ts';

describe('Lanyard’s platform guidance', () => {
  it('has a page for each platform of 002 Appendix A and CEOP, with steps and official links', () => {
    expect(guidancePlatforms).toEqual([
      'facebook',
      'instagram',
      'tiktok',
      'x',
      'youtube',
      'snapchat',
      'whatsapp',
      'ceop',
    ]);
    for (const p of guidancePlatforms) {
      const g = defaultGuidance[p];
      expect(g.steps.length).toBeGreaterThanOrEqual(4);
      expect(g.links.length).toBeGreaterThanOrEqual(1);
      for (const l of g.links) expect(l.url).toMatch(/^https:\/\/[a-z0-9.-]+\.[a-z]+\//);
      // Plain text only: no Markdown, no HTML.
      for (const s of [g.summary, ...g.steps]) expect(s).not.toMatch(/[<>*_#[\]]/);
    }
    expect(lanyardGuidanceCheckedOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('each page passes its own edit form (so a school can save it unchanged)', () => {
    for (const p of guidancePlatforms) {
      const g = defaultGuidance[p];
      const form: Record<string, string> = {
        summary: g.summary,
        steps: g.steps.join('\n'),
        note: 'Same',
      };
      g.links.forEach((l, i) => {
        form[`link${i + 1}Text`] = l.text;
        form[`link${i + 1}Url`] = l.url;
      });
      const parsed = guidanceForm.safeParse(form);
      expect(parsed.success, p).toBe(true);
      if (parsed.success) expect(parsed.data.steps).toEqual(g.steps);
    }
  });

  it('finds the page for a platform key, a name as written, or a web address', () => {
    expect(guidanceFor('facebook')).toBe('facebook');
    expect(guidanceFor('Facebook group “Oakfield Parents”')).toBe('facebook');
    expect(guidanceFor('Twitter')).toBe('x');
    expect(guidanceFor('X')).toBe('x');
    expect(guidanceFor('insta')).toBe('instagram');
    expect(guidanceFor('Tik Tok')).toBe('tiktok');
    expect(guidanceFor('a WhatsApp group')).toBe('whatsapp');
    expect(guidanceFor('https://m.facebook.com/story.php?id=1')).toBe('facebook');
    expect(guidanceFor('https://youtu.be/abc')).toBe('youtube');
    expect(guidanceFor('https://x.com/someone/status/1')).toBe('x');
    expect(guidanceFor('https://www.tiktok.com/@someone')).toBe('tiktok');
    expect(guidanceFor('https://example.com/x')).toBeNull();
    expect(guidanceFor('other_app')).toBeNull();
    expect(guidanceFor('not_online')).toBeNull();
    expect(guidanceFor('')).toBeNull();
    expect(guidanceFor(null)).toBeNull();
    expect(guidanceHrefFor('snapchat')).toBe('/incidents/guidance/snapchat');
    expect(guidanceHrefFor('Minecraft')).toBeNull();
  });

  it('says which playbook steps link to the platform’s guidance', () => {
    for (const k of ['report_to_platform', 'report_to_provider', 'contact_host'])
      expect(stepNeedsGuidance(k)).toBe(true);
    for (const k of ['headteacher_meeting', 'written_warning', 'keep_evidence'])
      expect(stepNeedsGuidance(k)).toBe(false);
  });

  it('refuses a link that is not a web address, and half a link', () => {
    const bad = guidanceForm.safeParse({
      summary: 'S',
      steps: '1. One\n- Two',
      link1Text: 'Help',
      link1Url: 'javascript:alert(1)',
      link2Text: 'No address',
      note: 'n',
    });
    expect(bad.success).toBe(false);
    const paths = bad.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['link1Url', 'link2Url']));
  });
});
