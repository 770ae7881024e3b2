// A verifier of Amparo letter credentials, written from docs/credential.md
// (sections 1–7 and part II): base32 QR text, version 1 (COSE_Sign1 with
// Ed25519, deterministic CBOR claims) and version 2 (compact framing, a
// member reference), the signed trust list, signed status lists and the
// organizations' signed rosters. For the same
// input it gives the same result as the Go reference, credential.Verifier;
// TestVerifyJS_SameAsGo in web/verify_test.go holds the two together.
//
// It touches no DOM and sends nothing anywhere: status lists come from a
// function the caller passes in.

import { Rejected, decode, encode, equal, fields } from './cbor.js';
import { Point, verifyAsync as nobleVerify } from './noble-ed25519.js';

export { Rejected };
export const MAX_QR_TEXT = 2048;
const MIN_LIST_BYTES = 131072 / 8;
const MAX_LIST_BYTES = (1 << 24) / 8;
const TWO32 = 2 ** 32;
const REVOKED_KEY = 3;

const utf8 = (s) => new TextEncoder().encode(s);
const AAD_LETTER = utf8('amparo letter v1');
const AAD_TRUST = utf8('amparo trust list v1');
const AAD_STATUS = utf8('amparo status list v1');
const AAD_ROSTER = utf8('amparo roster v1');
const DOMAIN_LETTER_V2 = utf8('amparo letter v2');
const MAX_ROSTER_BYTES = 1 << 20;
const MAX_ROSTER_MEMBERS = 5000;
const MEMBER_STATES = { 1: 'active', 2: 'left', 3: 'suspended' };

export const hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
export const unhex = (s) => Uint8Array.from(s.match(/../g) || [], (x) => parseInt(x, 16));

// Section 1: the credential is what follows the last '#'.
export function parseQR(text) {
  if (utf8(text).length > MAX_QR_TEXT) throw new Rejected('QR text too long');
  const cred = text.slice(text.lastIndexOf('#') + 1);
  if (cred === '') throw new Rejected('no credential after #');
  return decodeBase32(cred);
}

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function decodeBase32(s) {
  if ([1, 3, 6].includes(s.length % 8)) throw new Rejected('base32 length');
  const out = new Uint8Array(Math.floor((s.length * 5) / 8));
  let acc = 0, bits = 0, n = 0;
  for (let i = 0; i < s.length; i++) {
    const v = B32.indexOf(s[i]);
    if (v < 0) throw new Rejected('not base32');
    acc = ((acc << 5) | v) & 0x1fff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = (acc >> bits) & 0xff;
    }
  }
  if (acc & ((1 << bits) - 1)) throw new Rejected('non-zero padding bits');
  return out.subarray(0, n);
}

// Section 2: the only layout accepted is
// 84 4d a2 01 27 04 48 <kid:8> a0 <bstr payload> 58 40 <signature:64>.
const PREFIX = [0x84, 0x4d, 0xa2, 0x01, 0x27, 0x04, 0x48];

export function decodeSign1(b) {
  const head = PREFIX.length + 8 + 1;
  if (b.length < head || PREFIX.some((x, i) => b[i] !== x) || b[head - 1] !== 0xa0) {
    throw new Rejected('not a COSE_Sign1 in the expected form');
  }
  const m = { protected: b.subarray(2, 15), kid: hex(b.subarray(7, 15)) };
  let rest;
  [m.payload, rest] = readBstr(b.subarray(head));
  [m.signature, rest] = readBstr(rest);
  if (m.signature.length !== 64 || rest.length !== 0) throw new Rejected('bad signature or trailing bytes');
  return m;
}

const BSTR_HEAD = { 24: [2, 24], 25: [3, 1 << 8], 26: [5, 1 << 16] };

function readBstr(b) {
  if (b.length === 0 || b[0] >> 5 !== 2) throw new Rejected('want a byte string');
  let n = b[0] & 0x1f, hl = 1;
  if (n >= 24) {
    const [len, min] = BSTR_HEAD[n] || [];
    if (!len || b.length < len) throw new Rejected('byte string length');
    hl = len;
    n = 0;
    for (let i = 1; i < hl; i++) n = n * 256 + b[i];
    if (n < min) throw new Rejected('byte string length not in shortest form');
  }
  if (n > b.length - hl) throw new Rejected('byte string past the end');
  return [b.subarray(hl, hl + n), b.subarray(hl + n)];
}

// sigStructure is ["Signature1", protected, external_aad, payload].
function sigStructure(m, aad) {
  const bstr = (s) => {
    const h = encode(s.length);
    h[0] |= 0x40;
    return [...h, ...s];
  };
  return Uint8Array.from([0x84, 0x6a, ...utf8('Signature1'), ...bstr(m.protected), ...bstr(aad), ...bstr(m.payload)]);
}

// Signatures are checked with WebCrypto's Ed25519 where the browser has it,
// and with the vendored @noble/ed25519 (web/static/VENDOR.md) otherwise.
// Both need a secure context (https, or localhost): noble hashes with
// WebCrypto's SHA-512, and the page refuses to run anywhere else.
//
// Go's crypto/ed25519, the reference, is cofactorless and compares R as
// bytes; noble in its strict mode (zip215: false) is cofactored and
// rejects non-canonical R and small-order keys. The trust list carries
// only canonical keys of the prime-order subgroup (section 5), and with
// such a key and a canonical R free of torsion the two equations accept
// exactly the same signatures: so the fallback also requires R to be
// torsion-free, which rules out the one kind of signature (crafted by the
// key's holder) on which they would differ.
let webCrypto;

async function hasWebCryptoEd25519() {
  if (webCrypto === undefined) {
    try {
      const basePoint = new Uint8Array(32).fill(0x66);
      basePoint[0] = 0x58;
      await crypto.subtle.importKey('raw', basePoint, { name: 'Ed25519' }, false, ['verify']);
      webCrypto = true;
    } catch (e) {
      webCrypto = false;
    }
  }
  return webCrypto;
}

// canonicalKey says whether pub is a key a trust list may carry: the
// canonical encoding of a point of the prime-order subgroup (credential/trust.go).
export function canonicalKey(pub) {
  try {
    const p = Point.fromBytes(pub, false);
    return equal(p.toBytes(), pub) && !p.isSmallOrder() && p.isTorsionFree();
  } catch (e) {
    return false;
  }
}

async function nobleVerifies(pub, msg, sig) {
  try {
    if (!(await nobleVerify(sig, msg, pub, { zip215: false }))) return false;
    return Point.fromBytes(sig.subarray(0, 32), false).isTorsionFree();
  } catch (e) {
    return false;
  }
}

export async function verifySignature(pub, msg, sig) {
  if (pub.length !== 32 || sig.length !== 64) return false;
  if (await hasWebCryptoEd25519()) {
    try {
      const key = await crypto.subtle.importKey('raw', pub, { name: 'Ed25519' }, false, ['verify']);
      return await crypto.subtle.verify({ name: 'Ed25519' }, key, sig, msg);
    } catch (e) {
      return false;
    }
  }
  return nobleVerifies(pub, msg, sig);
}

export async function keyID(pub) {
  return hex(new Uint8Array(await crypto.subtle.digest('SHA-256', pub)).subarray(0, 8));
}

// Text rules (sections 3 and 5) as Go's unicode.IsPrint and
// strings.TrimSpace apply them: letters, marks, numbers, punctuation,
// symbols and the ASCII space; no space at either end.
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]*$/u;
const checkText = (s, maxChars, maxBytes) =>
  s !== '' && [...s].length <= maxChars && utf8(s).length <= maxBytes && PRINTABLE.test(s) && !/^ | $/.test(s);
const checkName = (s) => checkText(s, 40, 64);
const checkCode = (s, max = 16) => s !== '' && s.length <= max && /^[\x20-\x7e]*$/.test(s) && !/^ | $/.test(s);
const checkPhone = (s) => /^[0-9+ \-().]{1,20}$/.test(s) && s.replace(/[^0-9]/g, '').length >= 3;

// decodeCanonical reads the map b by spec (see cbor.fields), rebuilds it
// with every field the Go wire struct always writes (zero when absent), and
// insists that its deterministic encoding is exactly b.
function decodeCanonical(b, spec, always, omitEmpty = []) {
  const f = fields(decode(b), spec);
  const zero = { bstr: null, array: null, tstr: '' };
  const wire = new Map();
  for (const k of always) wire.set(k, k in f ? f[k] : spec[k] in zero ? zero[spec[k]] : 0);
  for (const k of omitEmpty) if (f[k]) wire.set(k, f[k]);
  if (!equal(encode(wire), b)) throw new Rejected('not in deterministic CBOR encoding, or a field is missing');
  return f;
}

// A Go time from a uint64: seconds at or past 2^63 wrap negative.
const goSeconds = (v) => (v === undefined ? 0 : v >= 2n ** 63n ? -1 : v);
const within = (k, t) => k.from <= t && t <= k.to;

const TRUST = { 1: 'u64', 2: 'array' };
const TRUST_KEY = { 1: 'bstr', 2: 'tstr', 3: 'tstr', 4: 'bstr', 5: 'u64', 6: 'u64', 7: 'u8' };

// decodeTrust decodes the trust list payload, each key in its wire form
// inside (so that re-encoding checks the keys too).
function decodeTrust(b) {
  const top = fields(decode(b), TRUST);
  const keys = (top[2] || []).map((k) => fields(k, TRUST_KEY));
  const zero = { 1: null, 2: '', 3: '', 4: null, 5: 0, 6: 0, 7: 0 };
  const wire = new Map([
    [1, top[1] ?? 0],
    [2, top[2] ? keys.map((k) => new Map([1, 2, 3, 4, 5, 6, 7].map((i) => [i, i in k ? k[i] : zero[i]]))) : null],
  ]);
  if (!equal(encode(wire), b)) throw new Rejected('trust list not in deterministic CBOR encoding');
  return { issuedAt: goSeconds(top[1]), keys };
}

// Section 5. verifyTrustList returns {issuedAt, keys: [{kid, orgId,
// orgName, pub, from, to, status}]} or throws Rejected.
export async function verifyTrustList(signed, root) {
  const m = decodeSign1(signed);
  if (root.length !== 32 || m.kid !== (await keyID(root)) || !(await verifySignature(root, sigStructure(m, AAD_TRUST), m.signature))) {
    throw new Rejected('trust list not signed by the program root key');
  }
  const w = decodeTrust(m.payload);
  if (!(w.issuedAt > 0)) throw new Rejected('trust list: issued_at');
  const seen = new Set();
  const keys = [];
  for (const k of w.keys) {
    const key = { kid: k[1] ? hex(k[1]) : '', orgId: k[2] ?? '', orgName: k[3] ?? '', pub: k[4] || new Uint8Array(0),
      from: goSeconds(k[5]), to: goSeconds(k[6]), status: k[7] ?? 0 };
    const ok = key.kid.length === 16 && key.pub.length === 32 && key.kid === (await keyID(key.pub)) && canonicalKey(key.pub) &&
      !seen.has(hex(key.pub)) && checkCode(key.orgId, 32) && checkText(key.orgName, 120, 480) &&
      key.from > 0 && key.to > key.from && key.status >= 1 && key.status <= 3;
    if (!ok) throw new Rejected('trust list: an invalid key');
    seen.add(hex(key.pub));
    keys.push(key);
  }
  return { issuedAt: w.issuedAt, keys };
}

// gunzip inflates one gzip member to MIN_LIST_BYTES..MAX_LIST_BYTES bytes,
// reading no further than that. (DecompressionStream rejects bytes after
// the member, which Go ignores; issuers never write any.)
async function gunzip(z) {
  if (!z || typeof DecompressionStream !== 'function') throw new Rejected('cannot inflate the status list');
  const reader = new Blob([z]).stream().pipeThrough(new DecompressionStream('gzip')).getReader();
  const chunks = [];
  let n = 0;
  for (;;) {
    let step;
    try {
      step = await reader.read();
    } catch (e) {
      throw new Rejected('status list: bad gzip');
    }
    if (step.done) break;
    n += step.value.length;
    if (n > MAX_LIST_BYTES) {
      reader.cancel().catch(() => {});
      throw new Rejected('status list too long');
    }
    chunks.push(step.value);
  }
  if (n < MIN_LIST_BYTES) throw new Rejected('status list too short');
  const out = new Uint8Array(n);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

const CLAIMS = { 1: 'bstr', 2: 'u64', 3: 'u64', 4: 'u32', 5: 'u32', 6: 'tstr', 7: 'tstr', 8: 'tstr', 9: 'tstr', 10: 'tstr', 11: 'tstr', 12: 'tstr' };

// Section 3. decodeClaims returns the claims or throws Rejected.
export function decodeClaims(b) {
  const f = decodeCanonical(b, CLAIMS, [1, 2, 3, 4, 5, 6, 7, 12], [8, 9, 10, 11]);
  const c = {
    id: f[1] || new Uint8Array(0), issuedAt: f[2], expires: f[3], statusListId: f[4], statusIndex: f[5],
    clientName: f[6], memberName: f[7], barJurisdiction: f[8] || '', barNumber: f[9] || '',
    organization: f[10] || '', accreditation: f[11] || '', phone: f[12],
  };
  const attorney = c.barJurisdiction !== '' || c.barNumber !== '';
  const accredited = c.organization !== '' || c.accreditation !== '';
  const ok = c.id.length === 16 && c.id.some((x) => x !== 0) &&
    c.issuedAt > 0 && c.issuedAt <= TWO32 && c.expires > c.issuedAt && c.expires <= TWO32 &&
    checkName(c.clientName) && checkName(c.memberName) && attorney !== accredited &&
    (attorney ? checkCode(c.barJurisdiction) && checkCode(c.barNumber) : checkName(c.organization) && checkCode(c.accreditation)) &&
    checkPhone(c.phone);
  if (!ok) throw new Rejected('claims: an invalid field');
  c.id = hex(c.id);
  c.issuedAt = Number(c.issuedAt);
  c.expires = Number(c.expires);
  return c;
}

// Part II, V2.2: 02 <kid4> <claims> <signature: 64 bytes>.
const V2_TAG = 0x02;
const V2_HEAD = 5;

export function parseV2(b) {
  if (b.length > 0 && b[0] === 0x84) throw new Rejected('not a version 2 credential (version 1 framing)');
  if (b.length < V2_HEAD + 1 + 64 || b[0] !== V2_TAG) throw new Rejected('not a version 2 credential');
  const end = b.length - 64;
  return { kid4: hex(b.subarray(1, V2_HEAD)), head: b.subarray(0, end), claims: b.subarray(V2_HEAD, end), signature: b.subarray(end) };
}

const concat = (a, b) => {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
};

const V2_TYPES = ['bstr', 'u32', 'u32', 'u32', 'u32', 'tstr', 'u32'];
const TWO20 = 2 ** 20;

// V2.3. decodeClaimsV2 returns {id, issuedOn, expires, statusListId,
// statusIndex, clientName, member} (times in Unix seconds) or throws
// Rejected.
export function decodeClaimsV2(b) {
  if (b.length > 0 && b[0] >> 5 === 5) throw new Rejected('version 2 framing around version 1 claims (a CBOR map)');
  const a = decode(b);
  if (a.t !== 'array' || a.v.length !== V2_TYPES.length) throw new Rejected('claims v2: want an array of 7 items');
  const v = a.v.map((x, i) => {
    const want = V2_TYPES[i];
    if (want === 'bstr' ? x.t !== 'bstr' : want === 'tstr' ? x.t !== 'tstr' : x.t !== 'uint' || x.v > 0xffffffff) {
      throw new Rejected('claims v2: item ' + i + ' of the wrong type');
    }
    return x.v;
  });
  if (!equal(encode(v), b)) throw new Rejected('claims v2: not in deterministic CBOR encoding');
  const [id, day, hours, statusListId, statusIndex, clientName, member] = v;
  const ok = id.length === 8 && id.some((x) => x !== 0) && day > 0 && day <= TWO20 && hours > 0 && hours < TWO20 &&
    member > 0 && checkName(clientName);
  if (!ok) throw new Rejected('claims v2: an invalid field');
  return { id: hex(id), issuedOn: day * 86400, expires: day * 86400 + hours * 3600, statusListId, statusIndex, clientName, member };
}

const ROSTER = { 1: 'tstr', 2: 'u64', 3: 'tstr', 4: 'array' };
const ROSTER_MEMBER = ['u32', 'u8', 'tstr', 'tstr', 'tstr', 'tstr', 'tstr', 'tstr'];

// V2.5. decodeRoster decodes a roster's payload: {orgId, issuedAt, phone,
// members: [{ref, state, name, phone, barJurisdiction, barNumber,
// organization, accreditation}]} or throws Rejected.
function decodeRoster(b) {
  const f = fields(decode(b), ROSTER);
  const rows = (f[4] || []).map((m) => {
    if (m.t !== 'array' || m.v.length !== ROSTER_MEMBER.length) throw new Rejected('roster: a member is not an array of 8 items');
    return m.v.map((x, i) => {
      const want = ROSTER_MEMBER[i];
      if (want === 'tstr' ? x.t !== 'tstr' : x.t !== 'uint' || x.v > (want === 'u8' ? 0xff : 0xffffffff)) {
        throw new Rejected('roster: a member field of the wrong type');
      }
      return x.v;
    });
  });
  const wire = new Map([[1, f[1] ?? ''], [2, f[2] ?? 0], [3, f[3] ?? ''], [4, f[4] ? rows : null]]);
  if (!equal(encode(wire), b)) throw new Rejected('roster: not in deterministic CBOR encoding');
  if (f[2] !== undefined && f[2] > TWO32) throw new Rejected('roster: issued_at too far in the future');
  if (rows.length > MAX_ROSTER_MEMBERS) throw new Rejected('roster: too many members');
  const r = { orgId: f[1] ?? '', issuedAt: goSeconds(f[2]), phone: f[3] ?? '', members: rows.map((m) => ({
    ref: m[0], state: m[1], name: m[2], phone: m[3], barJurisdiction: m[4], barNumber: m[5], organization: m[6], accreditation: m[7],
  })) };
  const text = (s) => checkText(s, 120, 480);
  const code = (s) => checkText(s, 40, 160);
  let ok = checkCode(r.orgId, 32) && r.issuedAt > 0 && r.issuedAt <= TWO32 && (r.phone === '' || checkPhone(r.phone));
  r.members.forEach((m, i) => {
    const attorney = m.barJurisdiction !== '' || m.barNumber !== '';
    const accredited = m.organization !== '' || m.accreditation !== '';
    ok = ok && m.ref > 0 && (i === 0 || m.ref > r.members[i - 1].ref) && text(m.name) && m.state >= 1 && m.state <= 3 &&
      (m.phone === '' && m.state !== 1 || checkPhone(m.phone)) && attorney !== accredited &&
      (attorney ? text(m.barJurisdiction) && code(m.barNumber) : text(m.organization) && code(m.accreditation));
  });
  if (!ok) throw new Rejected('roster: an invalid field');
  r.issuedAt = Number(r.issuedAt);
  for (const m of r.members) m.state = MEMBER_STATES[m.state];
  return r;
}

// Verifier checks letters against a verified trust list and the status
// lists added to it, like credential.Verifier. Times are Unix seconds.
export class Verifier {
  constructor(trust) {
    this.byKid = new Map();
    this.byKid4 = new Map();
    for (const k of trust.keys) {
      this.byKid.set(k.kid, [...(this.byKid.get(k.kid) || []), k]);
      const k4 = k.kid.slice(0, 8);
      this.byKid4.set(k4, [...(this.byKid4.get(k4) || []), k]);
    }
    this.lists = new Map();
    this.rosters = new Map();
  }

  // addRoster verifies a signed roster (V2.5) and keeps it unless a newer
  // one of the same organization is held. It returns the roster or throws
  // Rejected.
  async addRoster(signed) {
    if (!signed || signed.length > MAX_ROSTER_BYTES) throw new Rejected('roster: too large');
    const m = decodeSign1(signed);
    let signer = null;
    for (const k of this.byKid.get(m.kid) || []) {
      if (await verifySignature(k.pub, sigStructure(m, AAD_ROSTER), m.signature)) {
        signer = k;
        break;
      }
    }
    if (!signer) throw new Rejected('roster: not signed by a trusted key');
    if (signer.status === REVOKED_KEY) throw new Rejected('roster: signing key revoked');
    const r = decodeRoster(m.payload);
    if (r.orgId !== signer.orgId) throw new Rejected('roster: signed by another organization');
    if (!within(signer, r.issuedAt)) throw new Rejected("roster: issued outside its key's validity");
    const old = this.rosters.get(r.orgId);
    if (!old || old.issuedAt < r.issuedAt) this.rosters.set(r.orgId, r);
    return r;
  }

  // addStatusList verifies a signed status list (section 6) and keeps it
  // unless a newer one with the same organization and ID is held. It
  // returns {orgId, id, issuedAt, bits} or throws Rejected.
  async addStatusList(signed) {
    const m = decodeSign1(signed);
    let signer = null;
    for (const k of this.byKid.get(m.kid) || []) {
      if (await verifySignature(k.pub, sigStructure(m, AAD_STATUS), m.signature)) {
        signer = k;
        break;
      }
    }
    if (!signer) throw new Rejected('status list: not signed by a trusted key');
    if (signer.status === REVOKED_KEY) throw new Rejected('status list: signing key revoked');
    const f = decodeCanonical(m.payload, { 1: 'tstr', 2: 'u32', 3: 'u64', 4: 'bstr' }, [1, 2, 3, 4]);
    if (f[1] !== signer.orgId) throw new Rejected('status list: signed by another organization');
    if (f[3] > TWO32 || !within(signer, f[3])) throw new Rejected("status list: issued outside its key's validity");
    const list = { orgId: f[1], id: f[2], issuedAt: Number(f[3]), bits: await gunzip(f[4]) };
    const key = list.orgId + '\n' + list.id;
    const old = this.lists.get(key);
    if (!old || old.issuedAt < list.issuedAt) this.lists.set(key, list);
    return list;
  }

  // verify checks a QR text of either version at time now, in the order of
  // section 7 (and V2.6). loadStatusList(orgId, listId) and, for version
  // 2, loadRoster(orgId), when given, are asked for the signed status list
  // or roster (bytes or null) when none is held yet.
  async verify(text, now, loadStatusList, loadRoster) {
    let b;
    try {
      b = parseQR(text);
    } catch (e) {
      return { status: 'not_genuine', version: 0, checkedAt: now, statusListAsOf: null, reason: e.message };
    }
    let r;
    if (b.length > 0 && b[0] === V2_TAG) r = await this.verifyV2(b, now, loadStatusList, loadRoster);
    else if (b.length > 0 && b[0] === 0x84) r = await this.verifyV1(b, now, loadStatusList);
    else return { status: 'not_genuine', version: 0, checkedAt: now, statusListAsOf: null, reason: 'not a credential: unknown first byte' };
    r.version = b[0] === V2_TAG ? 2 : 1;
    return r;
  }

  // statusOf sets r.status and r.statusListAsOf from expiry and the status list.
  async statusOf(r, issuer, c, now, loadStatusList) {
    const key = issuer.orgId + '\n' + c.statusListId;
    if (!this.lists.has(key) && loadStatusList) {
      try {
        const signed = await loadStatusList(issuer.orgId, c.statusListId);
        if (signed) await this.addStatusList(signed);
      } catch (e) {
        // A list that cannot be had or checked is a list not held.
      }
    }
    const list = this.lists.get(key);
    if (list) r.statusListAsOf = list.issuedAt;
    if (now >= c.expires) {
      r.status = 'expired';
    } else if (!list) {
      r.reason = 'no revocation data';
    } else if (c.statusIndex >= list.bits.length * 8 || list.bits[Math.floor(c.statusIndex / 8)] & (0x80 >> c.statusIndex % 8)) {
      r.status = 'revoked';
    }
  }

  async verifyV1(b, now, loadStatusList) {
    const fail = (status, reason) => ({ status, checkedAt: now, statusListAsOf: null, reason });
    let m;
    try {
      m = decodeSign1(b);
    } catch (e) {
      return fail('not_genuine', e.message);
    }
    const keys = this.byKid.get(m.kid) || [];
    if (keys.length === 0) return fail('unknown_issuer', 'no trusted key with kid ' + m.kid);
    const tbs = sigStructure(m, AAD_LETTER);
    let issuer = null;
    for (const k of keys) {
      if (await verifySignature(k.pub, tbs, m.signature)) {
        issuer = k;
        break;
      }
    }
    if (!issuer) return fail('not_genuine', 'the signature does not verify');
    if (issuer.status === REVOKED_KEY) return fail('issuer_revoked', 'issuing key ' + issuer.kid + ' is revoked');
    if (m.payload.length > 0 && m.payload[0] >> 5 === 4) return fail('not_genuine', 'version 1 framing around version 2 claims (a CBOR array)');
    let c;
    try {
      c = decodeClaims(m.payload);
    } catch (e) {
      return fail('not_genuine', e.message);
    }
    if (!within(issuer, c.issuedAt)) return fail('unknown_issuer', 'issued outside the validity of key ' + issuer.kid);
    const r = { status: 'valid', claims: c, issuer: issuer.orgName, checkedAt: now, statusListAsOf: null };
    await this.statusOf(r, issuer, c, now, loadStatusList);
    return r;
  }

  // verifyV2 is V2.6: version 1's steps with the issue day checked against
  // the key's validity by day, then the member looked up in the roster.
  async verifyV2(b, now, loadStatusList, loadRoster) {
    const fail = (status, reason) => ({ status, checkedAt: now, statusListAsOf: null, reason });
    let s;
    try {
      s = parseV2(b);
    } catch (e) {
      return fail('not_genuine', e.message);
    }
    const keys = this.byKid4.get(s.kid4) || [];
    if (keys.length === 0) return fail('unknown_issuer', 'no trusted key with a kid starting ' + s.kid4);
    const msg = concat(DOMAIN_LETTER_V2, s.head);
    let issuer = null;
    for (const k of keys) {
      if (await verifySignature(k.pub, msg, s.signature)) {
        issuer = k;
        break;
      }
    }
    if (!issuer) return fail('not_genuine', 'the signature does not verify');
    if (issuer.status === REVOKED_KEY) return fail('issuer_revoked', 'issuing key ' + issuer.kid + ' is revoked');
    let c;
    try {
      c = decodeClaimsV2(s.claims);
    } catch (e) {
      return fail('not_genuine', e.message);
    }
    if (c.issuedOn > issuer.to || !(c.issuedOn + 86400 > issuer.from)) {
      return fail('unknown_issuer', 'issued outside the validity of key ' + issuer.kid);
    }
    const r = { status: 'valid', claimsV2: c, issuer: issuer.orgName, orgId: issuer.orgId, checkedAt: now, statusListAsOf: null };
    await this.statusOf(r, issuer, c, now, loadStatusList);
    if (!this.rosters.has(issuer.orgId) && loadRoster) {
      try {
        const signed = await loadRoster(issuer.orgId);
        if (signed) await this.addRoster(signed);
      } catch (e) {
        // A roster that cannot be had or checked is a roster not held.
      }
    }
    const roster = this.rosters.get(issuer.orgId);
    r.member = null;
    r.contact = '';
    r.rosterAsOf = null;
    if (!roster) {
      r.memberNotice = 'no_roster';
      return r;
    }
    r.rosterAsOf = roster.issuedAt;
    const m = roster.members.find((x) => x.ref === c.member);
    if (!m) {
      r.memberNotice = 'unknown_member';
      r.contact = roster.phone;
    } else if (m.state === 'active') {
      r.member = m;
      r.memberNotice = '';
      r.contact = m.phone;
    } else {
      r.member = m;
      r.memberNotice = m.state;
      r.contact = roster.phone;
    }
    return r;
  }
}
