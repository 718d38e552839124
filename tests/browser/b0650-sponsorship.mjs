// b0650-sponsorship.mjs: sponsorship in a real browser, axe-core on every page visited: the owner of a business
// finds "Proposer un parrainage" on a demo campaign, sends the form once with a mistake (the error shows next to the
// amount) and then right; the association's owner reads the offer on its sponsorships page and accepts it; a visitor
// then sees the business under "Nos partenaires" on the campaign page, with its link, also on a 320 px phone.
import assert from 'node:assert/strict';
import { launch, checkA11y, startServer } from './harness.mjs';

const srv = await startServer({ args: ['--demo'], env: { KIOSQUE_FAST_HASH: '1' } });
const browser = await launch();
const CAMPAIGN = 'restaurer-le-lavoir';
const ASSOC = 'comite-des-fetes-vesqueval';
const SPONSOR = 'Gîte Le Mas des Faysses';

async function logIn(page, email) {
  await page.goto(srv.url + '/connexion');
  await page.getByLabel('Adresse e-mail').fill(email);
  await page.getByLabel('Mot de passe').fill('kiosque-demo');
  await page.getByRole('button', { name: 'Me connecter' }).click();
  await page.waitForLoadState();
  await page.getByRole('button', { name: 'Se déconnecter' }).waitFor();
}

try {
  // The business owner offers.
  const linh = await browser.newPage({ locale: 'fr-FR' });
  await logIn(linh, 'linh.nguyen@example.org');
  assert.equal((await linh.goto(`${srv.url}/soutenir/${CAMPAIGN}`)).status(), 200);
  const partners = linh.getByRole('region', { name: 'Nos partenaires' });
  await partners.waitFor();
  await checkA11y(linh, 'campaign page (business owner)');
  await partners.getByRole('link', { name: 'Proposer un parrainage' }).click();
  await linh.waitForURL(/\/parrainer\/campagne\/restaurer-le-lavoir$/);
  await linh.getByRole('heading', { level: 1, name: 'Proposer un parrainage' }).waitFor();
  await linh.getByText(/en dehors de Kiosque/).waitFor();
  await checkA11y(linh, 'offer form');
  await linh.getByLabel('Au nom de').selectOption({ label: SPONSOR });
  await linh.getByLabel('Type de parrainage').selectOption('money');
  await linh.getByLabel(/Montant en euros/).fill('cinq');
  await linh.getByLabel(/Message à l'association/).fill('Pour la charpente du lavoir, avec plaisir.');
  await linh.getByRole('button', { name: "Envoyer l'offre" }).click();
  await linh.waitForLoadState();
  const amount = linh.getByLabel(/Montant en euros/);
  assert.equal(await amount.getAttribute('aria-invalid'), 'true');
  await linh.locator('#e-amount').getByText(/Écrivez un montant en euros/).waitFor();
  await checkA11y(linh, 'offer form with an error');
  await amount.fill('300');
  await linh.getByRole('button', { name: "Envoyer l'offre" }).click();
  await linh.waitForURL(/\/organisations\/gite-mas-des-faysses\/parrainages$/);
  await linh.getByText('Votre offre de parrainage est envoyée').waitFor();
  await linh.getByText('En attente').waitFor();
  await checkA11y(linh, "the business's offers");
  await srv.waitMail({ to: 'pierre.vignal@example.org', subjectContains: SPONSOR });

  // The association's owner accepts.
  const pierre = await browser.newPage({ locale: 'fr-FR' });
  await logIn(pierre, 'pierre.vignal@example.org');
  assert.equal((await pierre.goto(`${srv.url}/organisations/${ASSOC}/parrainages`)).status(), 200);
  const offer = pierre.locator('li.sponsor-offer', { hasText: SPONSOR });
  await offer.waitFor();
  await checkA11y(pierre, "the association's offers");
  await offer.getByLabel(/Note pour le parrain/).fill('Merci, à bientôt au lavoir !');
  await offer.getByRole('button', { name: 'Accepter' }).click();
  await pierre.waitForURL(/\/parrainages$/);
  await pierre.getByText(/Parrainage accepté/).waitFor();
  await pierre.locator('li.sponsor-offer', { hasText: SPONSOR }).getByText('Acceptée').waitFor();
  await checkA11y(pierre, 'offers after the decision');
  await srv.waitMail({ to: 'linh.nguyen@example.org', subjectContains: 'accepte votre parrainage' });

  // A visitor sees the sponsor on the campaign page, on a phone too.
  const visitor = await browser.newPage({ locale: 'fr-FR', viewport: { width: 320, height: 640 } });
  assert.equal((await visitor.goto(`${srv.url}/soutenir/${CAMPAIGN}`)).status(), 200);
  const section = visitor.getByRole('region', { name: 'Nos partenaires' });
  const link = section.getByRole('link', { name: SPONSOR });
  await link.waitFor();
  assert.equal(await link.getAttribute('href'), 'https://masdesfaysses.example.org');
  assert.equal(await section.getByRole('link', { name: 'Proposer un parrainage' }).count(), 0);
  const overflow = await visitor.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `no horizontal scroll at 320 px (overflow ${overflow} px)`);
  await checkA11y(visitor, 'campaign page with the new sponsor (phone)');
  console.log('b0650-sponsorship: ok');
} catch (e) {
  console.error(e);
  process.exitCode = 1;
} finally {
  await browser.close();
  await srv.stop();
}
