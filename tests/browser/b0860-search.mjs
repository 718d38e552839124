// b0860-search.mjs: the header box as a combobox (type, pick a suggestion with the arrow keys, Enter lands on
// the page; Escape closes the list), the results page filtered by type, "Infos pratiques" and a page of it,
// and a town hall editor's form with its errors, with axe-core on every page visited.
import assert from 'node:assert/strict';
import { launch, checkA11y, startServer } from './harness.mjs';

const srv = await startServer({ args: ['--demo'] });
const browser = await launch();
try {
  const page = await browser.newPage({ locale: 'fr-FR' });
  await page.goto(srv.url + '/evenements');
  const box = page.getByRole('combobox', { name: 'Chercher sur le territoire' });
  assert.equal(await box.getAttribute('aria-expanded'), 'false');
  assert.equal(await box.getAttribute('aria-controls'), 'site-search-list');
  await box.click();
  await box.pressSequentially("numéros d'urg", { delay: 30 });
  const list = page.getByRole('listbox', { name: 'Suggestions' });
  await list.waitFor();
  await page.getByRole('option', { name: /Numéros d'urgence/ }).waitFor();
  assert.equal(await box.getAttribute('aria-expanded'), 'true');
  await page.getByRole('status').filter({ hasText: 'suggestion' }).waitFor({ state: 'attached' });
  await checkA11y(page, 'header combobox open');
  // The arrow keys move the active option (the focus stays in the box); Enter follows it.
  await box.press('ArrowDown');
  const active = await box.getAttribute('aria-activedescendant');
  assert.ok(active && active.startsWith('site-search-opt-'), `active option: ${active}`);
  assert.equal(await page.locator('#' + active).getAttribute('aria-selected'), 'true');
  assert.match(await page.locator('#' + active).innerText(), /Numéros d'urgence/);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'site-search-q');
  await box.press('Enter');
  await page.waitForURL(/\/infos-pratiques\/numeros-d-urgence$/);
  assert.equal(await page.locator('h1').innerText(), "Numéros d'urgence");
  await page.getByText(/mis à jour le/).first().waitFor();
  await checkA11y(page, '/infos-pratiques/numeros-d-urgence');

  // Escape closes the list; Enter without an active option submits the plain search.
  const box2 = page.getByRole('combobox', { name: 'Chercher sur le territoire' });
  await box2.click();
  await box2.pressSequentially('noel', { delay: 30 });
  await page.getByRole('listbox', { name: 'Suggestions' }).waitFor();
  await box2.press('ArrowDown');
  await box2.press('ArrowUp');
  await box2.press('Escape');
  assert.equal(await box2.getAttribute('aria-expanded'), 'false');
  assert.equal(await box2.getAttribute('aria-activedescendant'), null);
  await box2.press('Enter');
  await page.waitForURL(/\/recherche\?q=noel$/);
  await page.getByRole('heading', { level: 2, name: /^(Événements|Actualités) \(\d+\)$/ }).first().waitFor();
  await checkA11y(page, '/recherche?q=noel');

  // The type filter: a plain GET form.
  await page.getByLabel('Type', { exact: true }).selectOption('practical');
  await page.getByRole('searchbox', { name: /Organisations, événements/ }).fill('dechets');
  await page.getByRole('main').getByRole('button', { name: 'Rechercher' }).click();
  await page.waitForURL(/type=practical/);
  await page.getByRole('heading', { level: 2, name: /^Infos pratiques \(\d+\)$/ }).waitFor();
  assert.equal(await page.getByRole('heading', { level: 2, name: /^Organisations/ }).count(), 0);
  await checkA11y(page, '/recherche filtered by type');

  // Infos pratiques: sections, pages, dates.
  await page.goto(srv.url + '/infos-pratiques');
  assert.equal(await page.locator('h1').count(), 1);
  await page.getByRole('heading', { level: 2, name: 'Déchets et propreté' }).waitFor();
  await checkA11y(page, '/infos-pratiques');
  await page.getByRole('link', { name: 'Transport scolaire' }).click();
  await page.waitForURL(/\/infos-pratiques\/transport-scolaire$/);
  await checkA11y(page, '/infos-pratiques/transport-scolaire');

  // A town hall editor: the form, its errors next to the fields, the delete confirmation.
  await page.goto(srv.url + '/connexion');
  await page.getByLabel('Adresse e-mail').fill('pierre.vignal@example.org');
  await page.getByLabel('Mot de passe').fill('kiosque-demo');
  await page.getByRole('button', { name: 'Me connecter' }).click();
  await page.waitForLoadState();
  await page.goto(srv.url + '/infos-pratiques');
  await page.getByRole('link', { name: 'Nouvelle page' }).click();
  await page.waitForURL(/\/infos-pratiques\/nouvelle$/);
  await checkA11y(page, '/infos-pratiques/nouvelle');
  await page.getByLabel('Titre').fill('ab');
  await page.getByRole('button', { name: 'Enregistrer' }).click();
  await page.waitForLoadState();
  assert.equal(await page.getByLabel('Titre').getAttribute('aria-invalid'), 'true');
  await checkA11y(page, '/infos-pratiques/nouvelle with errors');
  await page.getByLabel('Titre').fill('Marché du jeudi matin');
  await page.getByRole('button', { name: 'Enregistrer' }).click();
  await page.waitForURL(/\/infos-pratiques\/marche-du-jeudi-matin$/);
  await page.getByRole('link', { name: 'Supprimer la page' }).click();
  await page.waitForURL(/\/supprimer$/);
  await checkA11y(page, 'delete confirmation');
  await page.getByRole('button', { name: 'Oui, supprimer' }).click();
  await page.waitForURL(/\/infos-pratiques$/);

  // A phone: the suggestions fit 320 px.
  await page.setViewportSize({ width: 320, height: 640 });
  await page.goto(srv.url + '/');
  const box3 = page.getByRole('combobox', { name: 'Chercher sur le territoire' });
  await box3.click();
  await box3.pressSequentially('marche', { delay: 30 });
  await page.getByRole('listbox', { name: 'Suggestions' }).waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `no horizontal scroll at 320px with suggestions (overflow ${overflow}px)`);
  await checkA11y(page, 'suggestions at 320px');
  console.log('b0860-search: ok');
} finally {
  await browser.close();
  await srv.stop();
}
