// An amount of money as the reader's language writes it ("CN¥1,250.50", "¥1,250.50").

import { state } from '../lib/state.js';
import { formatMoney } from '../lib/money.js';

/** A money string from the API (or a number of cents) in `currency`, in the user's language. */
export function money(amount, currency = 'CNY') {
  return formatMoney(amount ?? '0.00', currency, state.locale);
}
