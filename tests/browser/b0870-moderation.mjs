// b0870-moderation.mjs: a citizen reports a post from its page; a moderator finds it in the queue and hides
// it with a note; the post vanishes at once from the wall, the search page and the JSON API; the audit log
// keeps the act. With the keyboard-reachable links and buttons only, axe-core on every page visited.
import assert from 'node:assert/strict';
import { launch, checkA11y, startServer } from './harness.mjs';

const srv = await startServer({ args: ['--demo'] });
const browser = await launch();

async function logIn(page, email) {
  await page.goto(srv.url + '/connexion');
  await page.getByLabel('Adresse e-mail').fill(email);
  await page.getByLabel('Mot de passe').fill('kiosque-demo');
  await page.getByRole('button', { name: 'Me connecter' }).click();
  await page.waitForLoadState();
  await page.getByRole('button', { name: 'Se déconnecter' }).waitFor();
}

try {
  const tag = Math.random().toString(16).slice(2, 8);
  const title = `Grande braderie ${tag}`;

  // The organisation's editor publishes a post.
  const editor = await (await browser.newContext({ locale: 'fr-FR' })).newPage();
  await logIn(editor, 'camille.arnaud@example.org');
  await editor.goto(srv.url + '/organisations/comite-des-fetes-vesqueval/actualites/nouvelle');
  await editor.getByLabel('Titre').fill(title);
  await editor.getByLabel(/^Texte/).fill('Des affaires à faire, dimanche matin.');
  await editor.getByRole('button', { name: /Publier|Enregistrer/ }).click();
  await editor.waitForURL(/\/actualites\/[a-z0-9-]+$/);
  const postPath = new URL(editor.url()).pathname;
  const slug = postPath.split('/').pop();
  // Before: the visitors' home feed shows it (so its absence below means something).
  const before = await (await browser.newContext({ locale: 'fr-FR' })).newPage();
  await before.goto(srv.url + '/');
  await before.getByRole('link', { name: title }).first().waitFor();

  // A citizen reports it from the post page.
  const citizen = await (await browser.newContext({ locale: 'fr-FR' })).newPage();
  await logIn(citizen, 'fatou.diallo@example.org');
  await citizen.goto(srv.url + postPath);
  await citizen.getByRole('link', { name: /Signaler cette actualité/ }).click();
  await citizen.waitForURL(/\/signaler\?type=post&id=\d+$/);
  await checkA11y(citizen, '/signaler');
  await citizen.getByLabel('Raison').selectOption('spam');
  await citizen.getByLabel('Précisions (facultatif)').fill('Annonce commerciale déguisée.');
  await citizen.getByRole('button', { name: 'Envoyer le signalement' }).click();
  await citizen.waitForURL(new RegExp(postPath + '$'));
  await citizen.getByText('votre signalement a été transmis').waitFor();

  // The moderator hides it from the queue.
  const mod = await (await browser.newContext({ locale: 'fr-FR' })).newPage();
  await logIn(mod, 'julien.roux@example.org');
  await mod.goto(srv.url + '/moderation');
  await checkA11y(mod, '/moderation');
  await mod.getByRole('link', { name: title }).click();
  await mod.waitForURL(/\/moderation\/contenu\/post\/\d+$/);
  await mod.getByText('Annonce commerciale déguisée.').waitFor();
  await checkA11y(mod, '/moderation/contenu');
  // Without a note: the error is next to the field.
  await mod.getByRole('button', { name: 'Masquer', exact: true }).click();
  await mod.getByText('Écrivez une note').first().waitFor();
  await mod.getByLabel(/^Note \(envoyée/).fill('Publicité, contraire aux règles du mur.');
  await mod.getByRole('button', { name: 'Masquer', exact: true }).click();
  await mod.getByText('Le contenu est masqué').waitFor();
  await checkA11y(mod, '/moderation/contenu after hiding');

  // Gone at once for everybody else: the home feed, the wall, the post page, search, the API.
  const visitor = await (await browser.newContext({ locale: 'fr-FR' })).newPage();
  await visitor.goto(srv.url + '/');
  assert.equal(await visitor.getByRole('link', { name: title }).count(), 0, 'not in the home feed');
  await visitor.goto(srv.url + '/actualites');
  assert.equal(await visitor.getByRole('link', { name: title }).count(), 0, 'not on the wall');
  const resp = await visitor.goto(srv.url + postPath);
  assert.equal(resp.status(), 404);
  await visitor.goto(srv.url + '/recherche?q=' + encodeURIComponent(`braderie ${tag}`));
  assert.equal(await visitor.getByRole('link', { name: title }).count(), 0, 'not in search');
  await checkA11y(visitor, '/recherche after hiding');
  const api = await visitor.request.get(srv.url + '/api/v1/search?q=' + encodeURIComponent(`braderie ${tag}`));
  assert.deepEqual((await api.json()).posts.items, []);
  const apiPost = await visitor.request.get(srv.url + '/api/v1/posts/' + slug);
  assert.equal(apiPost.status(), 404);

  // The audit log keeps the act.
  await mod.goto(srv.url + '/moderation/journal');
  await mod.getByText('Publicité, contraire aux règles du mur.').waitFor();
  await checkA11y(mod, '/moderation/journal');
  console.log('b0870-moderation: ok');
} finally {
  await browser.close();
  await srv.stop();
}
