/** The domains GraphQL face: importing this file registers its types and fields on the shared builder. */
import './types.js';
import './queries.js';
import './mutations.js';

export { DomainRef, DomainStateEnum, PollMessageRef } from './types.js';
