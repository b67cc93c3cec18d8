import type { StaffPrincipal } from '../../auth/index.ts';
import type { AccountsService } from './accounts.service.ts';

/**
 * The demo school's channels (issue 12 item 12): its news page, a public Facebook page with
 * moderated comments, an Instagram account for approved followers, the newsletter; people
 * authorised to post; one logged hand-over of the credentials and back. Run once, after the
 * school's policy profile exists. Returns the channels' ids by name.
 */
export async function seedDemoChannels(
  accounts: AccountsService,
  who: { headteacher: StaffPrincipal; custodian: StaffPrincipal; posters: string[] },
): Promise<Record<string, string>> {
  const { headteacher, custodian } = who;
  const schoolId = headteacher.schoolId;
  const purposes = await accounts.purposes(schoolId);
  const purpose = (key: string) => (purposes.find((p) => p.key === key) ?? purposes[0]!).key;
  const news = await accounts.ensureNewsChannel(schoolId);
  const base = {
    custodianId: null,
    endpointUrl: null,
    credential: null,
    maxLength: null,
    maxImages: null,
  };
  const facebook = await accounts.create(custodian, {
    ...base,
    kind: 'social',
    name: 'School Facebook page',
    platform: 'Facebook',
    handle: '@oakfieldprimary',
    purposeKey: purpose('school_social_media'),
    audience: 'public',
    comments: 'on_moderated',
    moderation:
      'The office reads new comments every morning and hides any that name a pupil or a member of staff.',
  });
  const instagram = await accounts.create(custodian, {
    ...base,
    kind: 'social',
    name: 'School Instagram',
    platform: 'Instagram',
    handle: '@oakfield.primary',
    purposeKey: purpose('school_social_media'),
    audience: 'approved_followers',
    comments: 'off',
    moderation: null,
  });
  const newsletter = await accounts.create(custodian, {
    ...base,
    kind: 'newsletter',
    name: 'Friday newsletter',
    platform: null,
    handle: null,
    purposeKey: purpose('school_publications'),
    audience: 'approved_followers',
    comments: 'off',
    moderation: null,
  });
  for (const id of [facebook.channel.id, instagram.channel.id])
    for (const staffId of who.posters) await accounts.addPoster(custodian, id, staffId);
  await accounts.handOver(headteacher, facebook.channel.id, {
    toStaffId: headteacher.id,
    reason: 'Business Manager on leave for the October half term',
    on: null,
  });
  await accounts.handOver(headteacher, facebook.channel.id, {
    toStaffId: custodian.id,
    reason: 'Back from leave',
    on: null,
  });
  return {
    news: news.id,
    facebook: facebook.channel.id,
    instagram: instagram.channel.id,
    newsletter: newsletter.channel.id,
  };
}
