import { createHmac } from 'node:crypto';

/**
 * Access tokens signed with the JWT_SECRET the load run gives the service, the way TokenService
 * issues them (HS256, `{ sub, username }`): seeded users have no password to log in with, and
 * signing a thousand tokens here costs nothing, where a thousand logins would cost a minute.
 */
export function signToken(secret: string, user: { id: string; username: string }, ttlSeconds = 86_400): string {
  const now = Math.floor(Date.now() / 1000);
  const header = base64url({ alg: 'HS256', typ: 'JWT' });
  const payload = base64url({ sub: user.id, username: user.username, iat: now, exp: now + ttlSeconds });
  const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
