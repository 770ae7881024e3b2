// SHA-256 and SHA-512 (FIPS 180-4) in plain JavaScript, for browsers
// without crypto.subtle (it exists only in secure contexts). Part of Amparo;
// written for it from the standard, no outside code.
//
// The round constants are derived here from their definition (the first
// bits of the fractional parts of the square and cube roots of the first
// primes) instead of being copied as 240 hex numbers; the test vectors in
// web/verify_test.go check the result.

const primes = (n) => {
  const out = [];
  for (let c = 2; out.length < n; c++) if (out.every((p) => c % p)) out.push(c);
  return out;
};

// iroot returns floor(n^(1/k)) by Newton's method from above.
const iroot = (n, k) => {
  let x = 1n << BigInt(Math.ceil(n.toString(2).length / Number(k)) + 1);
  for (;;) {
    const y = ((k - 1n) * x + n / x ** (k - 1n)) / k;
    if (y >= x) return x;
    x = y;
  }
};

// frac returns the first `bits` bits of the fractional part of p^(1/k).
const frac = (p, k, bits) => iroot(BigInt(p) << (BigInt(bits) * k), k) & ((1n << BigInt(bits)) - 1n);

const P80 = primes(80);
const K256 = Uint32Array.from(P80.slice(0, 64), (p) => Number(frac(p, 3n, 32)));
const H256 = Uint32Array.from(P80.slice(0, 8), (p) => Number(frac(p, 2n, 32)));
const K512 = P80.map((p) => frac(p, 3n, 64));
const H512 = P80.slice(0, 8).map((p) => frac(p, 2n, 64));

// pad appends the 0x80 byte, zeros and the bit length (in `lenBytes` bytes).
function pad(msg, block, lenBytes) {
  const n = Math.ceil((msg.length + 1 + lenBytes) / block) * block;
  const out = new Uint8Array(n);
  out.set(msg);
  out[msg.length] = 0x80;
  let bits = BigInt(msg.length) * 8n;
  for (let i = n - 1; bits > 0n; i--, bits >>= 8n) out[i] = Number(bits & 0xffn);
  return out;
}

export function sha256(msg) {
  const m = pad(msg, 64, 8);
  const h = H256.slice();
  const w = new Uint32Array(64);
  const rotr = (x, n) => (x >>> n) | (x << (32 - n));
  for (let off = 0; off < m.length; off += 64) {
    for (let i = 0; i < 16; i++) {
      const j = off + 4 * i;
      w[i] = (m[j] << 24) | (m[j + 1] << 16) | (m[j + 2] << 8) | m[j + 3];
    }
    for (let i = 16; i < 64; i++) {
      const s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >>> 3);
      const s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >>> 10);
      w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    let [a, b, c, d, e, f, g, hh] = h;
    for (let i = 0; i < 64; i++) {
      const t1 = (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K256[i] + w[i]) >>> 0;
      const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) >>> 0;
      hh = g; g = f; f = e; e = (d + t1) >>> 0;
      d = c; c = b; b = a; a = (t1 + t2) >>> 0;
    }
    [a, b, c, d, e, f, g, hh].forEach((v, i) => { h[i] += v; });
  }
  const out = new Uint8Array(32);
  h.forEach((v, i) => { out[4 * i] = v >>> 24; out[4 * i + 1] = v >>> 16; out[4 * i + 2] = v >>> 8; out[4 * i + 3] = v; });
  return out;
}

// sha512 works on BigInt words: slower than 32-bit halves, but short and
// plainly correct. It hashes a letter in well under a millisecond.
export function sha512(msg) {
  const M = (1n << 64n) - 1n;
  const rotr = (x, n) => ((x >> n) | (x << (64n - n))) & M;
  const m = pad(msg, 128, 16);
  const h = H512.slice();
  const w = new Array(80);
  for (let off = 0; off < m.length; off += 128) {
    for (let i = 0; i < 16; i++) {
      let v = 0n;
      for (let j = 0; j < 8; j++) v = (v << 8n) | BigInt(m[off + 8 * i + j]);
      w[i] = v;
    }
    for (let i = 16; i < 80; i++) {
      const s0 = rotr(w[i - 15], 1n) ^ rotr(w[i - 15], 8n) ^ (w[i - 15] >> 7n);
      const s1 = rotr(w[i - 2], 19n) ^ rotr(w[i - 2], 61n) ^ (w[i - 2] >> 6n);
      w[i] = (w[i - 16] + s0 + w[i - 7] + s1) & M;
    }
    let [a, b, c, d, e, f, g, hh] = h;
    for (let i = 0; i < 80; i++) {
      const t1 = (hh + (rotr(e, 14n) ^ rotr(e, 18n) ^ rotr(e, 41n)) + ((e & f) ^ (~e & M & g)) + K512[i] + w[i]) & M;
      const t2 = ((rotr(a, 28n) ^ rotr(a, 34n) ^ rotr(a, 39n)) + ((a & b) ^ (a & c) ^ (b & c))) & M;
      hh = g; g = f; f = e; e = (d + t1) & M;
      d = c; c = b; b = a; a = (t1 + t2) & M;
    }
    [a, b, c, d, e, f, g, hh].forEach((v, i) => { h[i] = (h[i] + v) & M; });
  }
  const out = new Uint8Array(64);
  h.forEach((v, i) => {
    for (let j = 7; j >= 0; j--, v >>= 8n) out[8 * i + j] = Number(v & 0xffn);
  });
  return out;
}

// digest uses WebCrypto when the page has it, and the code above otherwise.
export async function digest(name, msg) {
  const subtle = globalThis.crypto && globalThis.crypto.subtle;
  if (subtle) {
    try {
      return new Uint8Array(await subtle.digest(name, msg));
    } catch (e) {
      // fall through to the plain implementation
    }
  }
  return name === 'SHA-256' ? sha256(msg) : sha512(msg);
}
