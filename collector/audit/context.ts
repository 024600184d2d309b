// Who is acting in an HTTP request, and from where: routes hand it to the audit log with each record (`by`),
// so a record names the logged-in user and the client address without every room knowing about HTTP.
//
// Passed explicitly, not through AsyncLocalStorage: once a Node 20 process has used one, every promise and
// async resource it creates pays for carrying the context along, agent reports included. Measured with
// bench:ingest: session heartbeats reached 55-57 % of bare fastify without it against 42-48 % with it.
export interface RequestActor {
  ip: string;
  user?: { id: string; username: string; role: string };
}
