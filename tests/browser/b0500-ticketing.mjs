// b0500-ticketing.mjs: the whole ticketing path in a real browser, axe-core on every page: an organiser
// publishes a ticketed event and sets up its shop (a price, a quota, a voucher); a guest buys two tickets with
// the voucher and the demo card, opens the order page and the PDF (its QR codes decode back to the tickets);
// the box office scans both at the door (the second scan of the same ticket says "already used") and sees
// the counts.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launch, checkA11y, startServer } from './harness.mjs';

const srv = await startServer({ args: ['--demo'], env: { KIOSQUE_FAST_HASH: '1' } });
const browser = await launch();
const ORG = 'comite-des-fetes-vesqueval';

function daysAhead(days) {
  return new Date(Date.now() + days * 86400000).toISOString().slice(0, 10);
}

async function logIn(page, email) {
  await page.goto(srv.url + '/connexion');
  await page.getByLabel('Adresse e-mail').fill(email);
  await page.getByLabel('Mot de passe').fill('kiosque-demo');
  await page.getByRole('button', { name: 'Me connecter' }).click();
  await page.waitForLoadState();
}

// The QR codes of a PDF, decoded by zbarimg from its pages rendered at 150 dpi.
function pdfCodes(bytes) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiosque-pdf-'));
  try {
    fs.writeFileSync(path.join(dir, 't.pdf'), bytes);
    execFileSync('pdftoppm', ['-png', '-r', '150', path.join(dir, 't.pdf'), path.join(dir, 'p')]);
    const codes = [];
    for (const f of fs.readdirSync(dir).filter((f) => f.endsWith('.png')).sort()) {
      const out = execFileSync('zbarimg', ['--quiet', '--raw', path.join(dir, f)], { encoding: 'utf8' });
      codes.push(...out.split('\n').filter(Boolean));
    }
    return codes;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

let scanner;
try {
  // ---- the organiser publishes a ticketed event
  const org = await (await browser.newContext({ locale: 'fr-FR' })).newPage();
  await logIn(org, 'pierre.vignal@example.org');
  await org.goto(`${srv.url}/organisations/${ORG}/evenements/nouveau`);
  await org.getByLabel('Titre').fill('Bal folk de la Saint-Jean');
  await org.getByLabel('Catégorie').selectOption('concert');
  await org.getByLabel('Jour', { exact: true }).first().fill(daysAhead(20));
  await org.getByLabel('Heure de début').first().fill('20:30');
  await org.getByLabel('Heure de fin').first().fill('23:30');
  await org.getByLabel('Nom du lieu').fill('Salle des fêtes');
  await org.getByLabel('Commune').selectOption('26391');
  await org.getByLabel('Entrée', { exact: true }).selectOption('ticketed');
  await org.getByRole('button', { name: "Enregistrer l'événement" }).click();
  await org.getByRole('heading', { level: 1, name: 'Bal folk de la Saint-Jean' }).waitFor();
  const slug = new URL(org.url()).pathname.split('/')[2];
  assert.ok(slug, org.url());

  // ---- its shop: demo card payments, a price, a quota over it, a voucher
  await org.goto(`${srv.url}/evenements/${slug}/billetterie`);
  await checkA11y(org, 'ticket setup');
  await org.getByLabel('Paiement de démonstration').check();
  await org.getByRole('button', { name: 'Enregistrer', exact: true }).click();
  await org.waitForLoadState();
  await org.getByLabel('Nom du tarif').fill('Plein tarif');
  await org.getByLabel('Prix en euros').fill('12,50');
  await org.getByRole('button', { name: 'Ajouter le tarif' }).click();
  await org.waitForLoadState();
  await checkA11y(org, 'ticket setup with a price');
  await org.getByLabel('Nom de la jauge').fill('Salle');
  await org.getByLabel('Nombre de places').fill('80');
  await org.getByLabel('Plein tarif').check();
  await org.getByRole('button', { name: 'Ajouter la jauge' }).click();
  await org.waitForLoadState();
  const vouchers = org.getByRole('region', { name: 'Codes de réduction' });
  await vouchers.getByLabel('Code (facultatif)').fill('AMIS-DU-BAL');
  await vouchers.getByLabel('Réduction', { exact: true }).selectOption('percent');
  await vouchers.getByLabel('Valeur').fill('20');
  await vouchers.getByRole('button', { name: 'Créer le code' }).click();
  await org.waitForLoadState();
  await org.getByText('AMIS-DU-BAL').first().waitFor();
  await checkA11y(org, 'ticket setup complete');

  // ---- a guest buys two tickets with the voucher
  const guest = await (await browser.newContext({ locale: 'fr-FR' })).newPage();
  await guest.goto(`${srv.url}/evenements/${slug}`);
  await checkA11y(guest, 'event page with tickets');
  await guest.getByLabel(/Plein tarif/).selectOption('2');
  await guest.getByLabel(/Code de réduction/).fill('AMIS-DU-BAL');
  await guest.getByText(/^Participants \(/).click();   // the folded <details>
  await guest.getByLabel('Nom du participant').nth(0).fill('Louise Brun');
  await guest.getByLabel('Nom du participant').nth(1).fill('Malo Brun');
  await guest.getByLabel('Votre nom').fill('Louise Brun');
  await guest.getByLabel('Adresse e-mail').fill('louise.brun@example.org');
  await guest.getByLabel(/Carte bancaire \(démonstration/).check();
  await guest.getByRole('button', { name: /Commander/ }).click();
  await guest.waitForLoadState();
  await checkA11y(guest, 'demo payment page');
  await guest.getByRole('button', { name: /Payer/ }).click();
  await guest.waitForLoadState();
  await guest.getByText('Payée').first().waitFor();
  await checkA11y(guest, 'order page, paid');
  const body = await guest.content();
  assert.ok(body.includes('20,00'), 'two tickets at 12,50 € less 20 % make 20,00 €');
  const qrAlts = await guest.locator('img[alt^="Code QR du billet"]').count();
  assert.equal(qrAlts, 2);

  // ---- the PDF: two pages of tickets whose QR codes decode back to the tickets' codes
  const pdfHref = await guest.getByRole('link', { name: /PDF/ }).getAttribute('href');
  const pdf = await guest.request.get(new URL(pdfHref, guest.url()).href);
  assert.equal(pdf.status(), 200);
  assert.equal(pdf.headers()['content-type'], 'application/pdf');
  const codes = pdfCodes(await pdf.body());
  assert.equal(codes.length, 2, `two QR codes in the PDF: ${codes}`);
  for (const c of codes) assert.ok(body.includes(c), `the order page shows ticket ${c}`);

  // ---- the door
  scanner = await (await browser.newContext({ locale: 'fr-FR' })).newPage();
  await logIn(scanner, 'jeanne.bonnet@example.org');   // the association's box office
  await scanner.goto(`${srv.url}/evenements/${slug}/controle`);
  await checkA11y(scanner, 'door scanner');
  await scanner.getByLabel(/^Porte/).fill('Entrée principale');
  await scanner.getByRole('button', { name: 'Changer de date ou de porte' }).click();
  await scanner.waitForLoadState();
  // The camera cannot run headless; the decoder the page falls back on without BarcodeDetector (jsQR,
  // served from our own origin) must read the ticket's QR code as printed on the order page.
  const qrSrc = await guest.locator('img[alt^="Code QR du billet"]').first().getAttribute('src');
  const jsqr = await scanner.locator('#scanner-camera').getAttribute('data-jsqr');
  assert.ok(jsqr, 'the scanner page names its JS decoder');
  await scanner.addScriptTag({ url: jsqr });
  const decoded = await scanner.evaluate(async (src) => {
    const img = new Image();
    img.src = src;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = 400;
    canvas.height = 400;
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, 400, 400);
    ctx.drawImage(img, 0, 0, 400, 400);
    const data = ctx.getImageData(0, 0, 400, 400);
    const found = window.jsQR(data.data, 400, 400);
    return found ? found.data : null;
  }, new URL(qrSrc, guest.url()).href);
  assert.ok(codes.includes(decoded), `jsQR read ${decoded} from the ticket's QR code`);

  const scan = async (code) => {
    await scanner.getByLabel('Code du billet').fill(code);
    await scanner.getByRole('button', { name: 'Vérifier le billet' }).click();
  };
  const banner = scanner.locator('[aria-live]').first();
  await scan(codes[0]);
  await banner.getByText('Valide : entrée autorisée').waitFor();
  await checkA11y(scanner, 'door scanner, valid ticket');
  await scan(codes[1]);
  await banner.getByText('Valide : entrée autorisée').waitFor();
  await scan(codes[0]);   // the same ticket again
  await banner.getByText('Déjà utilisé : refusé').waitFor();
  assert.match(await banner.innerText(), /Entrée principale/);
  await checkA11y(scanner, 'door scanner, ticket already used');
  await scan('AAAAAAAAAAAAAAAAAAAAAAAAAA');   // a forged code
  await banner.getByText('Code inconnu : refusé').waitFor();
  // Two of the two paid tickets are in.
  await scanner.reload();
  assert.match(await scanner.locator('main').innerText(), /2\s*\/\s*2/);
} catch (e) {
  console.error(e);
  process.exitCode = 1;
} finally {
  await browser.close();
  await srv.stop();
}
