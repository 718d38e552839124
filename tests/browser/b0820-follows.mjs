// b0820-follows.mjs: a citizen who follows nobody sees suggestions, follows an organisation from its page (a plain
// form, keyboard only) and finds its post in the home feed; "Mes abonnements" and an owner's supporters page;
// axe-core on every page visited, and the home feed on a 320 px phone.
import assert from 'node:assert/strict';
import { launch, checkA11y, startServer } from './harness.mjs';

const srv = await startServer({ args: ['--demo'] });
const browser = await launch();
const ORG = 'boulangerie-chabert';
const POST = 'Les galettes des rois sont de retour';

async function logIn(page, email) {
  await page.goto(srv.url + '/connexion');
  await page.getByLabel('Adresse e-mail').fill(email);
  await page.getByLabel('Mot de passe').fill('kiosque-demo');
  await page.getByRole('button', { name: 'Me connecter' }).click();
  await page.waitForLoadState();
  await page.getByRole('button', { name: 'Se déconnecter' }).waitFor();
}

try {
  // A visitor: the territory's feed, the town hall's pinned post on top.
  const visitor = await browser.newPage({ locale: 'fr-FR' });
  await visitor.goto(srv.url + '/');
  await visitor.getByRole('heading', { level: 2, name: 'À la une' }).waitFor();
  await visitor.getByRole('heading', { level: 2, name: 'Actualités du territoire' }).waitFor();
  await checkA11y(visitor, '/ as a visitor');
  await visitor.close();

  const page = await browser.newPage({ locale: 'fr-FR' });
  await logIn(page, 'julien.roux@example.org');
  await page.goto(srv.url + '/');
  await page.getByText('Votre fil est vide').waitFor();
  assert.equal(await page.getByRole('link', { name: POST }).count(), 0);
  await checkA11y(page, '/ following nothing');

  // Follow the bakery from its page, with the keyboard: the mail box, then the button.
  await page.goto(srv.url + '/organisations/' + ORG);
  const mail = page.getByLabel('Recevoir ses annonces par e-mail');
  await mail.focus();
  await page.keyboard.press('Space');
  assert.equal(await mail.isChecked(), true);
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await page.waitForURL(new RegExp('/organisations/' + ORG + '$'));
  await page.getByText('Vous suivez désormais cette page.').waitFor();
  await page.getByRole('button', { name: 'Ne plus suivre' }).waitFor();
  assert.equal(await page.getByLabel('Recevoir ses annonces par e-mail').isChecked(), true);
  await checkA11y(page, '/organisations/' + ORG + ' followed');

  // Its post is in the home feed.
  await page.getByRole('link', { name: 'Accueil' }).click();
  await page.getByRole('heading', { level: 2, name: 'Votre fil' }).waitFor();
  const feed = page.locator('section.feed');
  await feed.getByRole('link', { name: POST }).waitFor();
  await checkA11y(page, '/ with the feed');

  await page.setViewportSize({ width: 320, height: 640 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `no horizontal scroll at 320px on / (overflow ${overflow}px)`);
  await page.setViewportSize({ width: 1280, height: 800 });

  // "Mes abonnements": turn the mails off.
  await page.goto(srv.url + '/compte/abonnements');
  await page.getByRole('heading', { level: 1, name: 'Mes abonnements' }).waitFor();
  await page.getByLabel('Recevoir ses annonces par e-mail').uncheck();
  await page.getByRole('button', { name: /^Enregistrer/ }).click();
  await page.getByText('Votre choix est enregistré.').waitFor();
  assert.equal(await page.getByLabel('Recevoir ses annonces par e-mail').isChecked(), false);
  await checkA11y(page, '/compte/abonnements');
  await page.close();

  // The owner of the comité: the supporters page.
  const owner = await browser.newPage({ locale: 'fr-FR' });
  await logIn(owner, 'pierre.vignal@example.org');
  await owner.goto(srv.url + '/organisations/comite-des-fetes-vesqueval');
  await owner.getByRole('link', { name: 'Abonnés et annonces' }).click();
  await owner.getByRole('heading', { level: 1, name: 'Abonnés et annonces' }).waitFor();
  await checkA11y(owner, '/organisations/comite-des-fetes-vesqueval/abonnes');
  await owner.close();
  console.log('b0820-follows: ok');
} finally {
  await browser.close();
  await srv.stop();
}
