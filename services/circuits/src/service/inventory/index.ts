/**
 * The NOC's inventory: points of presence, access devices and ports, regional networks and
 * their handoffs, which ports a site reaches the backbone through, the RD/RT administrator.
 * Each write: NOC check → parse → one transaction (the port row locked first when its uses
 * matter) → change log. PostgreSQL's refusals come back as typed errors.
 */
export * from './places.js';
export * from './ports.js';
export * from './rd-administrator.js';
