// Ed25519 signature verification (RFC 8032) in plain JavaScript with BigInt,
// for browsers whose WebCrypto lacks Ed25519. Part of Amparo; written for it
// from RFC 8032 sections 5.1.3, 5.1.4 and 5.1.7, no outside code. It only
// verifies (no secrets, so timing does not matter) and follows the rules of
// Go's crypto/ed25519, the reference verifier: S must be below L, the public
// key may use any encoding of a valid point, and the check is cofactorless,
// comparing the encoding of [S]B - [k]A with R.

import { digest } from './sha2.js';

const P = (1n << 255n) - 19n;
const L = (1n << 252n) + 27742317777372353535851937790883648493n;

const mod = (a) => {
  const r = a % P;
  return r < 0n ? r + P : r;
};

function pow(b, e) {
  let r = 1n;
  b = mod(b);
  for (; e > 0n; e >>= 1n) {
    if (e & 1n) r = (r * b) % P;
    b = (b * b) % P;
  }
  return r;
}

const inv = (a) => pow(a, P - 2n);
const D = mod(-121665n * inv(121666n));
const D2 = (2n * D) % P;
const SQRT_M1 = pow(2n, (P - 1n) / 4n);

const le = (b) => {
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
  return v;
};

// Points are [X, Y, Z, T] in extended coordinates, x = X/Z, y = Y/Z, xy = T/Z.
// The addition formula (RFC 8032 5.1.4) is complete: it also doubles.
function add([X1, Y1, Z1, T1], [X2, Y2, Z2, T2]) {
  const a = ((Y1 - X1) * (Y2 - X2)) % P;
  const b = ((Y1 + X1) * (Y2 + X2)) % P;
  const c = (((T1 * D2) % P) * T2) % P;
  const d = (2n * Z1 * Z2) % P;
  const e = b - a, f = d - c, g = d + c, h = b + a;
  return [(e * f) % P, (g * h) % P, (f * g) % P, (e * h) % P];
}

// decode returns the point of a 32-byte encoding, or null. Like Go's
// edwards25519, it reduces a y at or above p instead of rejecting it.
function decode(bytes) {
  const sign = bytes[31] >> 7;
  const y = mod(le(bytes) & ((1n << 255n) - 1n));
  const y2 = (y * y) % P;
  const u = mod(y2 - 1n), v = mod(D * y2 + 1n);
  const v3 = (v * v * v) % P;
  let x = (((u * v3) % P) * pow((u * v3 * v3 * v) % P, (P - 5n) / 8n)) % P;
  const vx2 = (v * x * x) % P;
  if (vx2 === mod(-u)) x = (x * SQRT_M1) % P;
  else if (vx2 !== u) return null;
  if (Number(x & 1n) !== sign) x = mod(-x);
  return [x, y, 1n, (x * y) % P];
}

function encode([X, Y, Z]) {
  const zi = inv(Z);
  const x = mod(X * zi);
  let y = mod(Y * zi);
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++, y >>= 8n) out[i] = Number(y & 0xffn);
  out[31] |= Number(x & 1n) << 7;
  return out;
}

const BASE = decode(Uint8Array.from({ length: 32 }, (_, i) => (i === 0 ? 0x58 : 0x66)));

// verify reports whether sig is pub's Ed25519 signature of msg (all
// Uint8Array). It never throws on bad input: it returns false.
export async function verify(pub, msg, sig) {
  if (pub.length !== 32 || sig.length !== 64) return false;
  const A = decode(pub);
  const s = le(sig.subarray(32));
  if (!A || s >= L) return false;
  const h = new Uint8Array(64 + msg.length);
  h.set(sig.subarray(0, 32));
  h.set(pub, 32);
  h.set(msg, 64);
  const k = le(await digest('SHA-512', h)) % L;
  // [S]B + [k](-A), both scalars at once, most significant bit first.
  const negA = [mod(-A[0]), A[1], A[2], mod(-A[3])];
  let Q = [0n, 1n, 1n, 0n];
  for (let i = 255n; i >= 0n; i--) {
    Q = add(Q, Q);
    if ((s >> i) & 1n) Q = add(Q, BASE);
    if ((k >> i) & 1n) Q = add(Q, negA);
  }
  const R = encode(Q);
  return R.every((b, i) => b === sig[i]);
}
