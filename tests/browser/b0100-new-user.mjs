// b0100-new-user.mjs: a newcomer's path, with axe-core on every page: sign up, confirm the address from
// the mail, log in, register an association, invite a member who signs up, accepts, and both log out.
import assert from 'node:assert/strict';
import { launch, checkA11y, startServer } from './harness.mjs';

const srv = await startServer({ env: { KIOSQUE_FAST_HASH: '1' } });
const browser = await launch();
const PASSWORD = 'un jardin de lavande 2026';

function linkIn(text, prefix) {
  const m = text.match(new RegExp(prefix.replace(/[.?]/g, '\\$&') + '[^\\s>"]+'));
  assert.ok(m, `a link starting with ${prefix} in:\n${text}`);
  return m[0];
}

async function signUpAndConfirm(page, email, name) {
  await page.goto(srv.url + '/');
  await checkA11y(page, 'home');
  await page.getByRole('link', { name: 'Créer un compte' }).first().click();
  await checkA11y(page, 'sign-up form');
  await page.getByLabel('Votre nom').fill(name);
  await page.getByLabel('Adresse e-mail').fill(email);
  await page.getByLabel('Mot de passe', { exact: true }).fill(PASSWORD);
  const before = srv.readMails().length;
  await page.getByRole('button', { name: 'Créer mon compte' }).click();
  await checkA11y(page, 'sign-up done');
  const mail = await srv.waitMail({ to: email, since: before });
  await page.goto(linkIn(mail.text, srv.url + '/compte/verifier?jeton='));
  await checkA11y(page, 'verification page');
  await page.getByRole('button', { name: 'Confirmer mon adresse' }).click();
  await checkA11y(page, 'address confirmed');
}

async function logIn(page, email) {
  if (!page.url().includes('/connexion')) await page.goto(srv.url + '/connexion');
  await checkA11y(page, 'log-in form');
  await page.getByLabel('Adresse e-mail').fill(email);
  await page.getByLabel('Mot de passe').fill(PASSWORD);
  await page.getByRole('button', { name: 'Me connecter' }).click();
  await page.waitForLoadState();
}

async function logOut(page) {
  await page.getByRole('button', { name: 'Se déconnecter' }).click();
  await page.waitForLoadState();
  await page.getByRole('link', { name: 'Se connecter' }).first().waitFor();
  await checkA11y(page, 'logged out');
}

try {
  // Alice signs up, confirms, logs in and registers an association.
  const alice = await (await browser.newContext({ locale: 'fr-FR' })).newPage();
  await signUpAndConfirm(alice, 'alice@example.org', 'Alice Martin');
  await logIn(alice, 'alice@example.org');
  await checkA11y(alice, 'account page after log-in');
  await alice.getByText('Alice Martin').first().waitFor();

  await alice.goto(srv.url + '/organisations/nouvelle');
  await checkA11y(alice, 'new organisation form');
  // A first try with no name shows the message next to the field, and keeps what was typed.
  await alice.getByLabel('Présentation en une ligne').fill('Le comité qui anime le village');
  await alice.getByRole('button', { name: 'Créer la fiche' }).click();
  await checkA11y(alice, 'new organisation form with errors');
  assert.equal(await alice.getByLabel('Nom', { exact: true }).getAttribute('aria-invalid'), 'true');
  assert.equal(await alice.getByLabel('Présentation en une ligne').inputValue(), 'Le comité qui anime le village');
  await alice.getByLabel("Type d'organisation").selectOption('association');
  await alice.getByLabel('Nom', { exact: true }).fill('Comité des fêtes de Vesqueval');
  await alice.getByLabel('Description').fill('Nous organisons la **fête du village** et le marché de Noël.');
  await alice.getByRole('button', { name: 'Créer la fiche' }).click();
  await alice.waitForLoadState();
  await checkA11y(alice, 'organisation created');

  await alice.goto(srv.url + '/organisations/comite-des-fetes-de-vesqueval');
  await alice.getByRole('heading', { level: 1, name: 'Comité des fêtes de Vesqueval' }).waitFor();
  assert.equal(await alice.locator('strong', { hasText: 'fête du village' }).count(), 1);
  await checkA11y(alice, 'organisation page');

  // Alice invites Bruno, who has no account yet.
  await alice.goto(srv.url + '/organisations/comite-des-fetes-de-vesqueval/membres');
  await checkA11y(alice, 'members page');
  await alice.getByLabel('Adresse e-mail').fill('bruno@example.org');
  await alice.getByLabel('Rôle', { exact: true }).selectOption('editor');
  const before = srv.readMails().length;
  await alice.getByRole('button', { name: "Envoyer l'invitation" }).click();
  await alice.waitForLoadState();
  await checkA11y(alice, 'invitation sent');
  const invite = await srv.waitMail({ to: 'bruno@example.org', since: before });
  const inviteLink = linkIn(invite.text, srv.url + '/invitations/');

  // Bruno opens the link, is asked to log in, signs up, confirms, logs in and accepts.
  const bruno = await (await browser.newContext({ locale: 'fr-FR' })).newPage();
  await bruno.goto(inviteLink);
  await checkA11y(bruno, 'invitation, logged out');
  await signUpAndConfirm(bruno, 'bruno@example.org', 'Bruno Petit');
  await logIn(bruno, 'bruno@example.org');
  await bruno.goto(inviteLink);
  await checkA11y(bruno, 'invitation, logged in');
  await bruno.getByRole('button', { name: "Accepter l'invitation" }).click();
  await bruno.waitForLoadState();
  await checkA11y(bruno, 'invitation accepted');
  await bruno.goto(srv.url + '/organisations/comite-des-fetes-de-vesqueval/membres');
  await bruno.getByText('Bruno Petit').first().waitFor();
  await checkA11y(bruno, 'members page as editor');

  // Alice sees Bruno among the members; both log out.
  await alice.goto(srv.url + '/organisations/comite-des-fetes-de-vesqueval/membres');
  await alice.getByText('Bruno Petit').first().waitFor();
  await logOut(alice);
  await logOut(bruno);
  console.log('b0100-new-user: ok');
} finally {
  await browser.close();
  await srv.stop();
}
