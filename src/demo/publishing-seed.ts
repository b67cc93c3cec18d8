import { sql } from 'drizzle-orm';
import type { Services } from '../container.ts';
import type { StaffPrincipal } from '../modules/auth/index.ts';
import { seedDemoChannels } from '../modules/publishing/accounts/demo-channels.ts';
import { PeopleRepository } from '../modules/people/people.repository.ts';
import type { DemoWithdrawal } from './consent-seed.ts';
import { recordDemoWithdrawal } from './consent-seed.ts';

const DAY = 86_400_000;
const HOUR = 3_600_000;

/** What the demo's week of posts made (for the demo-seed test and the README). */
export interface DemoPublishing {
  channels: Record<string, string>;
  posts: Record<
    | 'harvest'
    | 'romanDay'
    | 'choir'
    | 'science'
    | 'christmasFair'
    | 'football'
    | 'readingAward'
    | 'nativity',
    string
  >;
}

/**
 * The demo school's crest: a shield in the school's green with a gold rim, an acorn and the
 * school's initials (Oakfield Primary: OP), as SVG that Lanyard draws into a PNG.
 */
export function demoCrest(schoolName: string): string {
  const initials = schoolName
    .split(/\s+/)
    .filter((w) => /^[A-Z]/.test(w))
    .slice(0, 2)
    .map((w) => w[0])
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="200" height="240" viewBox="0 0 200 240">
  <path d="M10 10 H190 V120 C190 180 140 215 100 232 C60 215 10 180 10 120 Z" fill="#f2c14e"/>
  <path d="M24 24 H176 V120 C176 172 133 202 100 217 C67 202 24 172 24 120 Z" fill="#1d5c3a"/>
  <ellipse cx="100" cy="74" rx="18" ry="22" fill="#c8893a"/>
  <path d="M78 62 C80 44 120 44 122 62 Z" fill="#7a4a1c"/>
  <rect x="97" y="36" width="6" height="10" fill="#7a4a1c"/>
  <text x="100" y="170" font-family="DejaVu Sans, Arial, sans-serif" font-size="60" font-weight="bold" fill="#ffffff" text-anchor="middle">${initials}</text>
</svg>`;
}

interface Person {
  principal: StaffPrincipal;
}

/**
 * A made-up "photo" for the demo: sky, grass and a row of children (skin-coloured heads on
 * coloured jumpers), with each head's box, so staff-drawn face boxes can be linked to pupils as a
 * teacher would after the detector missed them. No real person is in any demo photo.
 */
async function demoPhoto(
  services: Services,
  people: number,
  shade: number,
): Promise<{ jpeg: Buffer; heads: { x: number; y: number; width: number; height: number }[] }> {
  const w = 640;
  const h = 480;
  const px = Buffer.alloc(w * h * 3);
  const set = (x: number, y: number, r: number, g: number, b: number) => {
    const i = (y * w + x) * 3;
    px[i] = r;
    px[i + 1] = g;
    px[i + 2] = b;
  };
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      if (y < h * 0.55) set(x, y, 120 + (y >> 3), 170 + (y >> 4), 235);
      else set(x, y, 60 + ((x * 7 + y * 3) % 30), 140 + shade + ((x * y) % 25), 60);
    }
  const heads: { x: number; y: number; width: number; height: number }[] = [];
  const skins = [
    [241, 194, 125],
    [198, 134, 66],
    [141, 85, 36],
    [255, 219, 172],
    [224, 172, 105],
  ] as const;
  const jumpers = [
    [200, 30, 45],
    [30, 60, 160],
    [40, 120, 60],
    [120, 40, 140],
    [230, 160, 20],
  ] as const;
  const gap = w / (people + 1);
  for (let n = 0; n < people; n++) {
    const cx = Math.round(gap * (n + 1));
    const cy = 190 + ((n * 37) % 30);
    const rx = 34;
    const ry = 42;
    const [sr, sg, sb] = skins[(n + shade) % skins.length]!;
    const [jr, jg, jb] = jumpers[(n + shade) % jumpers.length]!;
    for (let y = cy + ry; y < Math.min(h, cy + ry + 170); y++)
      for (let x = cx - 55; x <= cx + 55; x++) if (x >= 0 && x < w) set(x, y, jr, jg, jb);
    for (let y = cy - ry; y <= cy + ry; y++)
      for (let x = cx - rx; x <= cx + rx; x++) {
        const dx = (x - cx) / rx;
        const dy = (y - cy) / ry;
        if (dx * dx + dy * dy <= 1) {
          const eye = y === cy - 8 && (Math.abs(x - cx + 12) < 4 || Math.abs(x - cx - 12) < 4);
          if (eye) set(x, y, 40, 30, 20);
          else set(x, y, sr, sg, sb);
        }
      }
    heads.push({ x: cx - rx - 4, y: cy - ry - 4, width: rx * 2 + 8, height: ry * 2 + 8 });
  }
  const { data } = await services.images.encodeJpeg({ data: px, width: w, height: h });
  return { jpeg: data, heads };
}

/**
 * Oakfield's week of posts (issue 12 item 12), made through the real services so that every step
 * is audited as it would be: the channels (the news page, a Facebook page, Instagram, the
 * newsletter, a Bluesky account and a webhook to the parish's website; neither of the last two
 * has a real credential or address, so no post is sent to them), photos uploaded from the
 * approved Year 3 iPad with face boxes linked to pupils, and posts in every state: published on
 * the news page (faces blurred as the profile says), one taken down after the weekend's
 * withdrawal, expired, returned with a comment, approved and scheduled, two waiting for
 * approval (one with a pupil's full name in its text, so its name check fails) and a draft.
 *
 * The week is replayed: the services' clock is moved back to each day while its posts are made
 * and restored afterwards, so dates on pages and in the audit log read like a real week. Posts
 * go to the news page, and the harvest assembly also to the Facebook page, which the Business
 * Manager posts to by hand (Lanyard has no way to post there itself); nothing goes to the demo's
 * Bluesky account and webhook (no credential), so the demo shows no failed delivery. The
 * withdrawal (`recordDemoWithdrawal`) is recorded between Friday's posts and today's, and the
 * takedown job is run once, so the news item showing that pupil has come down when the demo
 * opens and the Facebook copy is the Business Manager's takedown, due on the Headteacher's home
 * page.
 */
export async function seedDemoPublishing(
  services: Services,
  withdrawal: DemoWithdrawal | null,
): Promise<DemoPublishing | null> {
  const db = services.database.db;
  const peopleRepo = new PeopleRepository();
  const school = await peopleRepo.getSchoolBySlug(db, 'oakfield-primary');
  if (!school) return null;
  const staffRow = async (email: string, roles: StaffPrincipal['roles']): Promise<Person> => {
    const row = await peopleRepo.getStaffByEmail(db, email);
    if (!row) throw new Error(`The demo has no ${email}`);
    return {
      principal: {
        kind: 'staff',
        id: row.id,
        schoolId: school.id,
        roles,
        name: `${row.givenName} ${row.familyName}`,
      },
    };
  };
  const head = (await staffRow('head@oakfield.example', ['headteacher'])).principal;
  const business = (await staffRow('business@oakfield.example', ['business_manager'])).principal;
  const teacher = (await staffRow('teacher@oakfield.example', ['teacher'])).principal;
  const support = (await staffRow('support@oakfield.example', ['support_staff'])).principal;

  // The replayed week: the clock every service reads, moved back and restored afterwards.
  const clock = services.clock as { now: () => Date };
  const realNow = clock.now;
  const today = realNow();
  const at = (daysAgo: number, hour: number) => {
    const d = new Date(today.getTime() - daysAgo * DAY);
    d.setUTCHours(hour, 0, 0, 0);
    return d.getTime() < today.getTime() ? d : new Date(today.getTime() - HOUR);
  };
  const setNow = (d: Date) => {
    const offset = d.getTime() - realNow().getTime();
    clock.now = () => new Date(realNow().getTime() + offset);
  };

  try {
    setNow(at(7, 15));
    // Channels: the demo's set (news page, Facebook, Instagram, newsletter; people authorised to
    // post; a hand-over), plus a Bluesky account waiting for its app password and the parish
    // website's webhook. The teacher and the teaching assistant may post on the news page.
    const channels = await seedDemoChannels(services.channelAccounts, {
      headteacher: head,
      custodian: business,
      posters: [teacher.id, support.id],
    });
    for (const id of [teacher.id, support.id])
      await services.channelAccounts.addPoster(business, channels.news!, id);
    // The news page in the school's colours, as the Business Manager set them: a dark green band
    // and the school's crest (drawn here, no file downloaded).
    const crest = await services.images.renderOwnSvg(demoCrest(school.name));
    await services.newsAppearance.set(
      school.id,
      { kind: 'staff', id: business.id },
      {
        colour: '#1d5c3a',
        logo: { tempName: (await services.files.writeTemp(crest)).name },
        removeLogo: false,
      },
    );
    const purpose = (await services.channelAccounts.purposes(school.id))[0]!.key;
    const base = {
      custodianId: null,
      platform: null,
      credential: null,
      maxLength: null,
      maxImages: null,
      audience: 'public' as const,
      comments: 'off' as const,
      moderation: null,
    };
    const bluesky = await services.channelAccounts.create(business, {
      ...base,
      kind: 'bluesky',
      name: 'School Bluesky',
      handle: 'oakfieldprimary.bsky.social',
      endpointUrl: null,
      purposeKey: purpose,
    });
    const webhook = await services.channelAccounts.create(business, {
      ...base,
      kind: 'webhook',
      name: 'St Mary’s parish website',
      handle: null,
      endpointUrl: 'https://stmarys-parish.example/lanyard/webhook',
      purposeKey: purpose,
      audience: 'approved_followers',
    });
    channels.bluesky = bluesky.channel.id;
    channels.webhook = webhook.channel.id;

    // The Year 3 iPad the photos come from (seedDemoDevices approved it).
    const devices = await services.devices.listApproved(school.id);
    const deviceId = devices.find((d) => d.assetTag === 'OAK-IPAD-03')?.id;
    if (!deviceId) throw new Error('The demo has no approved Year 3 iPad');

    // Year 3 pupils who may appear on the school's social media now (and the withdrawn pupil,
    // who may until Saturday).
    const { rows: year3 } = await db.execute<{
      id: string;
      given_name: string;
      family_name: string;
    }>(sql`
      SELECT id, given_name, family_name FROM pupils
      WHERE school_id = ${school.id} AND class_name IN ('3 Ash', '3 Birch') AND leaving_date IS NULL
      ORDER BY class_name, family_name, given_name, id`);
    const answers = await services.consent.mayMany(
      school.id,
      year3.map((p) => ({ pupilId: p.id, purpose, mediaType: 'image' as const })),
    );
    const allowed = new Set(answers.filter((a) => a.allowed).map((a) => a.pupilId));
    const pool = year3.filter((p) => allowed.has(p.id) && p.id !== withdrawal?.pupilId);
    let next = 0;
    const take = (n: number) => {
      const out = pool.slice(next, next + n);
      next += n;
      return out;
    };

    const teacherActor = { kind: 'staff' as const, id: teacher.id };
    const photo = async (label: string, pupilIds: string[], shade: number) => {
      const { jpeg, heads } = await demoPhoto(services, pupilIds.length, shade);
      const [r] = await services.media.upload(
        school.id,
        teacherActor,
        { deviceId, deviceDescription: null, eventLabel: label, swimwear: false },
        [{ data: jpeg, filename: `IMG_${label.replace(/\W+/g, '_').toUpperCase()}.JPG` }],
      );
      await services.media.ingest(r!.id);
      // Boxes the detector did not find are drawn by the teacher, then each linked to a pupil.
      const found = (await services.media.view(school.id, r!.id)).faces.length;
      for (const box of heads.slice(found))
        await services.media.addFace(school.id, teacherActor, r!.id, box);
      const faces = (await services.media.view(school.id, r!.id)).faces;
      for (const [i, face] of faces.entries()) {
        const pupilId = pupilIds[i];
        if (pupilId)
          await services.media.linkFace(school.id, teacherActor, r!.id, face.id, pupilId);
      }
      return r!.id;
    };
    const draft = async (
      author: StaffPrincipal,
      input: {
        title: string;
        body: string;
        eventLabel: string;
        media: { mediaId: string; altText: string }[];
        scheduledAt?: Date | null;
        /** Also these channels (the news page always). */
        alsoOn?: string[];
      },
    ) =>
      (
        await services.posts.createDraft(author, {
          title: input.title,
          body: input.body,
          eventLabel: input.eventLabel,
          kind: 'standard',
          media: input.media,
          accountIds: [channels.news!, ...(input.alsoOn ?? [])],
          scheduledAt: input.scheduledAt ?? null,
        })
      ).id;
    const publish = async (postId: string) => {
      const outcome = await services.publishing.publishNow(head, postId);
      if (!outcome.published) throw new Error(`A demo post was not published: ${outcome.reason}`);
      for (const id of outcome.publicationIds) await services.publishing.deliver(id);
    };

    // Monday: the harvest assembly, with the pupil whose parent withdraws on Saturday.
    setNow(at(6, 9));
    const harvestPupils = [
      ...(withdrawal ? [withdrawal.pupilId] : []),
      ...take(2).map((p) => p.id),
    ];
    const harvestPhoto = await photo('harvest assembly', harvestPupils, 0);
    // The Facebook page too, where every pupil in it may be on the school's social media: the
    // Business Manager posts it there by hand, so the weekend withdrawal gives her a takedown.
    const facebook = channels.facebook;
    const socialPurpose = facebook
      ? ((await services.channelAccounts.get(school.id, facebook))?.purposeKey ?? null)
      : null;
    const onFacebook =
      facebook &&
      socialPurpose &&
      (
        await services.consent.mayMany(
          school.id,
          harvestPupils.map((pupilId) => ({
            pupilId,
            purpose: socialPurpose,
            mediaType: 'image' as const,
          })),
        )
      ).every((a) => a.allowed);
    const harvest = await draft(teacher, {
      title: 'Harvest assembly',
      body: 'Year 3 led our harvest assembly this morning, with songs, poems and a basket of food for the local food bank. Thank you to every family who sent something in.',
      eventLabel: 'harvest assembly',
      media: [{ mediaId: harvestPhoto, altText: 'Three Year 3 pupils holding a harvest basket' }],
      alsoOn: onFacebook && facebook ? [facebook] : [],
    });
    await services.posts.submit(teacher, harvest);
    setNow(at(6, 11));
    await services.posts.approve(head, harvest, 'Lovely, thank you.');
    await publish(harvest);

    // Tuesday: Roman day, two photos, still on the news page.
    setNow(at(5, 10));
    const romanA = await photo(
      'roman day',
      take(3).map((p) => p.id),
      1,
    );
    const romanB = await photo(
      'roman day',
      take(2).map((p) => p.id),
      2,
    );
    const romanDay = await draft(teacher, {
      title: 'Roman day in Year 3',
      body: 'Year 3 came to school dressed as Romans today. They built a model aqueduct, tasted Roman bread and marched around the playground in formation. Ave, Year 3!',
      eventLabel: 'roman day',
      media: [
        { mediaId: romanA, altText: 'Pupils in Roman tunics with a model aqueduct' },
        { mediaId: romanB, altText: 'Two pupils holding cardboard shields' },
      ],
    });
    await services.posts.submit(teacher, romanDay);
    setNow(at(5, 14));
    await services.posts.approve(head, romanDay, null);
    await publish(romanDay);

    // Wednesday: the choir's visit, meant for Thursday morning, never decided: it expires.
    setNow(at(4, 15));
    const choirPhoto = await photo(
      'choir visit',
      take(2).map((p) => p.id),
      3,
    );
    const choir = await draft(support, {
      title: 'Choir visit to Elm Court care home',
      body: 'Our choir will sing carols for the residents of Elm Court tomorrow morning.',
      eventLabel: 'choir visit',
      media: [{ mediaId: choirPhoto, altText: 'The school choir rehearsing' }],
      scheduledAt: at(3, 9),
    });
    await services.posts.submit(support, choir);
    setNow(at(3, 10));
    await services.posts.expireDue();

    // Thursday: science week, returned with a comment.
    setNow(at(3, 13));
    const sciencePhoto = await photo(
      'science week',
      take(2).map((p) => p.id),
      4,
    );
    const science = await draft(teacher, {
      title: 'Science week',
      body: 'Year 3 tested which materials keep ice frozen longest. Bubble wrap won!',
      eventLabel: 'science week',
      media: [{ mediaId: sciencePhoto, altText: 'Pupils timing melting ice cubes' }],
    });
    await services.posts.submit(teacher, science);
    setNow(at(3, 16));
    await services.posts.returnPost(
      head,
      science,
      'Please say which experiment the photo shows and add a line about what the children found out, so parents can ask them about it at home.',
    );

    // Friday: the Christmas fair, approved for next Friday morning.
    setNow(at(2, 11));
    const fairPhoto = await photo(
      'christmas fair',
      take(2).map((p) => p.id),
      0,
    );
    const fair = await draft(teacher, {
      title: 'Christmas fair this Friday',
      body: 'Our Christmas fair opens at 3:15pm this Friday in the school hall: cakes, crafts made by Year 3 and a visit from a special guest.',
      eventLabel: 'christmas fair',
      media: [{ mediaId: fairPhoto, altText: 'Pupils making paper decorations for the fair' }],
      scheduledAt: new Date(today.getTime() + 5 * DAY),
    });
    await services.posts.submit(teacher, fair);
    setNow(at(2, 14));
    await services.posts.approve(head, fair, null);

    // Saturday's email, recorded today; the takedown job takes Monday's post down.
    clock.now = realNow;
    await recordDemoWithdrawal(services, withdrawal);
    await services.takedowns.run();

    // Today: two posts waiting for the Headteacher (one names a pupil in full) and a draft.
    const footballPhoto = await photo(
      'football tournament',
      take(3).map((p) => p.id),
      1,
    );
    const football = await draft(teacher, {
      title: 'Football tournament',
      body: 'Our Year 3 team played in the local schools tournament on Saturday and reached the semi-final. Well played, everyone!',
      eventLabel: 'football tournament',
      media: [{ mediaId: footballPhoto, altText: 'The Year 3 football team in their kit' }],
    });
    await services.posts.submit(teacher, football);
    const [reader] = take(1);
    const readingPhoto = await photo('reading award', reader ? [reader.id] : [], 2);
    const readingAward = await draft(teacher, {
      title: 'Reading award',
      body: `Congratulations to ${reader ? `${reader.given_name} ${reader.family_name}` : 'our reader'}, who has read fifty books this term and earned the Year 3 reading award.`,
      eventLabel: 'reading award',
      media: [{ mediaId: readingPhoto, altText: 'A pupil holding a reading certificate' }],
    });
    await services.posts.submit(teacher, readingAward);
    const nativity = await draft(teacher, {
      title: 'Nativity rehearsals',
      body: 'Rehearsals for the Year 3 nativity are under way. Tickets go on sale next week.',
      eventLabel: 'nativity',
      media: [],
    });

    return {
      channels,
      posts: {
        harvest,
        romanDay,
        choir,
        science,
        christmasFair: fair,
        football,
        readingAward,
        nativity,
      },
    };
  } finally {
    clock.now = realNow;
  }
}
