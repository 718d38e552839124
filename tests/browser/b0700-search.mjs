// b0700-search.mjs: the search box of the header used with the keyboard, the results page, no result and a
// refused query, at 1280 px and on a 320 px phone in large text, with axe-core on every page visited.
import assert from 'node:assert/strict';
import { launch, checkA11y, startServer } from './harness.mjs';

const srv = await startServer({ args: ['--demo'] });
const browser = await launch();
try {
  const page = await browser.newPage({ locale: 'fr-FR' });
  await page.goto(srv.url + '/annuaire');
  // Typed as people type: no accent, part of a word; Enter submits (a plain GET form, no script).
  // A combobox once search-suggest.js has run (a plain search box without it).
  const box = page.getByRole('combobox', { name: 'Chercher sur le territoire' });
  await box.fill('fete vesq');
  await box.press('Enter');
  await page.waitForURL(/\/recherche\?q=fete\+vesq$/);
  assert.equal(await page.locator('h1').count(), 1);
  assert.equal(await page.getByRole('searchbox', { name: /Organisations, événements/ }).inputValue(), 'fete vesq');
  await page.getByRole('heading', { level: 2, name: /^Organisations \(\d+\)$/ }).waitFor();
  await page.getByRole('link', { name: 'Comité des fêtes de Vesqueval' }).click();
  await page.waitForURL(/\/organisations\/comite-des-fetes-vesqueval$/);
  await page.goBack();
  await checkA11y(page, '/recherche with results');

  await page.goto(srv.url + '/recherche?q=qqzzxxww');
  await page.getByText('Aucun résultat pour cette recherche.').waitFor();
  await checkA11y(page, '/recherche without result');

  const resp = await page.goto(srv.url + '/recherche?q=' + encodeURIComponent('un deux trois quatre cinq six sept huit neuf'));
  assert.equal(resp.status(), 400);
  assert.equal(await page.getByRole('searchbox', { name: /Organisations, événements/ }).getAttribute('aria-invalid'), 'true');
  await checkA11y(page, '/recherche refused');

  // A phone in large text: the header box and the results fit 320 px.
  await page.getByRole('button', { name: 'Grands caractères' }).click();
  await page.waitForLoadState();
  await page.setViewportSize({ width: 320, height: 640 });
  for (const path of ['/', '/recherche?q=vesque', '/recherche?q=' + encodeURIComponent('marché de noël')]) {
    await page.goto(srv.url + path);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `no horizontal scroll at 320px on ${path} (overflow ${overflow}px)`);
    await checkA11y(page, `${path} at 320px, large text`);
  }
  await page.getByRole('heading', { level: 2, name: /^Événements \(\d+\)$/ }).waitFor();
  console.log('b0700-search: ok');
} finally {
  await browser.close();
  await srv.stop();
}
