import test from 'node:test';
import assert from 'node:assert/strict';
import {
  describeDistance, platformOf, mapsLink, telLink, mailtoLink, phoneFor, emailFor, ON_SITE_METRES,
} from '../../app/static/pwa/js/lib/place.js';

test('on site up to 300 m, then "away" in m or km', () => {
  assert.equal(ON_SITE_METRES, 300);
  assert.deepEqual(describeDistance(80, 'en'), { onSite: true, text: '80 m' });
  assert.deepEqual(describeDistance(300, 'en'), { onSite: true, text: '300 m' });
  assert.deepEqual(describeDistance(301, 'en'), { onSite: false, text: '301 m' });
  assert.deepEqual(describeDistance(1200, 'en'), { onSite: false, text: '1.2 km' });
  assert.deepEqual(describeDistance(1000, 'en'), { onSite: false, text: '1 km' });
  assert.deepEqual(describeDistance(12345, 'en'), { onSite: false, text: '12 km' });
  assert.deepEqual(describeDistance(80, 'zh-CN'), { onSite: true, text: '80米' });
  assert.deepEqual(describeDistance(1200, 'zh-CN'), { onSite: false, text: '1.2公里' });
});

test('no distance, no label', () => {
  assert.equal(describeDistance(null, 'en'), null);
  assert.equal(describeDistance(undefined, 'en'), null);
  assert.equal(describeDistance('x', 'en'), null);
});

test('platform from the user agent', () => {
  assert.equal(platformOf('Mozilla/5.0 (Linux; Android 14; Pixel 7) Chrome/120'), 'android');
  assert.equal(platformOf('Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)'), 'ios');
  assert.equal(platformOf('Mozilla/5.0 (X11; Linux x86_64)'), 'other');
});

const acme = { lat: 31.2304, lng: 121.4737, address: '88 Century Ave', city: 'Shanghai', label: 'Acme Co., Ltd.' };

test('maps links from coordinates', () => {
  assert.equal(mapsLink(acme, 'android'), 'geo:31.2304,121.4737?q=31.2304,121.4737(Acme%20Co.%2C%20Ltd.)');
  assert.equal(mapsLink(acme, 'ios'), 'https://maps.apple.com/?q=Acme%20Co.%2C%20Ltd.&ll=31.2304,121.4737');
  assert.equal(
    mapsLink(acme, 'other'),
    'https://www.openstreetmap.org/?mlat=31.2304&mlon=121.4737#map=17/31.2304/121.4737',
  );
});

test('maps links from the address when there are no coordinates', () => {
  const c = { ...acme, lat: null, lng: null };
  assert.equal(mapsLink(c, 'android'), 'geo:0,0?q=88%20Century%20Ave%2C%20Shanghai');
  assert.equal(mapsLink(c, 'ios'), 'https://maps.apple.com/?q=88%20Century%20Ave%2C%20Shanghai');
  assert.equal(mapsLink(c, 'other'), 'https://www.openstreetmap.org/search?query=88%20Century%20Ave%2C%20Shanghai');
  // An address that already names the city does not repeat it.
  assert.equal(
    mapsLink({ address: '上海市浦东新区世纪大道88号', city: '上海市' }, 'other'),
    'https://www.openstreetmap.org/search?query=' + encodeURIComponent('上海市浦东新区世纪大道88号'),
  );
  assert.equal(
    mapsLink({ address: 'Nanjing Road 1', city: 'Shanghai' }, 'other'),
    'https://www.openstreetmap.org/search?query=Nanjing%20Road%201%2C%20Shanghai',
  );
  assert.equal(mapsLink({ city: 'Shanghai' }, 'android'), 'geo:0,0?q=Shanghai');
});

test('no coordinates and no address: no link (the button is hidden)', () => {
  assert.equal(mapsLink({ lat: null, lng: null, address: '', city: null }, 'other'), null);
  assert.equal(mapsLink({}, 'ios'), null);
  assert.equal(mapsLink({ lat: 0, lng: 0 }, 'ios'), null);
});

test('tel: links keep only what a dialer understands', () => {
  assert.equal(telLink('+86 138-0013-8000'), 'tel:+8613800138000');
  assert.equal(telLink('(021) 6888 1234 ext. 5'), 'tel:021688812345');
  assert.equal(telLink('021-68881234,,12'), 'tel:02168881234,,12');
  assert.equal(telLink(''), null);
  assert.equal(telLink(null), null);
  assert.equal(telLink('n/a'), null);
  assert.equal(telLink('javascript:alert(1)'), 'tel:1');
});

test('mailto: links only for plausible single addresses', () => {
  assert.equal(mailtoLink(' li.na@example.com '), 'mailto:li.na@example.com');
  assert.equal(mailtoLink('a@b.cn, c@d.cn'), null);
  assert.equal(mailtoLink('not an email'), null);
  assert.equal(mailtoLink(null), null);
});

test('who to call: contact mobile, contact phone, then the customer', () => {
  const customer = { phone: '021 6888 1234', phone_e164: '+862168881234', email: 'info@acme.cn' };
  const contact = { phone: '021 6888 1235', phone_e164: '+862168881235', mobile: '138 0013 8000', mobile_e164: '+8613800138000', email: 'wang@acme.cn' };
  assert.equal(phoneFor(customer, contact), '+8613800138000');
  assert.equal(phoneFor(customer, { ...contact, mobile: null, mobile_e164: null }), '+862168881235');
  assert.equal(phoneFor(customer, { name: 'no numbers' }), '+862168881234');
  assert.equal(phoneFor({ phone: '021 6888 1234', phone_e164: null }, null), '021 6888 1234');
  assert.equal(phoneFor({}, null), null);
  assert.equal(emailFor(customer, contact), 'wang@acme.cn');
  assert.equal(emailFor(customer, null), 'info@acme.cn');
  assert.equal(emailFor({}, {}), null);
});
