// Builds elements from data as text only: strings from the API never become markup.
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else if (name === 'class') node.className = value;
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function clear(node, ...children) {
  node.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

// A definition list of label/value pairs, rendered as text.
export function facts(pairs) {
  return el('dl', { class: 'facts' }, pairs.filter(([, v]) => v !== undefined && v !== null)
    .flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v instanceof Node ? v : String(v))]));
}

export function table(headings, rows, emptyText) {
  if (rows.length === 0) return el('p', { class: 'empty' }, emptyText);
  return el('table', {}, el('thead', {}, el('tr', {}, headings.map((h) => el('th', {}, h)))),
    el('tbody', {}, rows));
}

// The answer of a request, or null after showing the server's error in place of the container's
// content; also null, drawing nothing, once current() says a newer drawing of the container began.
export async function loadInto(container, request, current = () => true) {
  try {
    const answer = await request;
    return current() ? answer : null;
  } catch (e) {
    if (current()) clear(container, el('p', { class: 'error' }, e.message));
    return null;
  }
}

export function stateBadge(state, reason) {
  return el('span', { class: `state state-${String(state).toLowerCase()}`, title: reason || null }, state,
    reason ? ` — ${reason}` : null);
}

export function formError(form) {
  let p = form.querySelector('.error');
  if (!p) { p = el('p', { class: 'error', role: 'alert' }); form.append(p); }
  return p;
}

// Asks for confirmation by typing the name of what is deleted; resolves true only when confirmed.
export function confirmByName(message, name) {
  const dialog = document.getElementById('confirm');
  const input = document.getElementById('confirm-input');
  const ok = document.getElementById('confirm-ok');
  document.getElementById('confirm-message').textContent = message;
  document.getElementById('confirm-expected').textContent = name;
  input.value = '';
  ok.disabled = true;
  input.oninput = () => { ok.disabled = input.value !== name; };
  return new Promise((resolve) => {
    dialog.onclose = () => resolve(dialog.returnValue === 'ok' && input.value === name);
    dialog.returnValue = '';
    dialog.showModal();
    input.focus();
  });
}

export function bytes(n) {
  if (n === undefined || n === null) return null;
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}
