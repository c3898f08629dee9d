// Company settings' "Map" section: the Near me map's tile server, its credit line, the
// deepest zoom and the datum its tiles are drawn in. Saved straight to the server.

import { html, mount } from '../lib/html.js';
import { t } from '../lib/i18n.js';
import { toast } from '../lib/sheets.js';
import { saveForm, watchTyping } from './server-form.js';

const whole = (text) => (/^\d{1,9}$/.test(text) ? Number(text) : text);

/** Draw the section into `section`; onSaved(settings) gets the server's answer. */
export function paintMapSettings(section, settings, onSaved) {
  mount(
    section,
    html`<h2>${t('admin.map')}</h2>
      <form class="form card" data-form="map" novalidate>
        <label class="field"><span>${t('admin.map_tile_url')}</span>
          <input name="map_tile_url" data-err="map_tile_url" inputmode="url" autocomplete="off" spellcheck="false" maxlength="300" value="${settings.map_tile_url}" />
          <span class="meta">${t('admin.map_tile_url_hint')}</span></label>
        <label class="field"><span>${t('admin.map_subdomains')}</span>
          <input name="map_subdomains" data-err="map_subdomains" autocomplete="off" spellcheck="false" maxlength="10" value="${settings.map_subdomains}" /></label>
        <label class="field"><span>${t('admin.map_attribution')}</span>
          <input name="map_attribution" data-err="map_attribution" autocomplete="off" maxlength="200" value="${settings.map_attribution}" /></label>
        <label class="field"><span>${t('admin.map_max_zoom')}</span>
          <input name="map_max_zoom" data-err="map_max_zoom" inputmode="numeric" autocomplete="off" maxlength="2" value="${settings.map_max_zoom}" /></label>
        <fieldset class="group" data-err="map_coordinates"><legend>${t('admin.map_coordinates')}</legend>
          <div class="segmented" role="radiogroup">
            ${['wgs84', 'gcj02'].map((d) => html`<label class="seg"><input type="radio" name="map_coordinates" value="${d}" ${settings.map_coordinates === d ? html`checked` : ''} />
              <span>${t(`admin.datum_${d}`)}</span></label>`)}
          </div>
          <p class="hint">${t('admin.map_coordinates_hint')}</p>
        </fieldset>
        <p class="form-error" data-error role="alert"></p>
        <button class="btn btn-primary btn-block" type="submit">${t('admin.save_map')}</button>
      </form>`,
  );
  const form = section.querySelector('form');
  watchTyping(form);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const value = (name) => form.elements[name].value.trim();
    const body = {
      map_tile_url: value('map_tile_url'),
      map_subdomains: value('map_subdomains'),
      map_attribution: value('map_attribution'),
      map_max_zoom: whole(value('map_max_zoom')),
      map_coordinates: form.elements.map_coordinates.value,
    };
    const data = await saveForm(form, '/settings', { method: 'PATCH', body });
    if (!data) return;
    onSaved(data);
    paintMapSettings(section, data, onSaved);
    toast(t('admin.saved'));
  });
}
