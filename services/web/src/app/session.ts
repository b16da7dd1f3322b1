/** Who is signed in, as GET /session tells (the cookie itself is out of the page's reach). */
export interface Session {
  kind: string;
}

/** Client-side navigation (history.pushState): the api answers index.html for each portal path. */
export type Navigate = (path: string) => void;
