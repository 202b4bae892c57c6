import { createContext, useContext } from 'react';

/**
 * Whether the view around the caller is the one on screen. Views stay mounted once visited (the
 * shell hides them), so anything that acts on a host while the view is hidden — a live watch —
 * must read this and stop: nothing may run on a suspect host that the responder is not looking at.
 */
export const ViewActiveContext = createContext<boolean>(true);

/** True while the caller's view is shown; false once the user navigated away. */
export function useViewActive(): boolean {
  return useContext(ViewActiveContext);
}
