// The verify page of Amparo: reads the letter's credential from the URL
// fragment, checks it in this browser against the signed trust list and
// status list (credential.js), and shows the result. The fragment is never
// sent anywhere: the only requests are for the signed lists, which are the
// same for everyone.

import { Verifier, verifyTrustList, unhex } from './credential.js';

const page = document.getElementById('verify');
const result = document.getElementById('result');
const offline = document.getElementById('offline');
const rootKey = unhex(page.dataset.rootKey || '');
const lang = document.documentElement.lang || 'en';

// Strings come from the rendered page (locale/*.json on the server).
const T = {};
for (const s of document.querySelectorAll('#verify-strings [data-key]')) T[s.dataset.key] = s.textContent;

function h(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  e.append(...children.filter((c) => c !== null && c !== undefined));
  return e;
}

const fill = (s, args) => s.replace(/\{(\w+)\}/g, (m, k) => (k in args ? args[k] : m));
const dateTime = (sec) => new Intl.DateTimeFormat(lang, { dateStyle: 'long', timeStyle: 'short' }).format(new Date(sec * 1000));

// A letter is valid through the end of its last day in the program's time
// zone (docs/credential.md): its expiry is the midnight that ends that day.
// The page prints that day there, whatever zone this browser is in.
const timeZone = page.dataset.timeZone || 'UTC';
function lastDay(sec) {
  const d = new Date(sec * 1000 - 1);
  const fmt = (zone) => [
    new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit', timeZone: zone }).format(d),
    new Intl.DateTimeFormat(lang, { dateStyle: 'long', timeZone: zone }).format(d),
  ];
  let iso, text;
  try {
    [iso, text] = fmt(timeZone);
  } catch (e) {
    [iso, text] = fmt('UTC');
  }
  return h('time', { datetime: iso, id: 'last-day' }, text);
}

function age(sec, now) {
  const d = Math.max(0, now - sec);
  const [n, unit] = d < 3600 ? [Math.round(d / 60), 'minute'] : d < 2 * 86400 ? [Math.round(d / 3600), 'hour'] : [Math.round(d / 86400), 'day'];
  return new Intl.RelativeTimeFormat(lang, { numeric: 'auto' }).format(-n, unit);
}

// Lists are revalidated on every check (a 304 costs little): a revocation
// shows as soon as the server has it, whatever the HTTP cache holds.
async function fetchBytes(url) {
  const res = await fetch(url, { credentials: 'omit', cache: 'no-cache' });
  if (res.status === 404) return null;
  if (!res.ok) throw new Error('HTTP ' + res.status);
  return new Uint8Array(await res.arrayBuffer());
}

function show(...nodes) {
  result.replaceChildren(...nodes);
}

const VERDICT_CLASS = { valid: 'ok', expired: 'warn' };

function render(r, now) {
  const word = T['status.' + r.status];
  document.title = word + ' — ' + document.title.replace(/^.* — /, '');
  const nodes = [
    h('div', { class: 'verdict verdict-' + (VERDICT_CLASS[r.status] || 'bad'), 'data-status': r.status },
      h('h2', { id: 'verdict' }, word),
      h('p', {}, T['explain.' + r.status])),
  ];
  const tel = (phone) => h('a', { href: 'tel:' + phone.replace(/[^0-9+]/g, ''), class: 'tel' }, phone);
  const row = (key, ...value) => [h('dt', {}, T[key]), h('dd', {}, ...value)];
  const c = r.claims;
  const c2 = r.claimsV2;
  if (c) {
    nodes.push(h('dl', { class: 'claims' },
      ...row('member', c.memberName),
      ...(c.barNumber ? row('bar', c.barJurisdiction + ' ' + c.barNumber) : row('accreditation', c.organization + ' · ' + c.accreditation)),
      ...row('phone', tel(c.phone)),
      ...row('client', c.clientName),
      ...row('valid_until', lastDay(c.expires)),
      ...row('issuer', r.issuer)));
  } else if (c2) {
    // Version 2: the member and the number to call come from the
    // organization's signed roster; a member who is no longer active is
    // named, with the organization's number, never their old one.
    const m = r.member;
    const rows = [];
    if (m) {
      rows.push(...row('member', h('span', { id: 'member-name' }, m.name)));
      rows.push(...(m.barNumber ? row('bar', m.barJurisdiction + ' ' + m.barNumber) : row('accreditation', m.organization + ' · ' + m.accreditation)));
    }
    if (r.memberNotice === '' && r.contact) rows.push(...row('phone', tel(r.contact)));
    else if (r.contact) rows.push(...row('org_phone', tel(r.contact)));
    rows.push(...row('client', c2.clientName), ...row('valid_until', lastDay(c2.expires)), ...row('issuer', r.issuer));
    if (r.memberNotice) {
      const notice = fill(T['notice.' + r.memberNotice], { name: m ? m.name : '' });
      const what = r.memberNotice === 'no_roster' ? '' : r.contact ? T.notice_call_org : T.notice_no_org_phone;
      nodes.push(h('p', { class: 'member-notice warning', id: 'member-notice', 'data-notice': r.memberNotice }, notice + (what ? ' ' + what : '')));
    }
    nodes.push(h('dl', { class: 'claims' }, ...rows));
  }
  if (c || c2) {
    if (r.statusListAsOf !== null) {
      nodes.push(h('p', { class: 'as-of' }, fill(T.as_of, { date: dateTime(r.statusListAsOf), age: age(r.statusListAsOf, now) })));
    } else if (r.status === 'valid') {
      nodes.push(h('p', { class: 'as-of warning' }, T.no_status));
    }
  } else if (r.status === 'not_genuine') {
    nodes.push(h('p', { class: 'what-to-do' }, T.what_to_do));
  }
  nodes.push(h('p', { class: 'checked' }, fill(T.checked_at, { time: dateTime(now) })));
  show(...nodes);
}

// The language links reload the page in another language: they keep the
// fragment (which the browser still does not send).
function keepFragment() {
  for (const a of document.querySelectorAll('a[hreflang]')) {
    const u = new URL(a.href);
    u.hash = location.hash;
    a.href = u.href;
  }
}

let runs = 0;

async function check() {
  const run = ++runs;
  keepFragment();
  const used = ['/v/trust'];
  if (location.hash.length <= 1) {
    show(h('p', { class: 'nocode' }, T.nocode));
    return used;
  }
  show(h('p', { class: 'checking' }, T.checking));
  let verifier;
  try {
    verifier = new Verifier(await verifyTrustList(await fetchBytes('/v/trust'), rootKey));
  } catch (e) {
    if (run === runs) show(h('p', { class: 'error' }, T.no_trust));
    return used;
  }
  const now = Date.now() / 1000;
  const r = await verifier.verify(location.href, now, (org, list) => {
    const url = '/v/status/' + encodeURIComponent(org) + '/' + list;
    used.push(url);
    return fetchBytes(url);
  }, (org) => {
    const url = '/v/roster/' + encodeURIComponent(org);
    used.push(url);
    return fetchBytes(url);
  });
  if (run === runs) render(r, now);
  return used;
}

// After a check, the service worker keeps the page, its scripts and the
// lists just used, so that the next letter can be checked offline.
async function keepForOffline(urls) {
  if (!('serviceWorker' in navigator)) return;
  try {
    await navigator.serviceWorker.register('/v/sw.js', { scope: '/v' });
    const reg = await navigator.serviceWorker.ready;
    const saved = await new Promise((resolve) => {
      const ch = new MessageChannel();
      ch.port1.onmessage = (e) => resolve(e.data === 'saved');
      reg.active.postMessage({ save: urls }, [ch.port2]);
    });
    if (saved) {
      offline.textContent = T.offline_ready;
      offline.hidden = false;
      page.dataset.offline = 'ready';
    }
  } catch (e) {
    // Working offline is a convenience; the check itself is done.
  }
}

// The check needs WebCrypto (SHA-256, SHA-512, Ed25519) and a service
// worker, which browsers give only to secure contexts: https, or localhost.
const secure = window.isSecureContext && !!(window.crypto && window.crypto.subtle);

async function main() {
  if (!secure) {
    keepFragment();
    show(h('p', { class: 'error', id: 'insecure' }, T.insecure));
    return;
  }
  try {
    await keepForOffline(await check());
  } catch (e) {
    show(h('p', { class: 'error' }, T.unsupported));
  }
}

window.addEventListener('hashchange', main);
main();
