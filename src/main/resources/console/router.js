// Tab switching and the one refresh loop of the visible tab: it re-polls while something is still
// changing (a backup Pending, a restore In progress, an index Initializing) and stops when nothing is.
const tabs = {};
let timer = null;

export function register(name, render) { tabs[name] = render; }

export function poll(fn) {
  clearTimeout(timer);
  timer = setTimeout(() => { timer = null; fn(); }, 1000);
}

export function stopPolling() { clearTimeout(timer); }

export function open(tab, ...args) {
  stopPolling();
  for (const name of Object.keys(tabs)) {
    document.getElementById(name).hidden = name !== tab;
    document.querySelector(`#tabs [data-tab="${name}"]`).classList.toggle('active', name === tab);
  }
  return tabs[tab](document.getElementById(tab), ...args);
}
