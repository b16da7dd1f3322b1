// The NOC console (web3): the queue and the ticket page.
export { NocPage } from './queue';
export { TicketPage } from './ticket';
