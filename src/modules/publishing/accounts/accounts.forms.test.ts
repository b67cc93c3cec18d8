import { describe, expect, it } from 'vitest';
import { parseChannelForm } from './accounts.forms.ts';

const social = {
  kind: 'social',
  name: 'School Facebook page',
  platform: 'Facebook',
  handle: '@oakfield',
  purposeKey: 'school_social_media',
  audience: 'public',
  comments: 'off',
};

describe('the channel form', () => {
  it('reads a complete answer, blanks as nothing and numbers with commas', () => {
    const r = parseChannelForm({ ...social, moderation: '  ', maxLength: '2,200', maxImages: '' });
    expect(r).toMatchObject({
      ok: true,
      value: { moderation: null, maxLength: 2200, maxImages: null, custodianId: null },
    });
  });

  it('gives every problem at once, the kind’s own and the fields’', () => {
    const r = parseChannelForm({
      kind: 'social',
      name: '',
      purposeKey: 'school_social_media',
      audience: 'public',
      comments: 'on_moderated',
      maxLength: 'lots',
      maxImages: '0',
      custodianId: 'not-an-id',
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual({
      name: 'Enter a name for the channel',
      platform: 'Enter the platform, for example Facebook',
      handle: 'Enter the account’s name on the platform, for example @oakfieldprimary',
      moderation: 'Say how comments are moderated, and by whom',
      maxLength: 'The longest post must be a whole number',
      maxImages: 'The most photos in a post must be between 1 and 100',
      custodianId: 'Select who keeps the account’s credentials',
    });
  });

  it('asks a webhook for its address, and nobody for a kind it does not know', () => {
    const hook = parseChannelForm({ ...social, kind: 'webhook', platform: '', handle: '' });
    expect(hook.ok ? {} : hook.errors).toEqual({
      endpointUrl: 'Enter the address to send posts to',
    });
    const odd = parseChannelForm({ ...social, kind: 'news' });
    expect(odd.ok ? {} : odd.errors).toEqual({ kind: 'Select the kind of channel' });
  });
});
