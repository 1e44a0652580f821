// A real OpenID Connect provider for Loket's browser tests: panva/oidc-provider (an OpenID
// Certified implementation), on 127.0.0.1, with its development login and consent pages.
//
//   node provider.js PORT
//
// Environment (written by tests/oidc_provider/harness.py):
//   OIDC_CLIENTS   [{client_id, client_secret, redirect_uris, post_logout_redirect_uris}]
//   OIDC_ACCOUNTS_FILE  path of a JSON file {"<login>": {<claims>}}: who may log in and the claims
//                  of their ID token; read at every login, so each test can write its own people
//   OIDC_TEST_CONTROLS=1 adds POST /test/tamper-next-id-token: the next ID token the token
//                  endpoint returns has its payload altered and its signature kept (an attacker
//                  in the middle), so the tests can prove Loket refuses it.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

import Provider from 'oidc-provider';

const port = Number(process.argv[2] || process.env.OIDC_PORT || 9099);
const issuer = `http://127.0.0.1:${port}`;
const clients = JSON.parse(process.env.OIDC_CLIENTS || '[]').map((client) => ({
  grant_types: ['authorization_code'],
  response_types: ['code'],
  token_endpoint_auth_method: 'client_secret_basic',
  ...client,
}));

function accounts() {
  const path = process.env.OIDC_ACCOUNTS_FILE;
  return path ? JSON.parse(readFileSync(path, 'utf8')) : {};
}

// A fresh signing key per run: Loket must find it through the discovery document and JWKS.
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'test-1', use: 'sig', alg: 'RS256' };

const configuration = {
  clients,
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  claims: {
    openid: ['sub'],
    profile: ['name', 'given_name', 'family_name', 'national_number', 'enterprise_number', 'groups'],
  },
  // Put the profile claims in the ID token (as FAS and most government providers do).
  conformIdTokenClaims: false,
  pkce: { methods: ['S256'], required: () => true },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  async findAccount(ctx, id) {
    const known = accounts();
    if (!Object.hasOwn(known, id)) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, ...known[id] }) };
  },
};

const provider = new Provider(issuer, configuration);

function alterPayload(idToken) {
  const [header, payload, signature] = idToken.split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
  claims.sub = `${claims.sub}-forged`;
  return [header, Buffer.from(JSON.stringify(claims)).toString('base64url'), signature].join('.');
}

if (process.env.OIDC_TEST_CONTROLS === '1') {
  let tamperNext = false;
  provider.use(async (ctx, next) => {
    if (ctx.method === 'POST' && ctx.path === '/test/tamper-next-id-token') {
      tamperNext = true;
      ctx.status = 204;
      return;
    }
    await next();
    if (tamperNext && ctx.path === '/token' && ctx.body && ctx.body.id_token) {
      tamperNext = false;
      ctx.body = { ...ctx.body, id_token: alterPayload(ctx.body.id_token) };
    }
  });
}

const server = provider.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider listening on ${issuer}`);
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
