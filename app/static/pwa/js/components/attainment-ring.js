// The attainment ring (SVG): actual against target, with a tick where the pace expects
// the team to be by today; the same figures in words beside it (the ring is decoration
// for a screen reader: its label and the text say it all). And the pace badge, an icon
// and a word as well as a colour, so it reads in bright sun and in grey.

import { html } from '../lib/html.js';
import { t } from '../lib/i18n.js';
import { state } from '../lib/state.js';
import { arc, ringParts } from '../lib/team.js';
import { money } from './money.js';

const R = 42;
const GLYPH = { ahead: '▲', on_track: '●', behind: '▼', no_target: '–' };

/** "▲ Ahead": the pace as glyph and word, on its colour. */
export function paceBadge(pace) {
  const key = GLYPH[pace] ? pace : 'no_target';
  return html`<span class="pace pace-${key}"><span aria-hidden="true">${GLYPH[key]}</span> ${t(`team.pace.${key}`)}</span>`;
}

/** A target figure in its unit: money for money metrics, a count otherwise. */
export function figure(value, item) {
  if (value === null || value === undefined) return '–';
  return item.currency ? money(value, item.currency) : new Intl.NumberFormat(state.locale).format(Number(value));
}

function words(item) {
  return [
    t('team.ring.of', { actual: figure(item.actual, item), target: figure(item.value, item) }),
    t('team.ring.expected', { value: figure(item.expected_to_date, item) }),
    t('team.ring.days_left', { n: item.days_left ?? 0 }),
  ];
}

/** A rep's own line on Today: a small ring, the pace, and what is left ("CN¥58,000 to go
 *  in 12 working days"). Only for a line with a target; Today shows nothing otherwise. */
export function attainmentCard(item) {
  const parts = ringParts(item);
  const percent = item.percent === null || item.percent === undefined ? '–' : `${Math.round(item.percent)}%`;
  const left = Number(item.gap) > 0
    ? t('team.ring.to_go', { gap: figure(item.gap, item), n: item.days_left ?? 0 })
    : t('team.ring.reached');
  return html`<section class="card attainment mine" data-my-attainment="${item.pace || ''}">
    <div class="ring-row">
      <svg class="ring small" viewBox="0 0 100 100" aria-hidden="true">
        <circle class="ring-track" cx="50" cy="50" r="${R}"/>
        <circle class="ring-actual pace-${item.pace || 'no_target'}" cx="50" cy="50" r="${R}"
          stroke-dasharray="${arc(parts.actual, R)}" transform="rotate(-90 50 50)"/>
        <text x="50" y="58" text-anchor="middle" class="ring-percent">${percent}</text>
      </svg>
      <div class="ring-text"><strong>${t('team.ring.mine')} · ${t(`team.metric.${item.metric}`)}</strong>
        <p>${paceBadge(item.pace)}</p><p class="meta">${percent} · ${left}</p></div>
    </div>
  </section>`;
}

/** The ring for a report line, or "No target set" (no ring) when there is none. */
export function attainmentRing(item, { title } = {}) {
  title = title || (item?.team_name ? t('team.ring.named', { name: item.team_name }) : t('team.ring.title'));
  if (!item) {
    return html`<section class="card attainment none" data-attainment="none">
      <h2>${title}</h2><p class="empty">${t('team.ring.no_target')}</p></section>`;
  }
  const parts = ringParts(item);
  const percent = item.percent === null || item.percent === undefined ? '–' : `${Math.round(item.percent)}%`;
  const lines = words(item);
  // The expected tick: a short radial line at that fraction of the turn (12 o'clock is 0).
  const angle = 2 * Math.PI * parts.expected - Math.PI / 2;
  const tick = (r) => `${(50 + r * Math.cos(angle)).toFixed(2)},${(50 + r * Math.sin(angle)).toFixed(2)}`;
  return html`<section class="card attainment" data-attainment="${item.pace || ''}">
    <h2>${title} <span class="meta">${t(`team.metric.${item.metric}`)}</span></h2>
    <div class="ring-row">
      <svg class="ring" viewBox="0 0 100 100" role="img" aria-label="${percent} · ${lines.join(' · ')}">
        <circle class="ring-track" cx="50" cy="50" r="${R}"/>
        <circle class="ring-actual pace-${item.pace || 'no_target'}" cx="50" cy="50" r="${R}"
          stroke-dasharray="${arc(parts.actual, R)}" transform="rotate(-90 50 50)"/>
        <polyline class="ring-expected" points="${tick(R - 9)} ${tick(R + 7)}"/>
        <text x="50" y="55" text-anchor="middle" class="ring-percent">${percent}</text>
      </svg>
      <div class="ring-text">
        ${paceBadge(item.pace)}
        <ul class="ring-lines">${lines.map((line) => html`<li>${line}</li>`)}</ul>
        ${parts.over && html`<p class="meta">${t('team.ring.over')}</p>`}
      </div>
    </div>
  </section>`;
}
