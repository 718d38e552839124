// b0830-posts.mjs: a citizen writes a post with an image and its description, finds it on the wall and on
// their own page, at 1280 px and on a 320 px phone, with axe-core on every page visited.
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { launch, checkA11y, startServer } from './harness.mjs';

// A real PNG of w x h pixels in one colour (no imaging library: zlib and CRC32 by hand).
function png(w, h) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (kind, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(kind, 'ascii'), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(w * 3, Buffer.from([200, 120, 40]))]);
  const raw = Buffer.concat(Array.from({ length: h }, () => row));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

const srv = await startServer({ args: ['--demo'] });
const browser = await launch();
try {
  const page = await browser.newPage({ locale: 'fr-FR' });
  await page.goto(srv.url + '/connexion');
  await page.getByLabel('Adresse e-mail').fill('lucie.fabre@example.org');
  await page.getByLabel('Mot de passe').fill('kiosque-demo');
  await page.getByRole('button', { name: 'Me connecter' }).click();
  await page.waitForLoadState();
  await page.getByRole('button', { name: 'Se déconnecter' }).waitFor();

  // From the wall, the link to write; the form says what an image needs.
  await page.goto(srv.url + '/actualites');
  await checkA11y(page, '/actualites signed in');
  await page.getByRole('link', { name: 'Écrire une actualité' }).click();
  await page.waitForURL(/\/actualites\/nouvelle$/);
  await checkA11y(page, '/actualites/nouvelle');
  const title = 'Vélo trouvé près du lavoir ' + Date.now();
  await page.getByLabel('Titre').fill(title);
  await page.getByLabel('Texte').fill('Un vélo **rouge** attend son propriétaire.');
  await page.getByLabel(/^Image 1/).setInputFiles({ name: 'velo.png', mimeType: 'image/png', buffer: png(1500, 900) });
  // Forgetting the description is said next to its field, and the rest is kept.
  await page.getByRole('button', { name: 'Publier' }).click();
  await page.waitForLoadState();
  await page.locator('#e-alt_1').waitFor();
  assert.equal(await page.getByLabel('Titre').inputValue(), title);
  await checkA11y(page, 'post form with an error');
  await page.getByLabel(/^Image 1/).setInputFiles({ name: 'velo.png', mimeType: 'image/png', buffer: png(1500, 900) });
  await page.getByLabel(/^Description de l'image 1/).fill('Un vélo rouge contre un mur de pierre');
  await page.getByRole('button', { name: 'Publier' }).click();
  await page.waitForURL(/\/actualites\/velo-trouve/);
  await page.getByRole('heading', { level: 1, name: title }).waitFor();
  const img = page.getByRole('img', { name: 'Un vélo rouge contre un mur de pierre' });
  await img.waitFor();
  assert.equal(await img.evaluate((el) => el.naturalWidth), 1200);
  await page.getByRole('link', { name: /Signaler/ }).waitFor();
  await checkA11y(page, 'the post page');

  // On the wall, with its thumbnail and the author's name linked to their page.
  await page.goto(srv.url + '/actualites');
  const card = page.locator('article.post-card', { has: page.getByRole('heading', { name: title }) });
  await card.waitFor();
  assert.equal(await card.getByRole('img', { name: 'Un vélo rouge contre un mur de pierre' }).evaluate((el) => el.naturalWidth), 400);
  await card.getByRole('link', { name: 'Lucie Fabre' }).click();
  await page.waitForURL(/\/personnes\/\d+$/);
  await page.getByRole('heading', { level: 1, name: 'Lucie Fabre' }).waitFor();
  await page.getByRole('link', { name: title }).waitFor();
  assert.equal(await page.getByText('@example.org').count(), 0);
  await checkA11y(page, 'the person page');

  // A phone: the wall and the form fit 320 px.
  await page.setViewportSize({ width: 320, height: 640 });
  for (const path of ['/actualites', '/actualites/nouvelle', page.url().replace(srv.url, '')]) {
    await page.goto(srv.url + path);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `no horizontal scroll at 320px on ${path} (overflow ${overflow}px)`);
    await checkA11y(page, `${path} at 320px`);
  }
  console.log('b0830-posts: ok');
} finally {
  await browser.close();
  await srv.stop();
}
