// The little CBOR (RFC 8949) that the credential needs: a strict decoder of
// definite-length items, and an encoder of the core deterministic encoding.
// A credential document is accepted only when re-encoding what was decoded
// gives back exactly the same bytes, as the Go reference does
// (credential.decodeCanonical): that one comparison rejects longer forms,
// unsorted or repeated keys, and missing fields.

export class Rejected extends Error {}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const MAX_DEPTH = 4;

// decode returns the item in b, which must hold exactly one, as
// {t: 'uint'|'nint'|'bstr'|'tstr'|'array'|'map'|'null'|'simple', v}.
// Unsigned integers past 2^53 are BigInt. Tags and indefinite lengths are
// rejected, as are bytes after the item.
export function decode(b) {
  const r = { b, i: 0 };
  const v = item(r, 0);
  if (r.i !== b.length) throw new Rejected('bytes after the CBOR item');
  return v;
}

function need(r, n) {
  if (n > r.b.length - r.i) throw new Rejected('truncated CBOR');
}

function head(r) {
  need(r, 1);
  const ib = r.b[r.i++];
  const major = ib >> 5, ai = ib & 31;
  if (ai < 24) return [major, ai, ai];
  if (ai > 27) throw new Rejected('indefinite length or reserved CBOR value');
  const n = 1 << (ai - 24);
  need(r, n);
  let v = 0n;
  for (let k = 0; k < n; k++) v = (v << 8n) | BigInt(r.b[r.i++]);
  return [major, ai, v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v];
}

function length(r, v) {
  if (typeof v === 'bigint' || v > r.b.length - r.i) throw new Rejected('CBOR length past the end');
  return v;
}

function item(r, depth) {
  const [major, ai, v] = head(r);
  switch (major) {
    case 0:
      return { t: 'uint', v };
    case 1:
      return { t: 'nint', v };
    case 2:
    case 3: {
      const n = length(r, v);
      const s = r.b.subarray(r.i, r.i + n);
      r.i += n;
      if (major === 2) return { t: 'bstr', v: s };
      try {
        return { t: 'tstr', v: utf8.decode(s) };
      } catch (e) {
        throw new Rejected('text string is not UTF-8');
      }
    }
    case 4:
    case 5: {
      if (depth >= MAX_DEPTH) throw new Rejected('CBOR nested too deep');
      const n = length(r, v);
      const out = [];
      for (let k = 0; k < n; k++) {
        out.push(major === 4 ? item(r, depth + 1) : [item(r, depth + 1), item(r, depth + 1)]);
      }
      return { t: major === 4 ? 'array' : 'map', v: out };
    }
    case 6:
      throw new Rejected('CBOR tags are not allowed');
    default:
      return ai === 22 ? { t: 'null', v: null } : { t: 'simple', v };
  }
}

// fields reads a map with unsigned integer keys into an object, by a spec
// of key → type: 'u8', 'u32', 'u64', 'tstr', 'bstr' (byte string or null,
// which Go decodes as a nil slice), 'array' (array or null), 'map'. Unknown
// keys, repeated keys and other types are rejected. Missing keys are left
// out; the caller's re-encoding then differs from the input.
export function fields(m, spec) {
  if (m.t !== 'map') throw new Rejected('not a CBOR map');
  const out = {};
  for (const [k, val] of m.v) {
    const type = k.t === 'uint' ? spec[k.v] : undefined;
    if (!type) throw new Rejected('unknown key');
    if (k.v in out) throw new Rejected('repeated key');
    out[k.v] = value(val, type);
  }
  return out;
}

const LIMITS = { u8: 0xff, u32: 0xffffffff, u64: 2n ** 64n };

function value(x, type) {
  switch (type) {
    case 'u8':
    case 'u32':
    case 'u64':
      if (x.t !== 'uint' || x.v > LIMITS[type]) throw new Rejected('want an unsigned integer');
      return x.v;
    case 'tstr':
      if (x.t !== 'tstr') throw new Rejected('want a text string');
      return x.v;
    case 'bstr':
      if (x.t !== 'bstr' && x.t !== 'null') throw new Rejected('want a byte string');
      return x.v;
    case 'array':
      if (x.t !== 'array' && x.t !== 'null') throw new Rejected('want an array');
      return x.v;
    default:
      if (x.t !== 'map') throw new Rejected('want a map');
      return x;
  }
}

// Encoding. Values are numbers or BigInts (uint), strings (tstr),
// Uint8Arrays (bstr), null, arrays, and Maps with integer keys (written in
// ascending key order, which for small keys is the deterministic order).
const utf8enc = new TextEncoder();

function encHead(out, major, n) {
  n = BigInt(n);
  if (n < 24n) out.push((major << 5) | Number(n));
  else {
    const size = n < 0x100n ? 1 : n < 0x10000n ? 2 : n < 0x100000000n ? 4 : 8;
    out.push((major << 5) | (24 + Math.log2(size)));
    for (let k = size - 1; k >= 0; k--) out.push(Number((n >> BigInt(8 * k)) & 0xffn));
  }
}

function enc(out, v) {
  if (v === null || v === undefined) out.push(0xf6);
  else if (typeof v === 'number' || typeof v === 'bigint') encHead(out, 0, v);
  else if (typeof v === 'string') {
    const b = utf8enc.encode(v);
    encHead(out, 3, b.length);
    out.push(...b);
  } else if (v instanceof Uint8Array) {
    encHead(out, 2, v.length);
    for (const x of v) out.push(x);
  } else if (Array.isArray(v)) {
    encHead(out, 4, v.length);
    v.forEach((x) => enc(out, x));
  } else {
    const keys = [...v.keys()].sort((a, b) => a - b);
    encHead(out, 5, keys.length);
    for (const k of keys) {
      encHead(out, 0, k);
      enc(out, v.get(k));
    }
  }
}

export function encode(v) {
  const out = [];
  enc(out, v);
  return Uint8Array.from(out);
}

export function equal(a, b) {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
