// b0840-terroir.mjs: "Made in terroir": a producer adds a product with a label and a market through the form (an
// error first, next to its field), then a visitor opens the label page and the product page and sees where to buy
// it; the market page and a 320 px phone too, with axe-core on every page visited.
import assert from 'node:assert/strict';
import { launch, checkA11y, startServer } from './harness.mjs';

const srv = await startServer({ args: ['--demo'] });
const browser = await launch();
const FARM = 'chevrerie-des-granges';
const NAME = 'Brousse de chèvre ' + Math.random().toString(16).slice(2, 8);

async function logIn(page, email) {
  await page.goto(srv.url + '/connexion');
  await page.getByLabel('Adresse e-mail').fill(email);
  await page.getByLabel('Mot de passe').fill('kiosque-demo');
  await page.getByRole('button', { name: 'Me connecter' }).click();
  await page.waitForLoadState();
  await page.getByRole('button', { name: 'Se déconnecter' }).waitFor();
}

try {
  // The producer, from its organisation's page.
  const ctx = await browser.newContext({ locale: 'fr-FR' });
  const page = await ctx.newPage();
  await logIn(page, 'sophie.lambert@example.org');
  await page.goto(srv.url + '/organisations/' + FARM);
  await page.getByRole('heading', { level: 2, name: 'Produits' }).waitFor();
  await checkA11y(page, 'organisation page with products');
  await page.getByRole('link', { name: 'Ajouter un produit' }).first().click();
  await page.waitForURL(/\/produits\/nouveau$/);
  assert.equal(await page.locator('h1').count(), 1);
  await checkA11y(page, 'new product form');

  // A season with one month only: refused, said next to the field, what was typed is kept.
  await page.getByLabel('Nom du produit').fill(NAME);
  await page.getByLabel('Résumé').fill('Fromage frais de lactosérum, en faisselle.');
  await page.getByLabel('De (facultatif)', { exact: true }).selectOption('11');
  await page.getByRole('checkbox', { name: 'AB (Agriculture biologique)' }).check();
  await page.getByRole('checkbox', { name: /^Marché de Vesqueval/ }).check();
  await page.getByRole('button', { name: 'Enregistrer le produit' }).click();
  await page.waitForLoadState();
  await page.locator('#e-season_end').waitFor();
  assert.match(await page.locator('#e-season_end').innerText(), /mois de début et le mois de fin/);
  assert.equal(await page.getByLabel('Nom du produit').inputValue(), NAME);
  assert.ok(await page.getByRole('checkbox', { name: 'AB (Agriculture biologique)' }).isChecked());
  await checkA11y(page, 'product form with an error');

  await page.getByLabel('À (facultatif)', { exact: true }).selectOption('2');
  await page.getByRole('button', { name: 'Enregistrer le produit' }).click();
  await page.waitForURL(/\/produits\/brousse-de-chevre-[0-9a-f]+$/);
  await page.getByText('Le produit est enregistré.').waitFor();
  const productUrl = page.url();
  await ctx.close();

  // A visitor: the label page lists the product and its producer; the product page says where to buy it.
  const visitor = await browser.newPage({ locale: 'fr-FR' });
  await visitor.goto(srv.url + '/produits');
  await checkA11y(visitor, '/produits');
  await visitor.getByLabel('Label (facultatif)', { exact: true }).selectOption('ab');
  await visitor.getByRole('button', { name: 'Filtrer' }).click();
  await visitor.waitForURL(/\/produits\?label=ab/);
  await visitor.getByRole('link', { name: NAME }).waitFor();
  await visitor.goto(srv.url + '/labels/ab');
  assert.equal(await visitor.locator('h1').innerText(), 'AB (Agriculture biologique)');
  await visitor.getByRole('link', { name: 'Chèvrerie des Granges' }).first().waitFor();
  await checkA11y(visitor, '/labels/ab');
  await visitor.getByRole('link', { name: NAME }).click();
  await visitor.waitForURL(productUrl);
  assert.equal(await visitor.locator('h1').innerText(), NAME);
  await visitor.getByText('de novembre à février').waitFor();
  const places = visitor.getByRole('region', { name: "Où l'acheter" });
  await places.getByText(/le samedi de 8 h à 12 h 30/).waitFor();
  await places.getByText('Chèvrerie des Granges').waitFor();
  await checkA11y(visitor, 'product page');

  // The market page: its producers, among them the farm.
  await places.getByRole('link', { name: 'Marché de Vesqueval' }).click();
  await visitor.waitForURL(/\/marches\/marche-de-vesqueval$/);
  await visitor.getByRole('region', { name: 'Producteurs présents' }).getByRole('link', { name: 'Chèvrerie des Granges' }).waitFor();
  await checkA11y(visitor, 'market page');

  // A phone in large text: no horizontal scroll on the terroir pages.
  await visitor.goto(srv.url + '/produits');
  await visitor.getByRole('button', { name: 'Grands caractères' }).click();
  await visitor.waitForLoadState();
  await visitor.setViewportSize({ width: 320, height: 640 });
  for (const p of ['/produits', '/labels/aop', '/marches', '/produits/picodon-aop']) {
    await visitor.goto(srv.url + p);
    const overflow = await visitor.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `no horizontal scroll at 320px on ${p} (overflow ${overflow}px)`);
    await checkA11y(visitor, `${p} at 320px, large text`);
  }
  console.log('b0840-terroir: ok');
} finally {
  await browser.close();
  await srv.stop();
}
