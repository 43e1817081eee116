import { api, enc } from './api.js';
import { clear, el, loadInto, stateBadge, table } from './dom.js';
import { begin, open, pollWhile } from './router.js';

const DONE = new Set(['Completed', 'Failed']);
// Requests ask for the API's largest page, so reaching the newest jobs takes the fewest of them.
const FETCH = 100;
const PAGE = 20;

export async function restoresTab(section) {
  const list = el('div', { class: 'restore-jobs' });
  clear(section, el('h2', {}, 'Restores'), el('p', {}, 'Every restore job of this project, newest first.'), list);
  await jobList(list).refresh();
}

// The API lists jobs oldest first and keeps every one, so the newest (the one just started) are on
// its last page: the list is read to the end once, then each refresh reads on from the token of the
// last page read, where new jobs appear, and asks for the jobs shown still running one by one.
function jobList(list) {
  const jobs = new Map(); // by id, oldest first as read
  let tail = null; // the token that read the last page (null: it was the first)
  let offset = 0; // jobs skipped from the newest: the page shown

  const readFrom = async (start) => {
    const read = [];
    let token = start;
    for (;;) {
      const page = await api.get(`/restore-jobs?limit=${FETCH}${token ? `&paginationToken=${enc(token)}` : ''}`);
      read.push(...page.data);
      if (!page.pagination?.next) return { read, last: token };
      token = page.pagination.next;
    }
  };

  const newestFirst = () => [...jobs.values()].reverse();

  const refresh = async () => {
    const current = begin(list);
    const running = newestFirst().slice(offset, offset + PAGE).filter((j) => !DONE.has(j.status));
    const answer = await loadInto(list, (async () => {
      const { read, last } = await readFrom(tail);
      const fresh = new Set(read.map((j) => j.restore_job_id));
      const described = await Promise.all(running.filter((j) => !fresh.has(j.restore_job_id))
        .map((j) => api.get(`/restore-jobs/${enc(j.restore_job_id)}`)));
      return { read, last, described };
    })(), current);
    if (answer === null) return;
    for (const job of [...answer.read, ...answer.described]) jobs.set(job.restore_job_id, job);
    tail = answer.last;
    draw();
  };

  const turn = (by) => { offset += by; refresh(); };

  const draw = () => {
    const all = newestFirst();
    const shown = all.slice(offset, offset + PAGE);
    const rows = shown.map((job) => el('tr', { 'data-job': job.restore_job_id },
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
      'No restore jobs yet: pick a Ready backup in the Backups tab and choose "Create index from backup".'),
    el('p', { class: 'pager' },
      offset > 0 ? el('button', { type: 'button', class: 'newer', onclick: () => turn(-PAGE) }, 'Newer') : null,
      offset + PAGE < all.length ? el('button', { type: 'button', class: 'older', onclick: () => turn(PAGE) }, 'Older') : null));
    pollWhile(list, shown.some((j) => !DONE.has(j.status)), refresh);
  };

  return { refresh };
}
