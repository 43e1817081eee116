import { api } from './api.js';
import { clear, el, loadInto, stateBadge, table } from './dom.js';
import { open, poll } from './router.js';

const DONE = new Set(['Completed', 'Failed']);

export async function restoresTab(section) {
  const list = el('div', { class: 'restore-jobs' });
  clear(section, el('h2', {}, 'Restores'), list);
  await renderJobs(section, list);
}

async function renderJobs(section, list) {
  const page = await loadInto(list, api.get('/restore-jobs?limit=100'));
  if (page === null) return;
  const jobs = page.data;
  const rows = jobs.map((job) => el('tr', { 'data-job': job.restore_job_id },
    el('td', {}, job.status === 'Completed'
      ? el('button', { type: 'button', class: 'link', onclick: () => open('indexes', job.target_index_name) }, job.target_index_name)
      : job.target_index_name),
    el('td', { class: 'job-status' }, stateBadge(job.status, job.failure_reason)),
    el('td', {}, el('progress', { max: 100, value: job.percent_complete ?? 0 }),
      el('span', { class: 'percent' }, ` ${Math.floor(job.percent_complete ?? 0)}%`)),
    el('td', { class: 'mono' }, job.backup_id),
    el('td', {}, job.created_at ?? ''),
    el('td', {}, job.completed_at ?? '')));
  clear(list, table(['New index', 'Status', 'Progress', 'Backup', 'Started', 'Completed'], rows,
    'No restore jobs yet: pick a Ready backup in the Backups tab and choose "Create index from backup".'));
  if (jobs.some((j) => !DONE.has(j.status))) {
    poll(() => { if (!section.hidden) renderJobs(section, list); });
  }
}
