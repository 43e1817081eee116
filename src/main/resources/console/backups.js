import { api, enc } from './api.js';
import { bytes, clear, confirmByName, el, formError, loadInto, stateBadge, table } from './dom.js';
import { open, poll } from './router.js';

const PAGE = 10;

function restoreForm(backup) {
  const form = el('form', { class: 'restore-form' },
    el('input', { name: 'name', placeholder: 'new index name', required: true, 'aria-label': 'New index name' }),
    el('button', { type: 'submit' }, 'Create index'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const error = formError(form);
    try {
      await api.post(`/backups/${enc(backup.backup_id)}/create-index`, { name: new FormData(form).get('name') });
      await open('restores');
    } catch (e) {
      error.textContent = e.message;
    }
  });
  return form;
}

function row(backup, reload) {
  const actions = el('td', { class: 'actions' });
  const problem = el('span', { class: 'error' });
  if (backup.status === 'Ready') {
    actions.append(el('button', { type: 'button', onclick: (e) => { e.target.replaceWith(restoreForm(backup)); } },
      'Create index from backup'));
  }
  actions.append(el('button', { type: 'button', class: 'danger', onclick: async () => {
    const label = backup.name || backup.backup_id;
    if (!await confirmByName(`Delete backup "${label}" of index "${backup.source_index_name}"?`, label)) return;
    try {
      await api.del(`/backups/${enc(backup.backup_id)}`);
      await reload();
    } catch (e) {
      problem.textContent = e.message;
    }
  } }, 'Delete'), problem);
  return el('tr', { 'data-backup': backup.backup_id },
    el('td', {}, backup.name ?? ''),
    el('td', { class: 'description' }, backup.description ?? ''),
    el('td', {}, backup.source_index_name),
    el('td', { class: 'backup-status' }, stateBadge(backup.status, backup.failure_reason)),
    el('td', {}, backup.record_count === undefined ? '' : String(backup.record_count)),
    el('td', {}, bytes(backup.size_bytes) ?? ''),
    el('td', {}, backup.created_at ?? ''),
    el('td', { class: 'mono' }, backup.backup_id),
    actions);
}

function createForm(indexName, reload) {
  const form = el('form', { class: 'create-backup' },
    el('input', { name: 'name', placeholder: 'backup name', 'aria-label': 'Backup name' }),
    el('input', { name: 'description', placeholder: 'description', 'aria-label': 'Backup description' }),
    el('button', { type: 'submit' }, 'Create backup'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const body = {};
    if (data.get('name')) body.name = data.get('name');
    if (data.get('description')) body.description = data.get('description');
    const error = formError(form);
    error.textContent = '';
    try {
      await api.post(`/indexes/${enc(indexName)}/backups`, body);
      form.reset();
      await reload();
    } catch (e) {
      error.textContent = e.message;
    }
  });
  return form;
}

// The backups of one index, or of the project when indexName is null, a page at a time in the
// API's order, following its pagination tokens.
export async function backupList(container, indexName, token = null, previous = []) {
  const path = indexName === null ? '/backups' : `/indexes/${enc(indexName)}/backups`;
  const reload = () => backupList(container, indexName, token, previous);
  const query = `?limit=${PAGE}${token ? `&paginationToken=${enc(token)}` : ''}`;
  const page = await loadInto(container, api.get(path + query));
  if (page === null) return;
  const next = page.pagination?.next;
  const pager = el('p', { class: 'pager' },
    previous.length ? el('button', { type: 'button', onclick: () => backupList(container, indexName, previous.at(-1), previous.slice(0, -1)) }, 'Previous') : null,
    next ? el('button', { type: 'button', class: 'next-page', onclick: () => backupList(container, indexName, next, [...previous, token]) }, 'Next') : null);
  clear(container,
    indexName === null ? null : createForm(indexName, reload),
    table(['Name', 'Description', 'Index', 'Status', 'Records', 'Size', 'Created', 'ID', ''], page.data.map((b) => row(b, reload)),
      indexName === null ? 'No backups yet: open an index in the Indexes tab and create one.' : 'No backups of this index yet: create one above.'),
    pager);
  if (page.data.some((b) => b.status === 'Initializing')) {
    poll(() => { if (container.isConnected && !container.closest('section').hidden) reload(); });
  }
}

export async function backupsTab(section) {
  const list = el('div', { class: 'project-backups' });
  clear(section, el('h2', {}, 'Backups'), el('p', {}, 'Every backup of this project, oldest first (the API\'s order).'), list);
  await backupList(list, null);
}
