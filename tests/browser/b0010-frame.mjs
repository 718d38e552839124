// b0010-frame.mjs: the site's frame for a visitor: every section, error page, English, large text,
// a 320 px phone and the keyboard, with axe-core on every page visited.
import assert from 'node:assert/strict';
import { launch, checkA11y, startServer } from './harness.mjs';

const srv = await startServer({ args: ['--demo'] });
const browser = await launch();
try {
  const page = await browser.newPage({ locale: 'fr-FR' });
  const sections = ['/', '/actualites', '/evenements', '/annuaire', '/soutenir', '/adhesions', '/nous-contacter'];
  for (const path of sections) {
    const resp = await page.goto(srv.url + path);
    assert.equal(resp.status(), 200, path);
    assert.equal(await page.locator('h1').count(), 1, `one h1 on ${path}`);
    await checkA11y(page, path);
  }

  // The 404 page says what happened and offers a way back.
  const resp = await page.goto(srv.url + '/page-qui-n-existe-pas');
  assert.equal(resp.status(), 404);
  await page.getByRole('link', { name: "Revenir à l'accueil" }).waitFor();
  await checkA11y(page, '404');

  // Keyboard: the first Tab reaches the skip link, which leads to the main content.
  await page.goto(srv.url + '/');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.className), 'skip-link');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'main');

  // English through the switch, remembered on the next page.
  await page.getByRole('button', { name: 'English' }).click();
  await page.waitForLoadState();
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  await page.goto(srv.url + '/annuaire');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  await checkA11y(page, 'directory in English');
  await page.getByRole('button', { name: 'Français' }).click();
  await page.waitForLoadState();

  // Large text, remembered, and still no horizontal scrolling on a 320 px phone.
  await page.getByRole('button', { name: 'Grands caractères' }).click();
  await page.waitForLoadState();
  assert.match((await page.getAttribute('html', 'class')) ?? '', /large-text/);
  await page.setViewportSize({ width: 320, height: 640 });
  for (const path of sections) {
    await page.goto(srv.url + path);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `no horizontal scroll at 320px on ${path} (overflow ${overflow}px)`);
    await checkA11y(page, `${path} at 320px, large text`);
  }
  console.log('b0010-frame: ok');
} finally {
  await browser.close();
  await srv.stop();
}
