// b0810-comments.mjs: a citizen comments a post, replies, edits and sees "modifié", likes, all with the keyboard
// and without JavaScript doing the work (plain forms, <details>); a refused empty comment; axe-core on every page.
import assert from 'node:assert/strict';
import { launch, checkA11y, startServer } from './harness.mjs';

const POST = '/actualites/le-marche-de-noel-cherche-des-benevoles';
const srv = await startServer({ args: ['--demo'], env: { KIOSQUE_FAST_HASH: '1' } });
const browser = await launch();
try {
  const page = await browser.newPage({ locale: 'fr-FR' });
  // A visitor reads the conversation and is asked to log in, then comes back to it.
  await page.goto(srv.url + POST);
  await page.getByRole('heading', { level: 2, name: /^Commentaires \(\d+\)$/ }).waitFor();
  await page.getByText('Je peux tenir la buvette le samedi après-midi').waitFor();
  await checkA11y(page, 'post page, visitor');
  await page.getByRole('link', { name: 'Connectez-vous pour commenter' }).click();
  await page.waitForURL(/\/connexion\?suite=/);
  await checkA11y(page, 'log-in page from the comments');
  await page.getByLabel('Adresse e-mail').fill('fatou.diallo@example.org');
  await page.getByLabel('Mot de passe').fill('kiosque-demo');
  await page.getByLabel('Mot de passe').press('Enter');
  await page.waitForURL((u) => u.pathname === POST);

  // An empty comment: refused with the reason next to the field.
  await page.getByRole('button', { name: 'Publier le commentaire' }).click();
  await page.waitForURL(/\/commentaires$/);
  assert.equal(await page.getByLabel('Votre commentaire').getAttribute('aria-invalid'), 'true');
  await page.getByText('Écrivez votre commentaire avant de l\'envoyer.').first().waitFor();
  await checkA11y(page, 'refused comment');

  // The comment, typed and sent with the keyboard.
  const text = 'Je peux aussi apporter des guirlandes.\nEt une rallonge.';
  const box = page.getByLabel('Votre commentaire');
  await box.fill(text);
  await box.press('Tab');                       // the hint is not a stop: next is the button
  await page.keyboard.press('Enter');
  await page.waitForURL(/#c-\d+$/);
  const id = page.url().match(/#c-(\d+)$/)[1];
  const mine = page.locator(`#c-${id}`);
  await mine.getByText('Je peux aussi apporter des guirlandes.').waitFor();
  await page.getByText('Votre commentaire est publié.').waitFor();
  await checkA11y(page, 'post page, signed in, after commenting');

  // A reply: "Répondre" is a <details> summary, opened with the keyboard.
  const summary = mine.locator('summary').first();
  await summary.focus();
  await page.keyboard.press('Enter');
  const reply = mine.getByLabel('Votre réponse');
  await reply.fill('Et je viens avec ma sœur.');
  await mine.getByRole('button', { name: 'Publier la réponse' }).click();
  await page.waitForURL(/#c-\d+$/);
  const rid = page.url().match(/#c-(\d+)$/)[1];
  assert.notEqual(rid, id);
  await page.locator(`#c-${id} .comment-replies #c-${rid}`).getByText('Et je viens avec ma sœur.').waitFor();

  // Edit: "modifié" with its time.
  await page.locator(`#c-${id}`).getByRole('link', { name: /^Modifier le commentaire de Fatou Diallo$/ }).first().click();
  await page.waitForURL(/\/commentaires\/\d+\/modifier$/);
  assert.equal(await page.locator('h1').count(), 1);
  await checkA11y(page, 'edit form');
  await page.getByLabel('Votre commentaire').fill('Je peux aussi apporter des guirlandes lumineuses.');
  await page.getByRole('button', { name: 'Enregistrer la modification' }).click();
  await page.waitForURL(new RegExp(`#c-${id}$`));
  const edited = page.locator(`#c-${id} > .comment-meta .comment-edited`);
  await edited.waitFor();
  assert.match(await edited.innerText(), /^\(modifié .+\)$/);
  await page.locator(`#c-${id}`).getByText('guirlandes lumineuses').waitFor();

  // Like the comment of someone else, then the post: the buttons say their state.
  const firstId = await page.locator('.comment-list > li.comment').first().getAttribute('id');
  assert.notEqual(firstId, `c-${id}`);
  const first = page.locator(`#${firstId}`);
  const like = first.locator(':scope > .comment-actions').getByRole('button', { name: /^J'aime le commentaire de/ });
  const before = Number(await first.locator(':scope > .comment-actions .like-count').innerText());
  const pressed = await like.getAttribute('aria-pressed');
  await like.click();
  await page.waitForURL(new RegExp(`#${firstId}$`));
  assert.equal(await like.getAttribute('aria-pressed'), pressed === 'true' ? 'false' : 'true');
  assert.equal(Number(await first.locator(':scope > .comment-actions .like-count').innerText()),
    before + (pressed === 'true' ? -1 : 1));
  const postLike = page.locator('#jaime button');
  const postPressed = await postLike.getAttribute('aria-pressed');
  await postLike.focus();
  await page.keyboard.press('Enter');
  await page.waitForURL(/#jaime$/);
  assert.notEqual(await page.locator('#jaime button').getAttribute('aria-pressed'), postPressed);
  await checkA11y(page, 'post page after likes');

  // Delete the reply: a confirmation page, then gone.
  await page.locator(`#c-${rid}`).getByRole('link', { name: /^Supprimer le commentaire de/ }).click();
  await page.waitForURL(/\/supprimer$/);
  await checkA11y(page, 'delete confirmation');
  await page.getByRole('button', { name: 'Supprimer le commentaire' }).click();
  await page.waitForURL(/#commentaires$/);
  assert.equal(await page.locator(`#c-${rid}`).count(), 0);

  // The same section on a phone: nothing wider than 320 px.
  await page.setViewportSize({ width: 320, height: 640 });
  await page.goto(srv.url + POST);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `no horizontal scroll at 320px (overflow ${overflow}px)`);
  await checkA11y(page, 'post page at 320px');
  console.log('b0810-comments: ok');
} finally {
  await browser.close();
  await srv.stop();
}
