import { api, session } from './api.js';
import { indexesTab } from './indexes.js';
import { backupsTab } from './backups.js';
import { restoresTab } from './restores.js';
import { open, register, stopPolling } from './router.js';

register('indexes', indexesTab);
register('backups', backupsTab);
register('restores', restoresTab);
const signin = document.getElementById('signin');
const nav = document.getElementById('tabs');

function showSignIn(message) {
  stopPolling();
  nav.hidden = true;
  for (const section of document.querySelectorAll('section.tab')) section.hidden = true;
  signin.hidden = false;
  document.getElementById('signin-error').textContent = message || '';
}

async function enter() {
  signin.hidden = true;
  nav.hidden = false;
  await open('indexes');
}

document.getElementById('signin-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const input = document.getElementById('api-key');
  session.set(input.value);
  try {
    await api.get('/indexes');
    input.value = '';
    await enter();
  } catch (e) {
    session.clear();
    showSignIn(e.message);
  }
});

document.getElementById('sign-out').addEventListener('click', () => { session.clear(); showSignIn(); });
for (const button of nav.querySelectorAll('[data-tab]')) {
  button.addEventListener('click', () => open(button.dataset.tab));
}

const config = await (await fetch('config.json', { cache: 'no-store' })).json();
if (!config.api_key_required || session.key() !== null) {
  document.getElementById('sign-out').hidden = !config.api_key_required;
  try {
    await api.get('/indexes');
    await enter();
  } catch (e) {
    session.clear();
    showSignIn(e.message);
  }
} else {
  showSignIn();
}
