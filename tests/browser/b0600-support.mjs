// b0600-support.mjs: the support path of issue #5 in a real browser, axe-core on every page visited: an
// organiser creates a crowdfunding campaign with a reward and opens it; a citizen backs it with the demo card and
// sees the progress move on its page, in the list /soutenir and on the home page; the citizen joins the
// association and downloads the member card (its QR code decodes to the code shown on the membership page);
// the treasurer writes to the current members (a count to confirm first); a guest donates and downloads the tax
// receipt (pdftotext finds the donor and the amount in words); the citizen gives every month from the same form
// and stops it from "Mes dons". The campaign page has no horizontal scroll on a 320 px phone.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launch, checkA11y, startServer } from './harness.mjs';

const srv = await startServer({ args: ['--demo'], env: { KIOSQUE_FAST_HASH: '1' } });
const browser = await launch();
const ORG = 'comite-des-fetes-vesqueval';
const TITLE = 'Un four à pain pour Vesqueval';

function daysAhead(days) {
  return new Date(Date.now() + days * 86400000).toISOString().slice(0, 10);
}

async function logIn(page, email) {
  await page.goto(srv.url + '/connexion');
  await page.getByLabel('Adresse e-mail').fill(email);
  await page.getByLabel('Mot de passe').fill('kiosque-demo');
  await page.getByRole('button', { name: 'Me connecter' }).click();
  await page.waitForLoadState();
  await page.getByRole('button', { name: 'Se déconnecter' }).waitFor();
}

// Runs a command on a PDF written to a temporary directory; fn(dir, file) returns the result.
function withPdf(bytes, fn) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiosque-pdf-'));
  try {
    const file = path.join(dir, 'f.pdf');
    fs.writeFileSync(file, bytes);
    return fn(dir, file);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// The QR codes of a PDF, decoded by zbarimg from its pages rendered at 150 dpi.
function pdfCodes(bytes) {
  return withPdf(bytes, (dir, file) => {
    execFileSync('pdftoppm', ['-png', '-r', '150', file, path.join(dir, 'p')]);
    const codes = [];
    for (const f of fs.readdirSync(dir).filter((f) => f.endsWith('.png')).sort()) {
      const out = execFileSync('zbarimg', ['--quiet', '--raw', path.join(dir, f)], { encoding: 'utf8' });
      codes.push(...out.split('\n').filter(Boolean));
    }
    return codes;
  });
}

function pdfText(bytes) {
  return withPdf(bytes, (dir, file) => execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }))
    .split(/\s+/).join(' ');
}

// Downloads a link of the page with the page's cookies; checks it is a PDF and returns its bytes.
async function fetchPdf(page, name) {
  const href = await page.getByRole('link', { name }).getAttribute('href');
  const r = await page.request.get(new URL(href, page.url()).href);
  assert.equal(r.status(), 200, href);
  assert.equal(r.headers()['content-type'].split(';')[0], 'application/pdf', href);
  const bytes = await r.body();
  assert.equal(bytes.subarray(0, 5).toString('latin1'), '%PDF-', href);
  return bytes;
}

// The demo card's page: pay, then wait for the page the provider returns to.
async function payDemo(page, label) {
  await page.waitForURL(/\/paiement-demo$/);
  await checkA11y(page, `demo payment page (${label})`);
  await page.getByRole('button', { name: /Payer/ }).click();
  await page.waitForURL((u) => !u.pathname.endsWith('/paiement-demo'));
}

// The figures of a campaign as its progress says them in words.
async function figures(scope) {
  return (await scope.locator('.campaign-figures').first().innerText()).replace(/\s+/g, ' ');
}

// The organiser's form: a new campaign of ORG, open at once, whose last day is days ahead; its slug.
async function newCampaign(org, title, days) {
  await org.goto(`${srv.url}/organisations/${ORG}/campagnes/nouvelle`);
  await checkA11y(org, 'new campaign');
  const form = org.locator(`form[action="/organisations/${ORG}/campagnes"]`);
  await form.locator('[name=title]').fill(title);
  await form.locator('[name=summary]').fill('Cuire le pain du village ensemble');
  await form.locator('[name=story]').fill('Un **four** pour la fête du pain.');
  await form.locator('[name=goal]').fill('200');
  await form.locator('[name=model]').selectOption('keep_it');
  await form.locator('[name=ends_at]').fill(daysAhead(days));
  await form.locator('[name=publish]').check();
  await form.getByRole('button', { name: 'Enregistrer' }).click();
  await org.waitForURL(/\/soutenir\/[a-z0-9-]+\/modifier$/);
  return new URL(org.url()).pathname.split('/')[2];
}

try {
  // ---- the organiser opens a campaign with one reward
  const org = await (await browser.newContext({ locale: 'fr-FR' })).newPage();
  await logIn(org, 'pierre.vignal@example.org');
  const slug = await newCampaign(org, TITLE, 2);
  await checkA11y(org, 'campaign created');
  const tier = org.locator(`form[action="/soutenir/${slug}/contreparties"]`);
  await tier.locator('[name=amount]').fill('30');
  await tier.locator('[name=title]').fill('Une miche du premier four');
  await tier.locator('[name=description]').fill('Une miche de campagne, cuite le jour de la fête.');
  await tier.locator('[name=delivery]').fill('À la fête du pain');
  await tier.locator('[name=quantity]').fill('5');
  await tier.getByRole('button', { name: 'Ajouter la contrepartie' }).click();
  await org.waitForLoadState();
  await org.getByText('Une miche du premier four').first().waitFor();
  await checkA11y(org, 'campaign with a reward');

  // ---- the citizen finds it, backs it with the reward and the demo card
  const citizenCtx = await browser.newContext({ locale: 'fr-FR' });
  const citizen = await citizenCtx.newPage();
  await logIn(citizen, 'fatou.diallo@example.org');
  await citizen.goto(`${srv.url}/soutenir/${slug}`);
  await citizen.getByRole('heading', { level: 1, name: TITLE }).waitFor();
  await checkA11y(citizen, 'campaign page');
  assert.match(await figures(citizen), /0,00 € collectés sur 200,00 € \(0 %\).*0 contributeurs/);
  assert.equal(await citizen.locator('progress').first().getAttribute('value'), '0');
  await citizen.getByLabel(/Une miche du premier four/).check();
  await citizen.getByLabel('Montant', { exact: true }).fill('50');
  await citizen.getByLabel(/Afficher mon nom/).check();
  await citizen.getByLabel(/Carte bancaire \(démonstration/).check();
  await citizen.getByRole('button', { name: 'Contribuer' }).click();
  await payDemo(citizen, 'contribution');
  await citizen.getByText('Votre contribution est payée').first().waitFor();
  await checkA11y(citizen, 'contribution paid');

  // The progress moved: on the campaign page...
  await citizen.goto(`${srv.url}/soutenir/${slug}`);
  assert.match(await figures(citizen), /50,00 € collectés sur 200,00 € \(25 %\).*1 contributeur\b/);
  assert.equal(await citizen.locator('progress').first().getAttribute('value'), '25');
  assert.match(await citizen.locator('main').innerText(), /4 \/ 5 restantes/);
  await citizen.getByText('Fatou Diallo').first().waitFor();
  await checkA11y(citizen, 'campaign page after backing');
  // ...in the list of live campaigns...
  await citizen.goto(`${srv.url}/soutenir`);
  await checkA11y(citizen, '/soutenir');
  const listed = citizen.locator('.campaign-card', { has: citizen.locator(`a[href="/soutenir/${slug}"]`) });
  assert.match(await figures(listed), /50,00 € collectés sur 200,00 € \(25 %\).*1 contributeur\b/);
  // ...and on the home page, ending soonest first: with a second campaign ending a day later, four are
  // live (the demo's two run for 30 days) and the home page shows three.
  const later = await newCampaign(org, 'Des bancs pour le lavoir', 3);
  await citizen.goto(srv.url + '/');
  await checkA11y(citizen, 'home with campaigns');
  const live = citizen.getByRole('region', { name: 'Projets à soutenir' });
  const items = live.locator('li');
  assert.equal(await items.count(), 3, 'the home page shows 3 campaigns');
  const first = items.nth(0);
  assert.equal(await first.getByRole('link', { name: TITLE }).getAttribute('href'), `/soutenir/${slug}`);
  assert.match((await first.innerText()).replace(/\s+/g, ' '),
    /50,00 € collectés sur 200,00 € \(25 %\) · 1 contributeur · \d+ jours restants/);
  assert.equal(await items.nth(1).getByRole('link').getAttribute('href'), `/soutenir/${later}`);
  assert.match((await items.nth(1).innerText()).replace(/\s+/g, ' '), /0,00 € collectés sur 200,00 € \(0 %\) · 0 contributeurs/);
  await live.getByRole('link', { name: /Toutes les campagnes/ }).click();
  await citizen.waitForURL(/\/soutenir$/);

  // The campaign page on a 320 px phone: no horizontal scroll.
  const phone = await (await browser.newContext({ locale: 'fr-FR', viewport: { width: 320, height: 640 } })).newPage();
  await phone.goto(`${srv.url}/soutenir/${slug}`);
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `no horizontal scroll at 320px on the campaign page (overflow ${overflow}px)`);
  await checkA11y(phone, 'campaign page at 320px');

  // ---- the citizen joins the association and downloads the member card
  await citizen.goto(`${srv.url}/organisations/${ORG}/adhesion`);
  await checkA11y(citizen, 'membership form');
  await citizen.getByLabel(/Adhésion annuelle/).check();
  await citizen.getByLabel(/Carte bancaire \(démonstration/).check();
  await citizen.getByRole('button', { name: 'Adhérer' }).click();
  await payDemo(citizen, 'membership');
  await citizen.getByText('Adhésion en cours').first().waitFor();
  await checkA11y(citizen, 'membership page');
  const cardCode = (await citizen.locator('.card-code').innerText()).trim();
  assert.match(cardCode, /^[0-9A-Z]{20}$/);
  const memberCard = await fetchPdf(citizen, /carte de membre/);
  assert.deepEqual(pdfCodes(memberCard), [cardCode], 'the QR code of the member card is the code shown on its page');

  // ---- the treasurer writes to the current members: a count to confirm, then the list of mailings
  const treasurer = await (await browser.newContext({ locale: 'fr-FR' })).newPage();
  await logIn(treasurer, 'gerard.faure@example.org');
  await treasurer.goto(`${srv.url}/organisations/${ORG}/adhesions/gestion`);
  await treasurer.getByRole('heading', { level: 2, name: 'Écrire aux adhérents' }).waitFor();
  await treasurer.getByLabel('Les adhérents actuels', { exact: true }).check();
  await treasurer.getByLabel('Sujet', { exact: true }).fill('Assemblée générale');
  await treasurer.getByLabel('Message', { exact: true }).fill('Bonjour,\n\nRendez-vous le 12 décembre.');
  await checkA11y(treasurer, 'membership management with the mailing form');
  await treasurer.getByRole('button', { name: 'Voir combien le recevront' }).click();
  const sendButton = treasurer.getByRole('button', { name: /^Envoyer à \d+ adhérents?$/ });
  await sendButton.waitFor();
  await checkA11y(treasurer, 'mailing confirmation');
  await sendButton.click();
  await treasurer.getByText('Votre message est parti').first().waitFor();
  await treasurer.locator('table.member-mailings td', { hasText: 'Assemblée générale' }).waitFor();
  await checkA11y(treasurer, 'membership management with a mailing sent');

  // ---- a guest donates with the demo card and downloads the tax receipt
  const guest = await (await browser.newContext({ locale: 'fr-FR' })).newPage();
  await guest.goto(`${srv.url}/organisations/${ORG}/don`);
  await checkA11y(guest, 'donation form');
  await guest.getByLabel(/Autre montant/).check();
  await guest.getByLabel('Montant libre en euros').fill('42,50');
  await guest.getByLabel('Nom et prénom').fill('Lucienne Morel');
  await guest.getByLabel('Adresse', { exact: true }).fill('3 chemin des Vignes');
  await guest.getByLabel('Code postal').fill('26400');
  await guest.getByLabel('Commune').fill('Crest');
  await guest.getByLabel('Adresse électronique').fill('lucienne.morel@example.org');
  await guest.getByLabel(/Carte bancaire \(démonstration/).check();
  await guest.getByRole('button', { name: 'Donner' }).click();
  await payDemo(guest, 'donation');
  await guest.getByText('Merci').first().waitFor();
  await checkA11y(guest, 'donation page');
  const receipt = pdfText(await fetchPdf(guest, /reçu fiscal/));
  for (const want of ['Lucienne Morel', '42,50', 'quarante-deux euros et cinquante centimes']) {
    assert.ok(receipt.includes(want), `the receipt holds ${want}:\n${receipt}`);
  }
  // ---- the citizen gives every month with the demo card, then stops it from "Mes dons"
  await citizen.goto(`${srv.url}/organisations/${ORG}/don`);
  await citizen.getByLabel('Tous les mois').check();
  await citizen.getByLabel(/Autre montant/).check();
  await citizen.getByLabel('Montant libre en euros').fill('15');
  await citizen.getByLabel('Adresse', { exact: true }).fill('5 place du Marché');
  await citizen.getByLabel('Code postal').fill('26400');
  await citizen.getByLabel('Commune').fill('Crest');
  await citizen.getByLabel(/Carte bancaire \(démonstration/).check();
  await citizen.getByRole('button', { name: 'Donner' }).click();
  await payDemo(citizen, 'monthly donation');
  await citizen.getByText('est un don mensuel').first().waitFor();
  await checkA11y(citizen, 'monthly donation page');
  await citizen.goto(`${srv.url}/compte/dons`);
  await citizen.getByRole('heading', { level: 2, name: 'Mes dons mensuels' }).waitFor();
  await checkA11y(citizen, 'my donations with a monthly one');
  await citizen.getByRole('button', { name: 'Arrêter le don mensuel' }).first().click();
  await citizen.getByText('Votre don mensuel est arrêté').first().waitFor();
  assert.equal(await citizen.getByRole('button', { name: 'Arrêter le don mensuel' }).count(), 0);
  // A territory without any live campaign: the home page says nothing of them.
  const bare = await startServer({ env: { KIOSQUE_FAST_HASH: '1' } });
  try {
    const visitor = await browser.newPage({ locale: 'fr-FR' });
    assert.equal((await visitor.goto(bare.url + '/')).status(), 200);
    await visitor.locator('h1').waitFor();
    assert.equal(await visitor.locator('#h-campaigns').count(), 0, 'no campaigns section without campaigns');
    assert.equal(await visitor.locator('main a[href^="/soutenir"]').count(), 0);
    await checkA11y(visitor, 'home without campaigns');
  } finally {
    await bare.stop();
  }
  console.log('b0600-support: ok');
} catch (e) {
  console.error(e);
  process.exitCode = 1;
} finally {
  await browser.close();
  await srv.stop();
}
