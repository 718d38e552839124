// b0850-directory.mjs: the directory filtered by kind and commune, the map of its actors (markers, popups, the
// list without JavaScript), an organisation's page with hours and its map, and its contact form sent to the
// team's mailboxes; at 1280 px and on a 320 px phone, with axe-core on every page visited.
import assert from 'node:assert/strict';
import { launch, checkA11y, startServer } from './harness.mjs';

const srv = await startServer({ args: ['--demo'] });
const browser = await launch();
try {
  const page = await browser.newPage({ locale: 'fr-FR' });
  // Tiles are not fetched in tests: the map shows its markers and says the background is missing.
  await page.route(/tile\.openstreetmap\.org/, (route) => route.abort());
  // CSP reports while the map loads and is used (axe's own injected script is refused too, and retried
  // another way by the harness: those reports are not watched).
  const cspViolations = [];
  let watching = false;
  page.on('console', (m) => {
    if (watching && /Content Security Policy/i.test(m.text()) && !/img-src/.test(m.text())) cspViolations.push(m.text());
  });

  // The directory, filtered with the form (a plain GET form).
  await page.goto(srv.url + '/annuaire');
  await checkA11y(page, '/annuaire');
  await page.getByLabel('Type').selectOption('producer');
  await page.getByLabel(/^Commune/).selectOption({ label: 'Montgenêt' });
  await page.getByRole('button', { name: 'Afficher' }).click();
  await page.waitForURL(/kind=producer/);
  assert.match(page.url(), /commune=26393/);
  const names = await page.locator('.org-card h2 a').allTextContents();
  assert.deepEqual(names, ['Chèvrerie des Granges', 'Les Vergers de Montgenêt']);
  await checkA11y(page, '/annuaire filtered');

  // The same filters on the map: one marker per place, popups linking to the pages.
  watching = true;
  await page.getByRole('link', { name: 'Voir sur la carte' }).click();
  await page.waitForURL(/\/annuaire\/carte\?/);
  await page.locator('#directory-map').waitFor({ state: 'visible' });
  await page.locator('.leaflet-marker-icon').first().waitFor();
  assert.equal(await page.locator('.leaflet-marker-icon').count(), 2);
  await page.getByText("Le fond de carte n'a pas pu être chargé").waitFor();
  const marker = page.locator('.leaflet-marker-icon[title="Chèvrerie des Granges"]');
  await marker.focus();
  await page.keyboard.press('Enter');
  const popupLink = page.locator('.leaflet-popup-content').getByRole('link', { name: 'Chèvrerie des Granges' });
  await popupLink.waitFor();
  await page.waitForFunction(() => getComputedStyle(document.querySelector('.leaflet-popup')).opacity === '1');
  watching = false;
  assert.deepEqual(cspViolations, [], 'no CSP violation');
  await checkA11y(page, '/annuaire/carte with a popup open');

  // Every actor on the map.
  await page.goto(srv.url + '/annuaire/carte');
  await page.locator('.leaflet-marker-icon').first().waitFor();
  const listed = await page.locator('#directory-map-list > li[data-lat]').count();
  assert.ok(listed >= 29, `every demo organisation is placed (${listed})`);
  const places = await page.locator('#directory-map-list > li[data-lat]').evaluateAll(
    (lis) => new Set(lis.map((li) => li.dataset.lat + ',' + li.dataset.lon)).size);
  assert.equal(await page.locator('.leaflet-marker-icon').count(), places);

  // Without JavaScript the map page is the list.
  const nojsCtx = await browser.newContext({ locale: 'fr-FR', javaScriptEnabled: false });
  const nojs = await nojsCtx.newPage();
  await nojs.goto(srv.url + '/annuaire/carte?kind=producer');
  assert.equal(await nojs.locator('#directory-map').isVisible(), false);
  await nojs.locator('#directory-map-list').getByRole('link', { name: 'Ferme du Serre' }).waitFor();
  await nojsCtx.close();

  // An organisation's page: hours with their state, a small map, and the contact form.
  await page.goto(srv.url + '/organisations/boulangerie-chabert');
  await page.getByRole('heading', { level: 2, name: "Horaires d'ouverture" }).waitFor();
  await page.locator('.open-state').waitFor();
  await page.locator('#directory-map .leaflet-marker-icon').waitFor();
  await checkA11y(page, 'organisation page');
  const since = srv.readMails().length;
  await page.getByLabel('Votre nom').fill('Louise Martin');
  await page.getByLabel('Votre adresse e-mail').fill('louise.martin@example.net');
  await page.getByLabel('Objet').fill('Commande de pognes');
  await page.getByLabel('Votre message').fill('Bonjour, pourriez-vous me réserver deux pognes pour samedi ?');
  // The trap is out of reach: Tab from the message goes to the button.
  await page.getByLabel('Votre message').focus();
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Envoyer le message');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/organisations\/boulangerie-chabert#contact$/);
  await page.getByText('Votre message est envoyé.').waitFor();
  const mail = await srv.waitMail({ to: 'thomas.chabert@example.org', subjectContains: 'Commande de pognes', since });
  assert.equal(mail.headers['Reply-To'], 'louise.martin@example.net');
  assert.match(mail.text, /deux pognes pour samedi/);
  await checkA11y(page, 'organisation page after sending');

  // Errors next to the fields.
  await page.getByLabel('Votre adresse e-mail').fill('pas-une-adresse');
  await page.getByRole('button', { name: 'Envoyer le message' }).click();
  await page.waitForLoadState();
  await page.locator('#e-contact-email').waitFor();
  assert.equal(await page.getByLabel('Votre adresse e-mail').getAttribute('aria-invalid'), 'true');
  await checkA11y(page, 'contact form with errors');

  // A phone: no horizontal scroll on the directory, the map and a page.
  await page.setViewportSize({ width: 320, height: 640 });
  for (const path of ['/annuaire', '/annuaire/carte', '/organisations/boulangerie-chabert', '/nous-contacter']) {
    await page.goto(srv.url + path);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `no horizontal scroll at 320px on ${path} (overflow ${overflow}px)`);
    await checkA11y(page, `${path} at 320px`);
  }
  console.log('b0850-directory: ok');
} finally {
  await browser.close();
  await srv.stop();
}
