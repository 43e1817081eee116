import { api, enc } from './api.js';
import { clear, confirmByName, el, facts, formError, loadInto, stateBadge, table } from './dom.js';
import { backupList } from './backups.js';
import { scheduleList } from './schedules.js';
import { begin, open, pollWhile } from './router.js';

async function stats(index) {
  const s = await api.data(index.host, '/describe_index_stats', {});
  return { total: s.totalVectorCount ?? s.total_vector_count ?? 0, namespaces: s.namespaces ?? {} };
}

// The list redraws every second while an index is changing; asking every ready index's stats each time
// would be one request per index per second. A count is asked again after 10 s, or when the tab is opened.
const COUNT_FOR_MS = 10_000;
const counts = new Map();

function showCount(index, cell) {
  const known = counts.get(index.name);
  if (known && known.host === index.host && Date.now() - known.at < COUNT_FOR_MS) {
    cell.textContent = known.text;
    return;
  }
  stats(index).then((s) => {
    const text = String(s.total);
    counts.set(index.name, { host: index.host, text, at: Date.now() });
    cell.textContent = text;
  }, (e) => { cell.textContent = e.message; });
}

// Initializing ends by itself; InitializationFailed waits for someone to repair the index's files or
// free its port, so refreshing every second for it would go on for good.
const changing = (index) => !index.status.ready && index.status.state !== 'InitializationFailed';

function shape(index) {
  return index.vector_type === 'sparse' ? `sparse · ${index.metric}` : `${index.dimension} · ${index.metric}`;
}

function createForm(onCreated) {
  const type = el('select', { name: 'vector_type' }, el('option', { value: 'dense' }, 'dense'), el('option', { value: 'sparse' }, 'sparse'));
  const dimension = el('input', { name: 'dimension', type: 'number', min: 1, max: 20000, value: 8 });
  const metric = el('select', { name: 'metric' }, ['cosine', 'euclidean', 'dotproduct'].map((m) => el('option', { value: m }, m)));
  // Mirrors the API's rules: a sparse index has no dimension and uses dotproduct.
  type.addEventListener('change', () => {
    const sparse = type.value === 'sparse';
    dimension.disabled = sparse;
    if (sparse) metric.value = 'dotproduct';
    metric.disabled = sparse;
  });
  const form = el('form', { id: 'create-index', class: 'card' },
    el('h3', {}, 'Create index'),
    el('label', {}, 'Name ', el('input', { name: 'name', required: true, maxlength: 45, pattern: '[a-z0-9]([a-z0-9\\-]*[a-z0-9])?',
      title: 'lowercase letters, digits and hyphens' })),
    el('label', {}, 'Vector type ', type),
    el('label', {}, 'Dimension ', dimension),
    el('label', {}, 'Metric ', metric),
    el('label', {}, el('input', { name: 'deletion_protection', type: 'checkbox' }), ' Deletion protection'),
    el('button', { type: 'submit' }, 'Create'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const body = { name: data.get('name'), vector_type: type.value, metric: metric.value,
      deletion_protection: data.get('deletion_protection') ? 'enabled' : 'disabled',
      spec: { serverless: { cloud: 'aws', region: 'us-east-1' } } };
    if (type.value === 'dense') body.dimension = Number(dimension.value);
    const error = formError(form);
    error.textContent = '';
    try {
      await api.post('/indexes', body);
      form.reset();
      onCreated(body.name);
    } catch (e) {
      error.textContent = e.message;
    }
  });
  return form;
}

export async function indexesTab(section, selected) {
  const list = el('div', { class: 'list' });
  const detail = el('div', { id: 'index-detail' });
  counts.clear();
  clear(section, el('h2', {}, 'Indexes'), createForm((name) => indexesTab(section, name)), list, detail);
  await renderList(section, list);
  if (selected) await renderDetail(section, detail, selected);
}

async function renderList(section, list) {
  const answer = await loadInto(list, api.get('/indexes'), begin(list));
  if (answer === null) return;
  const { indexes } = answer;
  const rows = indexes.map((index) => {
    const count = el('td', { class: 'records' }, '…');
    if (index.status.ready) {
      showCount(index, count);
    } else {
      count.textContent = '—';
    }
    return el('tr', { 'data-index': index.name },
      el('td', {}, el('button', { type: 'button', class: 'link', onclick: () => indexesTab(section, index.name) }, index.name)),
      el('td', {}, stateBadge(index.status.state, index.status.failure_reason)),
      el('td', {}, shape(index)),
      count,
      el('td', { class: 'host' }, index.host));
  });
  clear(list, table(['Name', 'Status', 'Dimension · metric', 'Records', 'Host'], rows,
    'No indexes yet: create one above, or restore one from a backup in the Backups tab.'));
  pollWhile(list, indexes.some(changing), () => renderList(section, list));
}

// Looks at records: the nearest neighbours of a vector given as JSON, or of a record given by id.
function queryBox(index) {
  const results = el('div', { class: 'query-results' });
  const form = el('form', { class: 'query' },
    el('input', { name: 'q', required: true, size: 40, placeholder: 'record id, or a vector like [0.1, 0.2, …]', 'aria-label': 'Record id or vector' }),
    el('input', { name: 'namespace', placeholder: 'namespace', 'aria-label': 'Namespace' }),
    el('label', {}, 'top ', el('input', { name: 'topK', type: 'number', min: 1, max: 1000, value: 10, 'aria-label': 'Top K' })),
    el('button', { type: 'submit' }, 'Query'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const q = String(data.get('q')).trim();
    const body = { topK: Number(data.get('topK')), namespace: data.get('namespace'), includeMetadata: true };
    const error = formError(form);
    error.textContent = '';
    try {
      if (q.startsWith('[')) body.vector = JSON.parse(q);
      else body.id = q;
    } catch (e) {
      error.textContent = `Not a JSON array of numbers: ${e.message}`;
      return;
    }
    try {
      const answer = await api.data(index.host, '/query', body);
      const rows = (answer.matches ?? []).map((m) => el('tr', {}, el('td', {}, m.id), el('td', {}, String(m.score)),
        el('td', { class: 'mono' }, m.metadata ? JSON.stringify(m.metadata) : '')));
      clear(results, table(['Id', 'Score', 'Metadata'], rows, 'No matches.'));
    } catch (e) {
      error.textContent = e.message;
    }
  });
  return [form, results];
}

async function renderDetail(section, detail, name) {
  const index = await loadInto(detail, api.get(`/indexes/${enc(name)}`), begin(detail));
  if (index === null) return;
  // Drawn anew when it turns Ready (stats, a query box), but not every second before: that would
  // throw away what is being typed into its forms.
  const watch = async () => {
    const now = await api.get(`/indexes/${enc(name)}`).catch(() => null);
    if (!detail.isConnected) return;
    if (now === null || now.status.state !== index.status.state) await renderDetail(section, detail, name);
    else pollWhile(detail, true, watch);
  };
  pollWhile(detail, changing(index), watch);
  const nsBody = el('div', {}, el('p', {}, 'Loading stats…'));
  if (index.status.ready) {
    stats(index).then((s) => {
      const rows = Object.entries(s.namespaces).map(([ns, v]) =>
        el('tr', {}, el('td', {}, ns === '' ? '(default)' : ns), el('td', {}, String(v.vectorCount ?? v.vector_count ?? 0))));
      clear(nsBody, el('p', {}, `${s.total} records`), table(['Namespace', 'Records'], rows, 'No records yet: upsert vectors to this index\'s host.'));
    }, (e) => clear(nsBody, el('p', { class: 'error' }, e.message)));
  } else {
    clear(nsBody, el('p', {}, 'The index is not ready yet.'));
  }
  const reload = () => indexesTab(section, name);
  const problem = el('p', { class: 'error', role: 'alert' });
  const patch = async (body, refused = () => {}) => {
    try {
      await api.patch(`/indexes/${enc(name)}`, body);
    } catch (e) {
      refused();
      problem.textContent = e.message;
      return;
    }
    await reload();
  };
  const protection = el('input', { type: 'checkbox', id: 'deletion-protection', checked: index.deletion_protection === 'enabled' });
  protection.addEventListener('change', async () => {
    const enabled = protection.checked;
    // Disabled until answered, and put back if refused: the box always shows what the index has.
    protection.disabled = true;
    await patch({ deletion_protection: enabled ? 'enabled' : 'disabled' }, () => { protection.checked = !enabled; });
    protection.disabled = false;
  });
  const tags = Object.entries(index.tags ?? {});
  const tagRows = tags.map(([k, v]) => el('tr', {}, el('td', {}, k), el('td', { class: 'tag-value' }, v),
    el('td', {}, el('button', { type: 'button', onclick: () => patch({ tags: { [k]: '' } }) }, 'Remove'))));
  const tagForm = el('form', { id: 'add-tag' }, el('input', { name: 'key', placeholder: 'key', required: true }),
    el('input', { name: 'value', placeholder: 'value', required: true }), el('button', { type: 'submit' }, 'Add tag'));
  tagForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(tagForm);
    patch({ tags: { [data.get('key')]: data.get('value') } });
  });
  const remove = el('button', { type: 'button', class: 'danger', id: 'delete-index', onclick: async () => {
    if (!await confirmByName(`Delete index "${name}" and all its records? Its backups are kept.`, name)) return;
    try {
      await api.del(`/indexes/${enc(name)}`);
      await open('indexes');
    } catch (e) {
      problem.textContent = e.message;
    }
  } }, 'Delete index');
  const backups = el('div', { class: 'index-backups' });
  const schedules = el('div', { class: 'index-schedules' });
  clear(detail, el('article', { class: 'card', 'data-detail': name },
    el('h3', {}, `Index ${name}`),
    problem,
    facts([['Status', stateBadge(index.status.state, index.status.failure_reason)], ['Vector type', index.vector_type], ['Dimension', index.dimension],
      ['Metric', index.metric], ['Host', index.host], ['Cloud', `${index.spec?.serverless?.cloud} / ${index.spec?.serverless?.region}`],
      ['Deletion protection', el('label', {}, protection, ' enabled')]]),
    el('h4', {}, 'Namespaces'), nsBody,
    el('h4', {}, 'Look at records'), index.status.ready && index.vector_type === 'dense' ? queryBox(index) : el('p', { class: 'empty' },
      index.vector_type === 'dense' ? 'The index is not ready yet.' : 'Query a sparse index with an SDK or its REST API.'),
    el('h4', {}, 'Tags'), table(['Key', 'Value', ''], tagRows, 'No tags.'), tagForm,
    el('h4', {}, 'Backups'), backups,
    el('h4', {}, 'Backup schedules'), schedules,
    el('p', {}, remove)));
  const backupView = backupList(backups, name);
  // Enabling a schedule takes a backup at once: show it.
  await Promise.all([backupView.loaded, scheduleList(schedules, name, () => backupView.showNewest())]);
}
