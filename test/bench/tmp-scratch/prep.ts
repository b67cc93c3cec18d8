import fs from 'node:fs';
import { generatePeople, linkRows } from '../../../src/demo/generate.ts';
import { Database } from '../../../src/platform/db/database.ts';
import { runningEmbeddedUrl } from '../../../src/platform/db/embedded.ts';
import {
  PeopleBulkRepository,
  PeopleRepository,
} from '../../../src/modules/people/people.repository.ts';
const dir = '/tmp/lanyard-exp2';
const database = new Database(runningEmbeddedUrl(dir, 38212), { max: 2 });
const school = await new PeopleRepository().getSchoolBySlug(database.db, 'bench-academy');
const g = generatePeople({
  schoolId: school!.id,
  pupils: 2000,
  classesPerYear: 3,
  today: new Date(),
  seed: 2000,
  emailDomain: 'b.example',
  misPrefix: 'Z',
});
const bulk = new PeopleBulkRepository();
await database.transaction(async (tx) => {
  const p = await bulk.insertPupils(tx.db, g.pupils);
  const q = await bulk.insertParents(tx.db, g.parents);
  await bulk.linkParents(
    tx.db,
    linkRows(
      g,
      p.map((x) => x.id),
      q.map((x) => x.id),
      school!.id,
    ),
  );
});
await database.close();
fs.writeFileSync(dir + '/ready', '');
