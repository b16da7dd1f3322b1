/** Importing this folder registers the eduroam GraphQL types, queries and mutations. */
import './types.js';
import './queries.js';
import './mutations.js';
import './site-bulk.js';

export { RealmRef, ServerRef, SiteRef } from './types.js';
