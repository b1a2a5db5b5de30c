// Who is signed in, as the server put it into the page (null when nobody is).
export let session = JSON.parse(document.getElementById('session')?.textContent || 'null');
export const dev = document.querySelector('script[data-page]')?.dataset.dev === 'true';

/** After a failed sign-in the server has ended the session; the page forgets it too. */
export function forget() {
  session = null;
}
