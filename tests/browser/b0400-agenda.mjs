// b0400-agenda.mjs: an organiser publishes two events through the form (a first try with errors), then a
// visitor uses the agenda, its filters, the month calendar, the map with its tiles blocked, and the event
// page; axe-core on every page, a 320 px phone, the keyboard, and no Content-Security-Policy break but the tiles.
import assert from 'node:assert/strict';
import { launch, checkA11y, startServer } from './harness.mjs';

const srv = await startServer({ args: ['--demo'], env: { KIOSQUE_FAST_HASH: '1' } });
const browser = await launch();
const ORG = 'comite-des-fetes-vesqueval';

// A date 10 to 16 days ahead on a Saturday, as YYYY-MM-DD in Paris.
function saturdayAhead(days) {
  const d = new Date(Date.now() + days * 86400000);
  while (d.getUTCDay() !== 6) d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

async function noHorizontalScroll(page, label) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `no horizontal scroll at 320px on ${label} (overflow ${overflow}px)`);
}

try {
  // ---- the organiser
  const ctx = await browser.newContext({ locale: 'fr-FR' });
  const org = await ctx.newPage();
  await org.goto(srv.url + '/connexion');
  await org.getByLabel('Adresse e-mail').fill('pierre.vignal@example.org');
  await org.getByLabel('Mot de passe').fill('kiosque-demo');
  await org.getByRole('button', { name: 'Me connecter' }).click();
  await org.waitForLoadState();

  await org.goto(`${srv.url}/organisations/${ORG}/evenements/nouveau`);
  await checkA11y(org, 'new event form');
  assert.equal(await org.locator('h1').count(), 1);
  // A first try without a title and with a time that does not exist in Paris (the spring-forward gap).
  const year = new Date().getUTCFullYear() + 1;
  let gap = new Date(Date.UTC(year, 2, 31));
  while (gap.getUTCDay() !== 0) gap.setUTCDate(gap.getUTCDate() - 1);
  await org.getByLabel('Jour', { exact: true }).first().fill(gap.toISOString().slice(0, 10));
  await org.getByLabel('Heure de début').first().fill('02:30');
  await org.getByRole('button', { name: "Enregistrer l'événement" }).click();
  await org.waitForLoadState();
  await checkA11y(org, 'new event form with errors');
  assert.equal(await org.getByLabel('Titre').getAttribute('aria-invalid'), 'true');
  assert.equal(await org.getByLabel('Heure de début').first().getAttribute('aria-invalid'), 'true');
  await org.getByText("Cette heure n'existe pas ce jour-là").first().waitFor();
  // The error summary links to the fields.
  await org.locator('.form-errors a[href="#f-title"]').waitFor();

  const day = saturdayAhead(10);
  await org.getByLabel('Titre').fill('Bal des pompiers');
  await org.getByLabel('Présentation en une ligne').fill('Le grand bal du samedi soir, buvette et feu de camp.');
  await org.getByLabel('Catégorie').selectOption('party');
  await org.getByRole('textbox', { name: 'Description (facultatif)' }).fill('Orchestre **Les Copains d’abord** et DJ jusqu’à 2 h.');
  await org.getByLabel('Jour', { exact: true }).first().fill(day);
  await org.getByLabel('Heure de début').first().fill('21:00');
  await org.getByLabel('Heure de fin').first().fill('02:00');
  await org.getByLabel('Nom du lieu').fill('Caserne des pompiers');
  await org.getByLabel('Commune').selectOption('26391');
  await org.getByLabel('Latitude').fill('44,4905');
  await org.getByLabel('Longitude').fill('5,3883');
  await org.getByLabel('Accessible en fauteuil roulant').check();
  await org.getByRole('button', { name: "Enregistrer l'événement" }).click();
  await org.waitForLoadState();
  await org.getByRole('heading', { level: 1, name: 'Bal des pompiers' }).waitFor();
  await checkA11y(org, 'event page (organiser)');
  const slug = new URL(org.url()).pathname.split('/').pop();

  // A second one, ticketed, elsewhere, through the same form.
  await org.goto(`${srv.url}/organisations/${ORG}/evenements/nouveau`);
  await org.getByLabel('Titre').fill('Concert à l’église');
  await org.getByLabel('Catégorie').selectOption('concert');
  await org.getByLabel('Jour', { exact: true }).first().fill(saturdayAhead(17));
  await org.getByLabel('Heure de début').first().fill('18:00');
  await org.getByLabel('Commune').selectOption('26392');
  await org.getByLabel('Latitude').fill('44.5034');
  await org.getByLabel('Longitude').fill('5.3628');
  await org.getByLabel('Entrée', { exact: true }).selectOption('ticketed');
  await org.getByRole('button', { name: "Enregistrer l'événement" }).click();
  await org.waitForLoadState();
  await org.getByRole('heading', { level: 1, name: 'Concert à l’église' }).waitFor();
  await checkA11y(org, 'ticketed event page (with the ticket form of ticketing, if any)');

  // The edit form is as accessible as the new one.
  await org.goto(`${srv.url}/evenements/${slug}/modifier`);
  await checkA11y(org, 'edit event form');

  // ---- a visitor
  const page = await (await browser.newContext({ locale: 'fr-FR' })).newPage();
  // CSP reports while the map loads and is used (axe's own injected script is refused too, and
  // retried another way by the harness: those reports are not watched).
  const cspViolations = [];
  let watching = false;
  page.on('console', (m) => {
    if (watching && /Content Security Policy/i.test(m.text()) && !/img-src/.test(m.text())) cspViolations.push(m.text());
  });
  // The tile server is unreachable (and not allowed by the CSP anyway).
  await page.route(/tile\.openstreetmap\.org/, (route) => route.abort());

  await page.goto(srv.url + '/evenements');
  assert.equal(await page.locator('h1').count(), 1);
  await checkA11y(page, 'agenda');
  // Text search (other events, such as the demo's, may come first).
  await page.getByLabel('Rechercher').fill('pompiers');
  await page.getByRole('button', { name: 'Filtrer' }).click();
  await page.waitForLoadState();
  await page.getByRole('link', { name: 'Bal des pompiers' }).waitFor();
  await page.getByLabel('Rechercher').fill('');
  // Filters are a GET form: choose a category with the keyboard-usable select and submit.
  await page.getByLabel('Catégorie').selectOption('concert');
  await page.getByRole('button', { name: 'Filtrer' }).click();
  await page.waitForLoadState();
  assert.match(page.url(), /category=concert/);
  assert.equal(await page.getByRole('link', { name: 'Bal des pompiers' }).count(), 0);
  await page.getByRole('link', { name: 'Concert à l’église' }).waitFor();
  await checkA11y(page, 'agenda filtered');
  await page.goto(srv.url + '/evenements?when=weekend');
  await checkA11y(page, 'agenda this weekend');
  await page.goto(srv.url + '/evenements/passes');
  await checkA11y(page, 'past events');

  // The month calendar of the first event.
  await page.goto(`${srv.url}/evenements/calendrier?month=${day.slice(0, 7)}`);
  assert.equal(await page.locator('h1').count(), 1);
  await page.locator('table.calendar').getByRole('link', { name: /Bal des pompiers/ }).waitFor();
  await checkA11y(page, 'calendar');
  await page.getByRole('link', { name: 'Mois suivant' }).click();
  await page.waitForLoadState();
  await checkA11y(page, 'calendar, next month');

  // The map: markers on top of the list, the list complete, a notice for the missing background.
  watching = true;
  await page.goto(srv.url + '/evenements/carte');
  await page.locator('#agenda-map').waitFor({ state: 'visible' });
  await page.locator('.leaflet-marker-icon').first().waitFor();
  // One marker per place, named after its events; ours among them.
  const places = await page.locator('#agenda-map-list > li[data-lat]').evaluateAll(
    (lis) => new Set(lis.map((li) => li.dataset.lat + ',' + li.dataset.lon)).size);
  assert.equal(await page.locator('.leaflet-marker-icon').count(), places);
  await page.locator('.leaflet-marker-icon[title*="Bal des pompiers"]').waitFor();
  await page.locator('.leaflet-marker-icon[title*="Concert à l’église"]').waitFor();
  await page.getByText("Le fond de carte n'a pas pu être chargé").waitFor();
  await page.locator('#agenda-map-list').getByRole('link', { name: 'Bal des pompiers' }).waitFor();
  // Keyboard: a marker takes the focus and opens its popup, whose link leads to the event.
  await page.locator('.leaflet-marker-icon[title*="Bal des pompiers"]').focus();
  await page.keyboard.press('Enter');
  await page.locator('.leaflet-popup-content').getByRole('link', { name: 'Bal des pompiers' }).waitFor();
  await page.waitForFunction(() => getComputedStyle(document.querySelector('.leaflet-popup')).opacity === '1');
  watching = false;
  assert.deepEqual(cspViolations, [], 'no CSP violation but the tiles');
  await checkA11y(page, 'map with tiles blocked and a popup open');

  // Without JavaScript the map page is the list.
  // (axe itself needs JavaScript: this page is the one checked above, minus the map.)
  const nojsCtx = await browser.newContext({ locale: 'fr-FR', javaScriptEnabled: false });
  const nojs = await nojsCtx.newPage();
  await nojs.goto(srv.url + '/evenements/carte');
  assert.equal(await nojs.locator('#agenda-map').isVisible(), false);
  await nojs.locator('#agenda-map-list').getByRole('link', { name: 'Concert à l’église' }).waitFor();
  await nojsCtx.close();

  // The event page, as a visitor.
  await page.goto(`${srv.url}/evenements/${slug}`);
  assert.equal(await page.locator('h1').count(), 1);
  const ld = JSON.parse(await page.locator('script[type="application/ld+json"]').textContent());
  assert.equal(ld['@type'], 'Event');
  assert.equal(ld.name, 'Bal des pompiers');
  await page.getByRole('link', { name: 'Ajouter à mon agenda (.ics)' }).waitFor();
  await checkA11y(page, 'event page');

  // A 320 px phone, large text: nothing scrolls sideways.
  await page.getByRole('button', { name: 'Grands caractères' }).click();
  await page.waitForLoadState();
  await page.setViewportSize({ width: 320, height: 640 });
  for (const path of ['/evenements', `/evenements/calendrier?month=${day.slice(0, 7)}`, '/evenements/carte',
    `/evenements/${slug}`]) {
    await page.goto(srv.url + path);
    await noHorizontalScroll(page, path);
    await checkA11y(page, `${path} at 320px, large text`);
  }
  await org.setViewportSize({ width: 320, height: 640 });
  await org.goto(`${srv.url}/organisations/${ORG}/evenements/nouveau`);
  await noHorizontalScroll(org, 'new event form');
  await checkA11y(org, 'new event form at 320px');
  console.log('b0400-agenda: ok');
} finally {
  await browser.close();
  await srv.stop();
}
