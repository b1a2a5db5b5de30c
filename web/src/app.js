// Starts a page: loads the catalog in the page's language, draws the header and footer,
// then runs the page's module (web/src/pages/<page>.js) with the main element.

import { loadCatalog, t } from './i18n.js';
import { header, html, render } from './ui.js';
import { problemText } from './forms.js';

const page = document.querySelector('script[data-page]').dataset.page;
const main = document.getElementById('main');

try {
  await loadCatalog(document.documentElement.lang);
  header();
  main.textContent = '';
  const mod = await import(`./pages/${page}.js`);
  await mod.default(main);
} catch (err) {
  console.warn(err);
  render(html`<div class="notice error" role="alert"><p>${err.problem ? problemText(err) : t('ui.error_unknown')}</p>
    <p><a href=${location.pathname}>${t('ui.reload')}</a></p></div>`, main);
}
