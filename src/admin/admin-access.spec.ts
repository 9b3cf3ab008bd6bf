import { adminAccess, isCrossSiteChange } from './admin-access';

const TOKEN = 'operator-token-0123456789';
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('adminAccess', () => {
  it('grants the contract’s bearer token', () => {
    expect(adminAccess({ authorization: `Bearer ${TOKEN}` }, TOKEN)).toBe('granted');
    expect(adminAccess({ authorization: `bearer ${TOKEN}` }, TOKEN)).toBe('granted');
  });

  it('grants the token as a Basic password, whatever the user name, for browsers', () => {
    expect(adminAccess({ authorization: basic('admin', TOKEN) }, TOKEN)).toBe('granted');
    expect(adminAccess({ authorization: basic('', TOKEN) }, TOKEN)).toBe('granted');
    // A colon belongs to the password after the first one.
    expect(adminAccess({ authorization: basic('ops', 'a:b') }, 'a:b')).toBe('granted');
  });

  it('tells a request without credentials from one with wrong credentials', () => {
    expect(adminAccess({}, TOKEN)).toBe('no credentials');
    expect(adminAccess({ authorization: '' }, TOKEN)).toBe('no credentials');
    expect(adminAccess({ authorization: 'Bearer nope' }, TOKEN)).toBe('wrong credentials');
    expect(adminAccess({ authorization: `Bearer ${TOKEN}x` }, TOKEN)).toBe('wrong credentials');
    expect(adminAccess({ authorization: `Bearer ${TOKEN.slice(1)}` }, TOKEN)).toBe('wrong credentials');
    expect(adminAccess({ authorization: basic(TOKEN, 'x') }, TOKEN)).toBe('wrong credentials');
    expect(adminAccess({ authorization: `Basic ${Buffer.from(TOKEN).toString('base64')}` }, TOKEN)).toBe('wrong credentials');
    expect(adminAccess({ authorization: TOKEN }, TOKEN)).toBe('wrong credentials');
    expect(adminAccess({ authorization: ['Bearer a', 'Bearer b'] }, TOKEN)).toBe('no credentials');
  });
});

describe('isCrossSiteChange', () => {
  it('lets reads through from anywhere', () => {
    expect(isCrossSiteChange('GET', { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' })).toBe(false);
  });

  it('refuses a change another site or origin asked the browser to make', () => {
    expect(isCrossSiteChange('PUT', { 'sec-fetch-site': 'cross-site', host: 'ops:3000' })).toBe(true);
    expect(isCrossSiteChange('POST', { 'sec-fetch-site': 'same-site', host: 'ops:3000' })).toBe(true);
    expect(isCrossSiteChange('DELETE', { origin: 'http://evil.example', host: 'ops:3000' })).toBe(true);
    expect(isCrossSiteChange('PUT', { origin: 'null', host: 'ops:3000' })).toBe(true);
  });

  it('allows a change from the dashboard itself and from tools that send no browser headers', () => {
    expect(isCrossSiteChange('PUT', { 'sec-fetch-site': 'same-origin', origin: 'http://ops:3000', host: 'ops:3000' })).toBe(false);
    expect(isCrossSiteChange('PUT', { host: 'ops:3000' })).toBe(false);
  });
});
