// Contract §5.1 client written with WebCrypto (Node's crypto.subtle) only — an implementation the gateway does
// not use. Usage: node webcrypto-client.mjs <gateway base URL> <email>
// Prints one JSON line: the handshake, the encrypted request's HTTP status and the decrypted response.
const [baseUrl, email] = process.argv.slice(2);
// Node ≥ 19 has WebCrypto as a global; Debian's Node 18 only under node:crypto.
const { subtle } = globalThis.crypto ?? (await import('node:crypto')).webcrypto;
const utf8 = (text) => new TextEncoder().encode(text);
const b64url = (bytes) => Buffer.from(bytes).toString('base64url');
const fromB64url = (text) => new Uint8Array(Buffer.from(text, 'base64url'));

const own = await subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, false, ['deriveBits']);
const ownPublic = new Uint8Array(await subtle.exportKey('raw', own.publicKey));
const handshake = await fetch(`${baseUrl}/api/session`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ publicKey: b64url(ownPublic) }),
});
if (handshake.status !== 201) throw new Error(`handshake answered ${handshake.status}`);
const session = await handshake.json();

const serverPublic = await subtle.importKey('raw', fromB64url(session.publicKey), { name: 'ECDH', namedCurve: 'P-256' }, false, []);
const secret = await subtle.deriveBits({ name: 'ECDH', public: serverPublic }, own.privateKey, 256);
const hkdf = await subtle.importKey('raw', secret, 'HKDF', false, ['deriveKey']);
const key = await subtle.deriveKey(
  { name: 'HKDF', hash: 'SHA-256', salt: utf8(session.sessionId), info: utf8('gateway-session-v1') },
  hkdf, { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);

const target = '/api/auth/register';
const header = {
  alg: 'dir', enc: 'A256GCM', kid: session.sessionId, cty: 'application/json',
  htm: 'POST', htu: target, iat: Math.floor(Date.now() / 1000),
};
const encodedHeader = b64url(utf8(JSON.stringify(header)));
const iv = crypto.getRandomValues(new Uint8Array(12));
const sealed = new Uint8Array(await subtle.encrypt(
  { name: 'AES-GCM', iv, additionalData: utf8(encodedHeader), tagLength: 128 }, key,
  utf8(JSON.stringify({ email, password: 'correct horse battery', displayName: 'WebCrypto Client' }))));
const jwe = [encodedHeader, '', b64url(iv), b64url(sealed.slice(0, -16)), b64url(sealed.slice(-16))].join('.');

const response = await fetch(`${baseUrl}${target}`, {
  method: 'POST',
  headers: { 'content-type': 'application/jose' },
  body: jwe,
});
const compact = (await response.text()).split('.');
const responseHeader = JSON.parse(Buffer.from(compact[0], 'base64url').toString('utf8'));
const plaintext = await subtle.decrypt(
  { name: 'AES-GCM', iv: fromB64url(compact[2]), additionalData: utf8(compact[0]), tagLength: 128 }, key,
  new Uint8Array([...fromB64url(compact[3]), ...fromB64url(compact[4])]));

console.log(JSON.stringify({
  handshakeSessionId: session.sessionId,
  status: response.status,
  contentType: response.headers.get('content-type'),
  header: responseHeader,
  body: JSON.parse(new TextDecoder().decode(plaintext)),
}));
