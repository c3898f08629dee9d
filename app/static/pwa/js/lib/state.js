// What the running app knows about now: who is signed in, their language and the
// words for it, whether the network answers, what waits in the outbox. One shared
// object; main.js fills in what comes from the browser at start-up.

export const state = {
  me: null,
  csrf: null,
  locale: 'en',
  messages: {},
  online: true,
  authLost: false,
  queued: [], // outbox items of the signed-in user, oldest first
  version: '',
};

/** The zone that decides what "today" is: the user's, else the phone's. */
export function zone() {
  return state.me?.timezone || Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}
