// Contract §5.1 with WebCrypto only: ECDH P-256 handshake, HKDF-SHA256 session key, JWE compact (dir, A256GCM).
// The same steps as tests/EndToEnd.Tests/GatewayInterop/webcrypto-client.mjs, for the browser.
const subtle = globalThis.crypto.subtle;
const encoder = new TextEncoder();
const utf8 = (text) => encoder.encode(text);

export function b64url(bytes) {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromB64url(text) {
  const padded = text.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((text.length + 3) % 4);
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}

/** One encryption session with the gateway. The AES key is non-extractable: script can use it but never read it. */
export class EncryptedSession {
  constructor(sessionId, expiresAt, key) {
    this.sessionId = sessionId;
    this.expiresAt = new Date(expiresAt);
    this.key = key;
  }

  /** POST /api/session, then derive the session key from the ECDH secret. */
  static async open() {
    const own = await subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, false, ['deriveBits']);
    const ownPublic = new Uint8Array(await subtle.exportKey('raw', own.publicKey));
    const response = await fetch('/api/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ publicKey: b64url(ownPublic) }),
      cache: 'no-store',
    });
    if (response.status !== 201) {
      throw new Error(`The encryption handshake was refused (HTTP ${response.status}).`);
    }
    const session = await response.json();
    const serverPublic = await subtle.importKey('raw', fromB64url(session.publicKey), { name: 'ECDH', namedCurve: 'P-256' }, false, []);
    const secret = await subtle.deriveBits({ name: 'ECDH', public: serverPublic }, own.privateKey, 256);
    const hkdf = await subtle.importKey('raw', secret, 'HKDF', false, ['deriveKey']);
    const key = await subtle.deriveKey(
      { name: 'HKDF', hash: 'SHA-256', salt: utf8(session.sessionId), info: utf8('gateway-session-v1') },
      hkdf, { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
    return new EncryptedSession(session.sessionId, session.expiresAt, key);
  }

  /** Still usable for a request sent now (a minute of margin for the clock and the round trip). */
  get fresh() {
    return this.expiresAt.getTime() - Date.now() > 60_000;
  }

  /** The request body as a JWE whose protected header binds it to this method and target. */
  async seal(method, target, contentType, plaintext) {
    const header = {
      alg: 'dir', enc: 'A256GCM', kid: this.sessionId, cty: contentType,
      htm: method, htu: target, iat: Math.floor(Date.now() / 1000),
    };
    const encodedHeader = b64url(utf8(JSON.stringify(header)));
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const sealed = new Uint8Array(await subtle.encrypt(
      { name: 'AES-GCM', iv, additionalData: utf8(encodedHeader), tagLength: 128 }, this.key, utf8(plaintext)));
    return [encodedHeader, '', b64url(iv), b64url(sealed.slice(0, -16)), b64url(sealed.slice(-16))].join('.');
  }

  /** Decrypts a response JWE and checks it answers this request; throws when anything does not match. */
  async open(compact, method, target) {
    const parts = compact.split('.');
    if (parts.length !== 5 || parts[1] !== '') throw new Error('The response is not a dir JWE in compact form.');
    const header = JSON.parse(new TextDecoder().decode(fromB64url(parts[0])));
    if (header.alg !== 'dir' || header.enc !== 'A256GCM' || header.kid !== this.sessionId) {
      throw new Error('The response JWE belongs to another session or algorithm.');
    }
    if (header.htm !== method || header.htu !== target) {
      throw new Error('The response JWE answers another request.');
    }
    const plaintext = await subtle.decrypt(
      { name: 'AES-GCM', iv: fromB64url(parts[2]), additionalData: utf8(parts[0]), tagLength: 128 }, this.key,
      new Uint8Array([...fromB64url(parts[3]), ...fromB64url(parts[4])]));
    return { header, text: new TextDecoder().decode(plaintext) };
  }
}
