// What the outbox keeps of a customer with a queued write, so the follow-up or
// activity it makes can be shown (and called, navigated to) offline.

/** The customer fields the outbox keeps so queued follow-ups can be shown offline. */
export function customerSnapshot(c) {
  if (!c) return null;
  const { id, name, phone, phone_e164: e164, email, address, city, lat, lng } = c;
  return { id, name, phone, phone_e164: e164, email, address, city, lat, lng };
}
