// Leads: the two lists this phone last showed (mine, the pool), kept between visits to
// the screen, and claiming one, which needs the network (first come, first served).

import { state } from './state.js';
import { t } from './i18n.js';
import { api } from './api.js';
import { toast } from './sheets.js';

export const leadLists = { mine: { items: [], cursor: null, res: null }, pool: { items: [], cursor: null, res: null } };

/** POST /leads/{id}/claim: needs the network (first come, first served), never queued. */
export async function claim(id) {
  if (!state.online) {
    toast(t('leads.need_network'), { alert: true });
    return null;
  }
  const res = await api(`/leads/${id}/claim`, { method: 'POST' });
  if (res.ok) {
    toast(t('leads.claimed'));
    leadLists.mine.items = [];
    return res.data;
  }
  toast(res.offline ? t('leads.need_network') : res.data?.message || t('common.error'), { alert: true });
  return null;
}
