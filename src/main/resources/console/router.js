// Tab switching, and the refreshing of views that show something still changing by itself (a backup
// Initializing, a restore running, an index Initializing). A view is the element it draws into: each
// has its own timer, so a view on the same tab (the index list and an index's backups) never cancels
// another's refresh, and a view whose element has left the page (drawn anew, or its tab closed) is
// not refreshed again.
const tabs = {};
const timers = new Map();
const latest = new WeakMap();

export function register(name, render) { tabs[name] = render; }

// Called by each drawing of a view: while it shows something that changes by itself, refresh it in a
// second (in place of whatever refresh it had pending, e.g. of another page of it); else stop.
export function pollWhile(view, changing, refresh) {
  for (const [other, timer] of timers) {
    if (!other.isConnected) { clearTimeout(timer); timers.delete(other); }
  }
  clearTimeout(timers.get(view));
  timers.delete(view);
  if (!changing || !view.isConnected) return;
  timers.set(view, setTimeout(() => {
    timers.delete(view);
    if (view.isConnected && !view.closest('section').hidden) refresh();
  }, 1000));
}

// Drawings of one view can overlap (a refresh still waiting for the server when the user pages on):
// the answer of the older one must not draw over the newer. Returns a test of "still the latest".
export function begin(view) {
  const ticket = (latest.get(view) ?? 0) + 1;
  latest.set(view, ticket);
  return () => latest.get(view) === ticket && view.isConnected;
}

export function stopPolling() {
  for (const timer of timers.values()) clearTimeout(timer);
  timers.clear();
}

export function open(tab, ...args) {
  stopPolling();
  for (const name of Object.keys(tabs)) {
    document.getElementById(name).hidden = name !== tab;
    document.querySelector(`#tabs [data-tab="${name}"]`).classList.toggle('active', name === tab);
  }
  return tabs[tab](document.getElementById(tab), ...args);
}
