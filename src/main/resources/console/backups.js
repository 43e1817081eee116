import { api, enc } from './api.js';
import { bytes, clear, confirmByName, el, formError, loadInto, stateBadge, table } from './dom.js';
import { begin, open, pollWhile } from './router.js';

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

function createForm(indexName, onCreated) {
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
    let created;
    try {
      created = await api.post(`/indexes/${enc(indexName)}/backups`, body);
    } catch (e) {
      error.textContent = e.message;
      return;
    }
    form.reset();
    await onCreated(created.backup_id);
  });
  return form;
}

// Seeks the last page: what a backup just taken is on, when its id is not known.
const LAST = Symbol('last page');

// The backups of one index (under a form to create one), or of the project when indexName is null, a
// page at a time in the API's order (oldest first), following its pagination tokens. Returns
// { loaded, showNewest(id?) }: the latter turns to the page of a backup just taken, so it is seen and
// followed until Ready or Failed.
export function backupList(container, indexName) {
  const path = indexName === null ? '/backups' : `/indexes/${enc(indexName)}/backups`;
  const area = el('div', { class: 'backup-pages' });
  let at = { token: null, previous: [] };
  // The rows of the page shown, kept through its refreshes while unchanged, so a refresh does not
  // close a "Create index from backup" form being filled in.
  let drawn = { token: undefined, rows: new Map() };

  const show = async (start, before, seek = null) => {
    const current = begin(area);
    let token = start;
    let previous = before;
    let page;
    for (;;) {
      page = await loadInto(area, api.get(`${path}?limit=${PAGE}${token ? `&paginationToken=${enc(token)}` : ''}`), current);
      if (page === null) return;
      const next = page.pagination?.next;
      // The API lists oldest first, so a new backup is on the last page, often not the one shown: read on.
      if (seek === null || !next || page.data.some((b) => b.backup_id === seek)) break;
      previous = [...previous, token];
      token = next;
    }
    // The page emptied by deleting its last backups: the one before it, rather than "No backups".
    if (page.data.length === 0 && previous.length) return show(previous.at(-1), previous.slice(0, -1));
    at = { token, previous };
    const reload = () => show(token, previous);
    const kept = drawn.token === token ? drawn.rows : new Map();
    const rows = new Map(page.data.map((b) => {
      const json = JSON.stringify(b);
      const old = kept.get(b.backup_id);
      return [b.backup_id, old?.json === json ? old : { json, node: row(b, reload) }];
    }));
    drawn = { token, rows };
    const next = page.pagination?.next;
    clear(area,
      table(['Name', 'Description', 'Index', 'Status', 'Records', 'Size', 'Created', 'ID', ''], [...rows.values()].map((r) => r.node),
        indexName === null ? 'No backups yet: open an index in the Indexes tab and create one.' : 'No backups of this index yet: create one above.'),
      el('p', { class: 'pager' },
        previous.length ? el('button', { type: 'button', onclick: () => show(previous.at(-1), previous.slice(0, -1)) }, 'Previous') : null,
        next ? el('button', { type: 'button', class: 'next-page', onclick: () => show(next, [...previous, token]) }, 'Next') : null));
    pollWhile(area, page.data.some((b) => b.status === 'Initializing'), reload);
  };

  const showNewest = (id = LAST) => show(at.token, at.previous, id);
  clear(container, indexName === null ? null : createForm(indexName, showNewest), area);
  return { loaded: show(null, []), showNewest };
}

export async function backupsTab(section) {
  const list = el('div', { class: 'project-backups' });
  clear(section, el('h2', {}, 'Backups'), el('p', {}, 'Every backup of this project, oldest first (the API\'s order).'), list);
  await backupList(list, null).loaded;
}
