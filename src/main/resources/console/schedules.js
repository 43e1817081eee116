import { api, enc } from './api.js';
import { clear, confirmByName, el, formError, loadInto, stateBadge, table } from './dom.js';

// Backup schedules exist from API version 2026-07 on.
const V = '2026-07';

async function history(schedule, cell) {
  const page = await loadInto(cell, api.get(`/backup-schedules/${enc(schedule.schedule_id)}/history?limit=20`, V));
  if (page === null) return;
  clear(cell, table(['Backup', 'Status', 'Created'], page.data.map((h) =>
    el('tr', {}, el('td', {}, h.name ?? h.backup_id ?? ''), el('td', {}, stateBadge(h.status)), el('td', {}, h.created_at ?? ''))),
  'No runs yet.'));
}

function frequencySelect(value) {
  const select = el('select', { name: 'frequency', 'aria-label': 'Frequency' },
    ['daily', 'weekly', 'monthly'].map((f) => el('option', { value: f }, f)));
  select.value = value;
  return select;
}

function daysInput(value) {
  return el('input', { name: 'days', type: 'number', min: 1, value, 'aria-label': 'Retention days' });
}

// onEnabled: called once a schedule is enabled again, which takes a backup at once.
export async function scheduleList(container, indexName, onEnabled = () => {}) {
  const reload = () => scheduleList(container, indexName, onEnabled);
  const page = await loadInto(container, api.get(`/indexes/${enc(indexName)}/backup-schedules?limit=100`, V));
  if (page === null) return;
  const problem = el('p', { class: 'error', role: 'alert' });
  const act = async (fn, refused = () => {}) => {
    try {
      await fn();
    } catch (e) {
      refused();
      problem.textContent = e.message;
      return false;
    }
    await reload();
    return true;
  };
  const rows = page.data.flatMap((s) => {
    const more = el('td', { colspan: 6 });
    const details = el('tr', { hidden: true }, more);
    const frequency = frequencySelect(s.frequency);
    const days = daysInput(s.retention_expire_after_days);
    const save = () => act(() => api.patch(`/backup-schedules/${enc(s.schedule_id)}`,
      { frequency: frequency.value, retention: { expire_after_days: Number(days.value) } }, V));
    const enabled = el('input', { type: 'checkbox', checked: s.enabled });
    enabled.addEventListener('change', async () => {
      const on = enabled.checked;
      // Disabled until answered, and put back if refused (another schedule of the index is enabled):
      // the box always shows what the schedule is.
      enabled.disabled = true;
      const done = await act(() => api.patch(`/backup-schedules/${enc(s.schedule_id)}`, { enabled: on }, V),
        () => { enabled.checked = !on; });
      enabled.disabled = false;
      if (done && on) onEnabled();
    });
    return [el('tr', { 'data-schedule': s.schedule_id },
      el('td', {}, s.name), el('td', {}, frequency), el('td', {}, days, ' days'),
      el('td', {}, s.enabled ? (s.next_scheduled_run ?? '') : 'disabled'),
      el('td', {}, el('label', {}, enabled, ' enabled')),
      el('td', {},
        el('button', { type: 'button', class: 'save', onclick: save }, 'Save'),
        el('button', { type: 'button', onclick: () => { details.hidden = !details.hidden; if (!details.hidden) history(s, more); } }, 'History'),
        el('button', { type: 'button', class: 'danger', onclick: async () => {
          if (await confirmByName(`Delete backup schedule "${s.name}"? Its backups are kept.`, s.name)) {
            act(() => api.del(`/backup-schedules/${enc(s.schedule_id)}`, V));
          }
        } }, 'Delete'))), details];
  });
  const form = el('form', { class: 'create-schedule' },
    el('input', { name: 'name', placeholder: 'schedule name', required: true, 'aria-label': 'Schedule name' }),
    frequencySelect('daily'),
    el('label', {}, 'keep ', daysInput(7), ' days'),
    el('button', { type: 'submit' }, 'Create schedule'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    try {
      await api.post(`/indexes/${enc(indexName)}/backup-schedules`, { name: data.get('name'),
        schedule: { type: 'time-based', frequency: data.get('frequency') },
        retention: { expire_after_days: Number(data.get('days')) } }, V);
      await reload();
    } catch (e) {
      formError(form).textContent = e.message;
    }
  });
  clear(container, form, problem, table(['Name', 'Frequency', 'Retention', 'Next run', 'State', ''], rows,
    'No schedules: create one to back this index up automatically.'));
}
