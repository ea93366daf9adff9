// The runs ticked for the overlay. The table shows one page at a time, so a ticked run that is not on the page shown
// is still ticked: paging must not lose it. A run leaves the selection when unticked, or when the server answers
// that it no longer exists (404), never merely because another page is shown.

/** The ticked ids among `selected` that the page `pageIds` does not show, whose existence the page cannot vouch for. */
export function offPage(selected, pageIds) {
  const shown = new Set(pageIds);
  return [...selected].filter((id) => !shown.has(id));
}

/** Whether an answer for a ticked run means it is gone: only a 404 does (a network error or a 500 may pass). */
export function isGone(error) {
  return error?.status === 404;
}
